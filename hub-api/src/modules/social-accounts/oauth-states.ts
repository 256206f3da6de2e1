import { createHash, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { SocialProvider } from '../../../../contracts/social-accounts';
import type { Clock } from '../../clock';
import { HubError } from '../../errors';

/** Redis is down: no state can be issued or checked, so no connection can start or finish (nothing half-done). */
const unavailable = (error: unknown) =>
	new HubError(503, 'oauth_state_unavailable', 'Connecting accounts is unavailable right now, retry later', undefined, error);

/** What an OAuth `state` stands for: who asked to connect which provider, for which account. */
export interface OAuthBinding {
	provider: SocialProvider;
	accountId: string;
	userId: string;
	/** PKCE: the verifier whose S256 challenge the authorization URL carried (providers that support PKCE). */
	codeVerifier: string | null;
	expiresAt: string;
}

/** How long a person has to finish the provider's consent screen. */
export const OAUTH_STATE_TTL_SECONDS = 600;

/**
 * OAuth `state` values in Redis, shared by every hub replica (the callback may land on another replica than the one
 * that issued the URL). A state is 256 random bits, stored under its SHA-256 (the Redis keyspace never lists a live
 * state), valid for 10 minutes and usable once: GETDEL reads and removes it in one step, so two callbacks racing with
 * the same state cannot both get the binding.
 */
export class OAuthStates {
	constructor(
		private readonly redis: Redis,
		private readonly namespace: string,
		private readonly clock: Clock,
	) {}

	private key(state: string): string {
		return `${this.namespace}:oauth-state:${createHash('sha256').update(state).digest('hex')}`;
	}

	async issue(binding: Omit<OAuthBinding, 'expiresAt'>): Promise<{ state: string; expiresAt: Date }> {
		const state = randomBytes(32).toString('base64url');
		const expiresAt = new Date(this.clock().getTime() + OAUTH_STATE_TTL_SECONDS * 1000);
		const stored: OAuthBinding = { ...binding, expiresAt: expiresAt.toISOString() };
		await this.redis.set(this.key(state), JSON.stringify(stored), 'EX', OAUTH_STATE_TTL_SECONDS).catch((error: unknown) => {
			throw unavailable(error);
		});
		return { state, expiresAt };
	}

	/**
	 * The binding of a state, once; null when it is unknown, used, or expired. The expiry is checked against the hub's
	 * clock as well as Redis's TTL, so both agree on "10 minutes".
	 */
	async consume(state: string): Promise<OAuthBinding | null> {
		if (!/^[A-Za-z0-9_-]{43}$/.test(state)) return null;
		const stored = await this.redis.getdel(this.key(state)).catch((error: unknown) => {
			throw unavailable(error);
		});
		if (!stored) return null;
		const binding = JSON.parse(stored) as OAuthBinding;
		return Date.parse(binding.expiresAt) > this.clock().getTime() ? binding : null;
	}
}

/** PKCE (RFC 7636): a random verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
	const verifier = randomBytes(48).toString('base64url');
	return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
