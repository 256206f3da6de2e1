import bcrypt from 'bcryptjs';
import { HubError, notFound } from '../../errors';
import { BCRYPT_ROUNDS } from '../auth/passwords';
import { type Role, roleAtLeast } from './roles';
import type { User } from './user.entity';
import type { UsersRepository } from './users.repository';
import type { UserView } from './users.schemas';

export const toUserView = (user: User): UserView => ({
	id: user.id,
	accountId: user.accountId,
	email: user.email,
	name: user.name,
	role: user.role,
	createdAt: user.createdAt.toISOString(),
});

const cannotGrant = (role: Role) =>
	new HubError(403, 'insufficient_role', `Granting or managing the ${role} role needs that role or higher`);

/**
 * The people of an account, managed by its admins and owners. Nobody grants a role above their own or manages
 * someone above them, and an account always keeps at least one owner.
 */
export class UsersService {
	constructor(private readonly repository: UsersRepository) {}

	async list(accountId: string): Promise<UserView[]> {
		return (await this.repository.listForAccount(accountId)).map(toUserView);
	}

	async add(
		accountId: string,
		actorRole: Role,
		input: { email: string; password: string; name?: string; role: Role },
	): Promise<UserView> {
		if (!roleAtLeast(actorRole, input.role)) throw cannotGrant(input.role);
		const passwordHash = await bcrypt.hash(input.password, BCRYPT_ROUNDS);
		const user = await this.repository.insert({
			accountId,
			email: input.email,
			passwordHash,
			name: input.name ?? null,
			role: input.role,
		});
		return toUserView(user);
	}

	async changeRole(accountId: string, actorRole: Role, id: string, role: Role): Promise<UserView> {
		const user = await this.findManageable(accountId, actorRole, id);
		if (!roleAtLeast(actorRole, role)) throw cannotGrant(role);
		if (!(await this.repository.changeKeepingAnOwner(accountId, id, role))) throw lastOwner();
		return toUserView({ ...user, role });
	}

	/** Removing a person ends their sessions with them (the sessions cascade), so their access tokens stop working. */
	async remove(accountId: string, actorRole: Role, id: string): Promise<void> {
		await this.findManageable(accountId, actorRole, id);
		if (!(await this.repository.changeKeepingAnOwner(accountId, id, null))) throw lastOwner();
	}

	private async findManageable(accountId: string, actorRole: Role, id: string): Promise<User> {
		const user = await this.repository.findForAccount(accountId, id);
		if (!user) throw notFound('user');
		if (!roleAtLeast(actorRole, user.role)) throw cannotGrant(user.role);
		return user;
	}
}

const lastOwner = () => new HubError(409, 'last_owner', 'An account keeps at least one owner');
