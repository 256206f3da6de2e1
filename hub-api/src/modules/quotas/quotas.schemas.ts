import { z } from 'zod';
import type { ConsumeQuotaRequest } from '../../../../contracts/hub-api';
import type { Expect, MatchesContract } from '../../contract-check';

export const consumeQuotaBody = z.object({
	messageId: z.string().min(1).max(512),
	conversationId: z.string().min(1).max(512),
	accountId: z.uuid().optional(),
});

export type ConsumeQuotaBodyMatchesContract = Expect<MatchesContract<typeof consumeQuotaBody, ConsumeQuotaRequest>>;
