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
