import { EntitySchema } from 'typeorm';
import type { Role } from './roles';

export interface User {
	id: string;
	accountId: string;
	/** Lower-cased; unique across the hub (it is the login). */
	email: string;
	/** bcrypt hash; never leaves the hub. */
	passwordHash: string;
	name: string | null;
	role: Role;
	createdAt: Date;
}

export const UserEntity = new EntitySchema<User>({
	name: 'User',
	tableName: 'users',
	columns: {
		id: { type: 'uuid', primary: true, generated: 'uuid' },
		accountId: { type: 'uuid', name: 'account_id' },
		email: { type: 'text', unique: true },
		passwordHash: { type: 'text', name: 'password_hash' },
		name: { type: 'text', nullable: true },
		role: { type: 'text' },
		createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
	},
});
