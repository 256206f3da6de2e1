import { z } from 'zod';
import { LEAD_TEMPERATURES, type UpsertLeadRequest } from '../../../../contracts/hub-api';
import { PROVIDERS } from '../../../../contracts/inbound-message';
import type { Expect, MatchesContract } from '../../contract-check';
import { type CountryCode, isPhoneCountry, toE164 } from './lead-phone';

const id = z.string().min(1).max(512);
/** Optional facts: null and absent both mean "not known by this caller", never "erase". */
const fact = <Schema extends z.ZodType>(schema: Schema) => schema.nullable().optional();

/**
 * A lead's contact. Its phone is stored in E.164 whatever way it was written, and only once lead-phone.ts has judged
 * it a valid number: anything else is refused (422 naming contact.phone) rather than stored or silently dropped.
 * A direct API call learns at once what was wrong. The inbound pipeline cannot lose a lead over it either: its phones
 * come from a best-effort extraction, and the SkyBot node's Upsert Lead sends the lead again without the phone the
 * hub refused (nodes/SkyBot/actions/lead/upsertLead.operation.ts).
 */
const contact = z
	.object({
		externalId: id,
		name: fact(z.string().max(500)),
		handle: fact(z.string().max(500)),
		phone: fact(z.string().max(64)).describe(
			'A valid phone number, stored in E.164: +33612345678 (separators allowed), or national form with phoneCountry',
		),
		phoneCountry: z
			.string()
			.refine(isPhoneCountry, 'Expected an ISO 3166-1 alpha-2 country code, such as FR')
			.optional()
			.describe('ISO 3166-1 alpha-2 country a phone in national form (06 12 34 56 78) is dialled in; +… numbers need none'),
	})
	.strip()
	.transform(({ phoneCountry, ...known }, context) => {
		if (known.phone === undefined || known.phone === null) return known;
		const phone = toE164(known.phone, phoneCountry as CountryCode | undefined);
		if (phone) return { ...known, phone };
		context.addIssue({
			code: 'custom',
			path: ['phone'],
			message: 'Not a valid phone number: expected E.164 (+33612345678), or a national number with contact.phoneCountry',
		});
		return z.NEVER;
	});

export const upsertLeadBody = z
	.object({
		/** Required with a platform key, ignored with an account key. */
		accountId: z.uuid().optional(),
		agentId: fact(z.uuid()),
		provider: z.enum(PROVIDERS),
		contact,
		accountExternalId: fact(id),
		conversationId: fact(id),
		temperature: fact(z.enum(LEAD_TEMPERATURES)),
		summary: fact(z.string().max(5_000)),
		lastMessageAt: fact(z.iso.datetime({ offset: true })),
		lastMessageText: fact(z.string().max(20_000)),
		contacted: z.boolean().optional(),
	})
	.strip();

export type UpsertLeadBodyMatchesContract = Expect<MatchesContract<typeof upsertLeadBody, UpsertLeadRequest>>;

/** `temperature=hot,warm` lists several levels. */
const temperatureList = z
	.string()
	.transform((value) => value.split(',').map((level) => level.trim()))
	.pipe(z.array(z.enum(LEAD_TEMPERATURES)).min(1));

export const listLeadsQuery = z
	.object({
		accountId: z.uuid().optional(),
		temperature: temperatureList.optional(),
		provider: z.enum(PROVIDERS).optional(),
		/** Leads of this agent (a follow-up sequence deployed per agent). */
		agentId: z.uuid().optional(),
		/** Leads whose last activity (their message or our contact) is older than this instant. */
		lastContactBefore: z.iso.datetime({ offset: true }).optional(),
		/** Leads idle for at least this many days (the same cut-off, relative to now). */
		idleDays: z.coerce.number().int().min(0).max(3_650).optional(),
		/** Leads that received fewer follow-ups than this (a sequence stops after N). */
		followUpCountBelow: z.coerce.number().int().min(1).max(1_000).optional(),
		format: z.enum(['json', 'csv']).default('json'),
		limit: z.coerce.number().int().min(1).max(100).default(50),
		cursor: z.string().min(1).max(200).optional(),
	})
	.strip();

export type ListLeadsQuery = z.output<typeof listLeadsQuery>;

export const leadParams = z.object({ id: z.uuid() });
export const getLeadQuery = z.object({ accountId: z.uuid().optional() }).strip();
