import { columns, hubEntity } from '../../entity-schema';
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

export const UserEntity = hubEntity<User>({
	name: 'User',
	tableName: 'users',
	columns: {
		accountId: columns.accountId,
		email: { type: 'text', unique: true },
		passwordHash: { type: 'text', name: 'password_hash' },
		name: { type: 'text', nullable: true },
		role: { type: 'text' },
		createdAt: columns.createdAt,
	},
});
