import type { DataSource, EntityManager, Repository } from 'typeorm';
import { violatesConstraint } from '../../db/pg-errors';
import { HubError } from '../../errors';
import { type User, UserEntity } from './user.entity';

export type NewUser = Pick<User, 'accountId' | 'email' | 'passwordHash' | 'name' | 'role'>;

export class UsersRepository {
	private readonly users: Repository<User>;

	constructor(dataSource: DataSource) {
		this.users = dataSource.getRepository(UserEntity);
	}

	/** The unique e-mail constraint decides races between two registrations of one address. */
	async insert(user: NewUser, manager?: EntityManager): Promise<User> {
		const repository = manager ? manager.getRepository(UserEntity) : this.users;
		try {
			return await repository.save(repository.create(user));
		} catch (error) {
			if (violatesConstraint(error, 'users_email_key')) {
				throw new HubError(409, 'email_taken', 'An account already uses this e-mail address');
			}
			throw error;
		}
	}

	findByEmail(email: string): Promise<User | null> {
		return this.users.findOneBy({ email: email.toLowerCase() });
	}

	findById(id: string): Promise<User | null> {
		return this.users.findOneBy({ id });
	}
}
