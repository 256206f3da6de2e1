import { z } from 'zod';
import { email, password } from '../auth/auth.schemas';
import { ROLES } from './roles';

// Unknown keys (`accountId`, …) are stripped: a person is always added to the caller's own account.
export const createUserBody = z.object({
	email,
	/** Set by whoever adds the person, who hands it over; there is no e-mail delivery yet. */
	password,
	name: z.string().trim().min(1).max(200).optional(),
	/** At most the caller's own role. */
	role: z.enum(ROLES).default('member'),
});

export const updateUserBody = z.object({ role: z.enum(ROLES) });

export const userIdParams = z.object({ id: z.uuid() });

/** How a person is shown, never with the password hash (the OpenAPI component `User`); `UserView` is derived from it. */
export const userView = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	email: z.email(),
	name: z.string().nullable(),
	role: z.enum(ROLES),
	createdAt: z.iso.datetime(),
});
export type UserView = z.output<typeof userView>;
