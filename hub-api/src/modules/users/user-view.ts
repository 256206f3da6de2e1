import type { Role } from './roles';
import type { User } from './user.entity';

/** How a person is shown: never the password hash. */
export interface UserView {
	id: string;
	accountId: string;
	email: string;
	name: string | null;
	role: Role;
	createdAt: string;
}

export const toUserView = (user: User): UserView => ({
	id: user.id,
	accountId: user.accountId,
	email: user.email,
	name: user.name,
	role: user.role,
	createdAt: user.createdAt.toISOString(),
});
