import { z } from 'zod';
import { accountName } from '../accounts/accounts.schemas';

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
