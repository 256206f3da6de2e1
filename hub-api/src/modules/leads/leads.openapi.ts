import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { FOLLOW_UP_STATUSES, LEAD_TEMPERATURES, type LeadResponse } from '../../../../contracts/hub-api';
import { PROVIDERS } from '../../../../contracts/inbound-message';
import type { Expect, MatchesContract } from '../../contract-check';
import { cursorPage } from '../../cursor-page';
import { answer, authenticated, documentRoutes, errors, json } from '../../http/openapi';
import { getLeadQuery, leadParams, listLeadsQuery, upsertLeadBody } from './leads.schemas';

const leadSchema = z.object({
	id: z.uuid(),
	accountId: z.uuid(),
	agentId: z.uuid().nullable(),
	provider: z.enum(PROVIDERS),
	accountExternalId: z.string().nullable(),
	conversationId: z.string().nullable(),
	contact: z.object({
		externalId: z.string(),
		name: z.string().nullable(),
		handle: z.string().nullable(),
		phone: z.string().nullable(),
	}),
	temperature: z.enum(LEAD_TEMPERATURES).nullable(),
	summary: z.string().nullable(),
	lastMessageText: z.string().nullable(),
	firstSeenAt: z.iso.datetime(),
	lastMessageAt: z.iso.datetime().nullable(),
	lastContactedAt: z.iso.datetime().nullable(),
	lastActivityAt: z.iso.datetime(),
	idleDays: z.number().int(),
	followUpCount: z.number().int(),
	followUp: z
		.object({
			status: z.enum(FOLLOW_UP_STATUSES),
			reason: z.string().nullable(),
			at: z.iso.datetime(),
		})
		.nullable()
		.describe(
			"The follow-up sequence since the lead's last message: sent, skipped or failed (reason), or window_closed " +
				'(the messaging window closed before the sequence ended); null when nothing was recorded since',
		),
	createdAt: z.iso.datetime(),
	updatedAt: z.iso.datetime(),
});

/** The documented response and the wire contract the SkyBot node reads must not drift apart. */
export type LeadSchemaMatchesContract = Expect<MatchesContract<typeof leadSchema, LeadResponse>>;

export function registerLeadsOpenApi(registry: OpenAPIRegistry): void {
	const lead = registry.register('Lead', leadSchema);
	const docs = documentRoutes(registry, 'leads');
	docs.post(
		'/api/leads',
		'Upsert a prospect, idempotent per (account, provider, contact): later facts fill in, nulls never erase; ' +
			'`contacted: true` records a follow-up sent now',
		{
			...authenticated('member'),
			request: { body: { content: json(upsertLeadBody) } },
			responses: {
				200: answer('Existing lead updated', lead),
				201: answer('New lead', lead),
				...errors(400, 401, 403, 404, 422),
			},
		},
	);
	docs.get(
		'/api/leads',
		'List leads, newest activity first, keyset-paginated by `cursor`; `format=csv` downloads every matching lead ' +
			"(RFC 4180, cells starting with = + - @ prefixed with ' so spreadsheets never run them). " +
			'`followUp` with `followUpAfterHours` lists what a follow-up sequence must act on now: `due` the leads owed ' +
			"one of its follow-ups inside the messaging window (`windowHours` after the lead's last message), " +
			'`window_closed` those whose window closed before the sequence ended and not yet recorded so',
		{
			...authenticated('viewer'),
			request: { query: listLeadsQuery },
			responses: {
				200: {
					description: 'A page (JSON), or every matching lead (CSV)',
					content: { ...json(cursorPage('leads', lead)), 'text/csv': { schema: z.string() } },
				},
				...errors(401, 403, 404, 422),
			},
		},
	);
	docs.get('/api/leads/{id}', "One lead (another account's id answers 404)", {
		...authenticated('viewer'),
		request: { params: leadParams, query: getLeadQuery },
		responses: { 200: answer('The lead', lead), ...errors(401, 403, 404, 422) },
	});
}
