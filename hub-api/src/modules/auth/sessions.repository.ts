import type { DataSource, EntityManager } from 'typeorm';
import { type User, UserEntity } from '../users/user.entity';

/**
 * Login sessions and their refresh tokens, in plain SQL: each state change is one conditional statement, so
 * concurrent refreshes of one token cannot both succeed.
 */
export class SessionsRepository {
	constructor(private readonly dataSource: DataSource) {}

	transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
		return this.dataSource.transaction(work);
	}

	async createSession(userId: string, now: Date, manager: EntityManager): Promise<string> {
		const [row] = (await manager.query('INSERT INTO auth_sessions (user_id, created_at) VALUES ($1, $2) RETURNING id', [
			userId,
			now,
		])) as { id: string }[];
		return row!.id;
	}

	async insertRefreshToken(
		sessionId: string,
		tokenHash: string,
		now: Date,
		expiresAt: Date,
		manager: EntityManager,
	): Promise<void> {
		await manager.query(
			'INSERT INTO refresh_tokens (session_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)',
			[sessionId, tokenHash, now, expiresAt],
		);
	}

	/**
	 * Marks a live token (unused, unexpired, session not revoked) as used and returns its session and user; null when
	 * the token cannot be exchanged. Of two concurrent calls with one token, exactly one gets the row.
	 */
	async consumeRefreshToken(
		tokenHash: string,
		now: Date,
		manager: EntityManager,
	): Promise<{ sessionId: string; userId: string } | null> {
		const [rows] = (await manager.query(
			`UPDATE refresh_tokens AS token SET used_at = $2
			 FROM auth_sessions AS session
			 WHERE token.token_hash = $1 AND token.used_at IS NULL AND token.expires_at > $2
			   AND session.id = token.session_id AND session.revoked_at IS NULL
			 RETURNING token.session_id, session.user_id`,
			[tokenHash, now],
		)) as [{ session_id: string; user_id: string }[], number];
		const row = rows[0];
		if (!row) return null;
		// Exchanged tokens are kept while they could still be replayed (reuse detection); expired ones can go.
		await manager.query('DELETE FROM refresh_tokens WHERE session_id = $1 AND expires_at <= $2', [row.session_id, now]);
		return { sessionId: row.session_id, userId: row.user_id };
	}

	async findRefreshToken(tokenHash: string): Promise<{ sessionId: string; used: boolean } | null> {
		const [row] = (await this.dataSource.query(
			'SELECT session_id, used_at FROM refresh_tokens WHERE token_hash = $1',
			[tokenHash],
		)) as { session_id: string; used_at: Date | null }[];
		return row ? { sessionId: row.session_id, used: row.used_at !== null } : null;
	}

	async revokeSession(sessionId: string, now: Date, reason: 'logout' | 'refresh_token_reuse'): Promise<void> {
		await this.dataSource.query(
			'UPDATE auth_sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL',
			[sessionId, now, reason],
		);
	}

	/** The user of a live session, or null (session revoked, user deleted, or the pair does not match). */
	async findSessionUser(userId: string, sessionId: string): Promise<User | null> {
		return this.dataSource
			.getRepository(UserEntity)
			.createQueryBuilder('user')
			.innerJoin('auth_sessions', 'session', 'session.user_id = user.id')
			.where('user.id = :userId AND session.id = :sessionId AND session.revoked_at IS NULL', { userId, sessionId })
			.getOne();
	}
}
