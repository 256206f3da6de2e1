import { z } from 'zod';
import { PLAN_IDS, type WhoAmIResponse } from '../../../../contracts/hub-api';
import type { Expect, MatchesContract } from '../../contract-check';
import { accountName } from '../accounts/accounts.schemas';
import { apiKeyScope } from '../api-keys/api-keys.schemas';

export const email = z
	.string()
	.trim()
	.max(254)
	.pipe(z.email())
	.transform((value) => value.toLowerCase());

/** bcrypt reads at most 72 bytes: a longer password would silently lose its tail, so it is refused instead. */
export const password = z
	.string()
	.min(10, 'Must be at least 10 characters')
	.refine((value) => Buffer.byteLength(value, 'utf8') <= 72, 'Must be at most 72 bytes');

// Input schemas strip unknown keys (zod's default), so `role`, `plan` or `accountId` in a body are ignored.
export const registerBody = z.object({
	accountName,
	email,
	password,
	name: z.string().trim().min(1).max(200).optional(),
});

export const loginBody = z.object({
	email,
	// Any string up to the bcrypt limit: the length rules are for choosing a password, not for refusing a login.
	password: z.string().min(1).max(1_000),
});

export const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) });
export const logoutBody = refreshBody;

/** A session's token pair (the OpenAPI component `SessionTokens`); `SessionTokens` is derived from it. */
export const sessionTokens = z.object({
	tokenType: z.literal('Bearer'),
	accessToken: z.string().describe('JWT; send as Authorization: Bearer <token>'),
	expiresIn: z.number().int().describe('Seconds the access token is valid for (JWT_ACCESS_EXPIRY)'),
	accessTokenExpiresAt: z.iso.datetime(),
	refreshToken: z.string().describe('Opaque, single use: /api/auth/refresh returns a new pair and retires it'),
	refreshTokenExpiresAt: z.iso.datetime(),
});
export type SessionTokens = z.output<typeof sessionTokens>;

/** GET /api/auth/me with an API key: what the n8n credential test reads. */
export const keyWhoAmI = z.object({
	apiKey: z.object({ id: z.uuid(), name: z.string(), prefix: z.string(), scope: apiKeyScope }),
	account: z.object({ id: z.uuid(), name: z.string(), plan: z.enum(PLAN_IDS) }).nullable(),
});

/** The documented answer and the wire contract the credential test reads must not drift apart. */
export type KeyWhoAmIMatchesContract = Expect<MatchesContract<typeof keyWhoAmI, WhoAmIResponse>>;
