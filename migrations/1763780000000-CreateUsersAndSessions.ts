import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People and their sessions, and roles on API keys.
 * - users: one account each; the e-mail (stored lower-cased) is unique across the hub because it is the login.
 * - auth_sessions: one per login, i.e. one refresh-token family. Revoking it (logout, reuse of a rotated token) ends
 *   every token of the family at once, access tokens included (they name their session).
 * - refresh_tokens: opaque tokens stored as sha256; `used_at` marks a token already exchanged, so presenting it again
 *   is recognisable as reuse.
 * - api_keys.role: what an account key may do (platform keys have none). Keys that existed before roles were the
 *   tenant's only credential, so they become owners. Rotation links the old key to its replacement.
 */
export class CreateUsersAndSessions1763780000000 implements MigrationInterface {
	name = 'CreateUsersAndSessions1763780000000';

	async up(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			CREATE TABLE users (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
				email text NOT NULL CONSTRAINT users_email_key UNIQUE CHECK (email = lower(email)),
				password_hash text NOT NULL,
				name text,
				role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
				created_at timestamptz NOT NULL DEFAULT now()
			)`);
		await queryRunner.query(`CREATE INDEX users_account_id_idx ON users (account_id)`);
		await queryRunner.query(`
			CREATE TABLE auth_sessions (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
				created_at timestamptz NOT NULL DEFAULT now(),
				revoked_at timestamptz,
				revoked_reason text
			)`);
		await queryRunner.query(`CREATE INDEX auth_sessions_user_id_idx ON auth_sessions (user_id)`);
		await queryRunner.query(`
			CREATE TABLE refresh_tokens (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
				token_hash text NOT NULL CONSTRAINT refresh_tokens_token_hash_key UNIQUE,
				expires_at timestamptz NOT NULL,
				used_at timestamptz,
				created_at timestamptz NOT NULL DEFAULT now()
			)`);
		await queryRunner.query(`CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id)`);
		await queryRunner.query(`
			ALTER TABLE api_keys
				ADD COLUMN role text CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
				ADD COLUMN rotated_at timestamptz,
				ADD COLUMN replaced_by_id uuid REFERENCES api_keys (id) ON DELETE SET NULL`);
		await queryRunner.query(`UPDATE api_keys SET role = 'owner' WHERE scope = 'account'`);
		await queryRunner.query(`
			ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_matches_scope CHECK ((scope = 'platform') = (role IS NULL))`);
	}

	async down(queryRunner: QueryRunner): Promise<void> {
		await queryRunner.query(`
			ALTER TABLE api_keys
				DROP CONSTRAINT api_keys_role_matches_scope,
				DROP COLUMN replaced_by_id,
				DROP COLUMN rotated_at,
				DROP COLUMN role`);
		await queryRunner.query(`DROP TABLE refresh_tokens`);
		await queryRunner.query(`DROP TABLE auth_sessions`);
		await queryRunner.query(`DROP TABLE users`);
	}
}
