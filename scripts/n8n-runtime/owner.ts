import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The n8n instance owner, declared through N8N_INSTANCE_OWNER_* so no setup screen is needed. */
export interface N8nOwner {
	email: string;
	password: string;
	firstName?: string;
	lastName?: string;
}

/**
 * bcrypt hash of `password` for N8N_INSTANCE_OWNER_PASSWORD_HASH, computed with the `bcryptjs` that the installed n8n
 * itself depends on (so the project adds no dependency and the hash format is the one n8n verifies).
 */
export function hashOwnerPassword(runtimeDir: string, password: string): string {
	const requireFromRuntime = createRequire(join(runtimeDir, 'package.json'));
	const bcrypt = requireFromRuntime('bcryptjs') as { hashSync(password: string, rounds: number): string };
	return bcrypt.hashSync(password, 10);
}

/**
 * A password n8n's policy accepts (8–64 characters, a digit and an uppercase letter) that is hard to guess:
 * 18 random bytes as base64url plus a fixed `A1` so the policy holds whatever the random part is.
 */
export function generateOwnerPassword(): string {
	return `${randomBytes(18).toString('base64url')}A1`;
}
