import type { DataSource, EntityManager, Repository } from 'typeorm';
import { withConstraint } from '../../pg-errors';
import { HubError } from '../../errors';
import { type User, UserEntity } from './user.entity';

export type NewUser = Pick<User, 'accountId' | 'email' | 'passwordHash' | 'name' | 'role'>;

const emailTaken = () => new HubError(409, 'email_taken', 'An account already uses this e-mail address');

export class UsersRepository {
	private readonly users: Repository<User>;

	constructor(dataSource: DataSource) {
		this.users = dataSource.getRepository(UserEntity);
	}

	/** The unique e-mail constraint decides races between two registrations of one address. */
	insert(user: NewUser, manager?: EntityManager): Promise<User> {
		const repository = manager ? manager.getRepository(UserEntity) : this.users;
		return withConstraint('users_email_key', emailTaken, () => repository.save(repository.create(user)));
	}

	findByEmail(email: string): Promise<User | null> {
		return this.users.findOneBy({ email: email.toLowerCase() });
	}

	findById(id: string): Promise<User | null> {
		return this.users.findOneBy({ id });
	}

	findForAccount(accountId: string, id: string): Promise<User | null> {
		return this.users.findOneBy({ id, accountId });
	}

	listForAccount(accountId: string): Promise<User[]> {
		return this.users.find({ where: { accountId }, order: { createdAt: 'ASC', id: 'ASC' } });
	}

	/**
	 * Changes a role, or deletes (role null), unless that would leave the account without an owner. One statement
	 * per change, the owner count taken under a lock on the account's owner rows, so two admins demoting the last two
	 * owners at once cannot both succeed. Returns false when refused.
	 */
	async changeKeepingAnOwner(accountId: string, id: string, role: User['role'] | null): Promise<boolean> {
		return this.users.manager.transaction(async (manager) => {
			const owners = (await manager.query(
				`SELECT id FROM users WHERE account_id = $1 AND role = 'owner' ORDER BY id FOR UPDATE`,
				[accountId],
			)) as { id: string }[];
			const losesOwner = owners.some((owner) => owner.id === id) && role !== 'owner';
			if (losesOwner && owners.length === 1) return false;
			if (role === null) await manager.query('DELETE FROM users WHERE id = $1 AND account_id = $2', [id, accountId]);
			else await manager.query('UPDATE users SET role = $3 WHERE id = $1 AND account_id = $2', [id, accountId, role]);
			return true;
		});
	}
}
