import { z } from 'zod';
import { PROVIDERS } from '../../../../contracts/inbound-message';

export const provider = z.enum(PROVIDERS);
export const externalId = z.string().trim().min(1).max(200);

export const claimProviderAccountBody = z.object({
	provider,
	externalId,
	agentId: z.uuid().nullable().optional(),
	name: z.string().trim().min(1).max(200).optional(),
	/** Required with a platform key, ignored with an account key. */
	accountId: z.uuid().optional(),
});

export const listProviderAccountsQuery = z.object({ accountId: z.uuid().optional() });

/** A provider account as the hub answers it (the OpenAPI component `ProviderAccount`); its type is derived from it. */
export const providerAccountView = z.object({
	id: z.uuid(),
	provider,
	externalId: z.string(),
	accountId: z.uuid(),
	agentId: z.uuid().nullable(),
	name: z.string().nullable(),
	createdAt: z.iso.datetime(),
});
export type ProviderAccountView = z.output<typeof providerAccountView>;
