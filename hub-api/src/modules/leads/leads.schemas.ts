import { z } from 'zod';
import {
	FOLLOW_UP_NOT_SENT_STATUSES,
	FOLLOW_UP_SELECTIONS,
	FOLLOW_UP_STATUSES,
	LEAD_TEMPERATURES,
	type UpsertLeadRequest,
} from '../../../../contracts/hub-api';
import { PROVIDERS } from '../../../../contracts/inbound-message';
import type { Expect, MatchesContract } from '../../contract-check';
import { type CountryCode, isPhoneCountry, toE164 } from './lead-phone';

const id = z.string().min(1).max(512);
/**
 * Runs an object's cross-field check along with its fields' own (zod skips it once a field failed), so one 422
 * lists every problem; the check then reads fields that may still hold their raw input.
 */
const alongWithFields = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null };
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
		followUp: z
			.object({
				status: z.enum(FOLLOW_UP_NOT_SENT_STATUSES),
				reason: fact(z.string().min(1).max(100)),
			})
			.strip()
			.optional()
			.describe('A follow-up that was not sent, and why; a follow-up sent is recorded with contacted: true'),
	})
	.strip()
	.refine((body) => !(body.contacted === true && body.followUp), {
		path: ['followUp'],
		message: 'A follow-up is either sent (contacted: true) or not sent (followUp), not both',
		...alongWithFields,
	});

export type UpsertLeadBodyMatchesContract = Expect<MatchesContract<typeof upsertLeadBody, UpsertLeadRequest>>;

/** `temperature=hot,warm` lists several levels; the other lists of the query are written the same way. */
const commaSeparated = z.string().transform((value) => value.split(',').map((part) => part.trim()));
const temperatureList = commaSeparated.pipe(z.array(z.enum(LEAD_TEMPERATURES)).min(1));

/** The provider's messaging window: Meta allows free-form messages for 24 hours after the customer's last one. */
export const DEFAULT_MESSAGING_WINDOW_HOURS = 24;
/** A week: longer than any provider's window, so a longer value is a typo rather than a sequence. */
const MAX_HOURS = 24 * 7;
const isHours = (value: unknown): value is number => typeof value === 'number' && value > 0 && value <= MAX_HOURS;

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
		/** `followUpStatus=window_closed,failed`: leads whose follow-up sequence is in one of these states. */
		followUpStatus: commaSeparated.pipe(z.array(z.enum(FOLLOW_UP_STATUSES)).min(1)).optional(),
		/** With followUpAfterHours: the leads that sequence must act on now (due a follow-up, or window closed). */
		followUp: z.enum(FOLLOW_UP_SELECTIONS).optional(),
		/** The sequence: `1,20` is a follow-up after 1 hour and one after 20 hours of silence from the lead. */
		followUpAfterHours: commaSeparated
			.pipe(z.array(z.coerce.number<string>().positive().max(MAX_HOURS)).min(1).max(10, 'At most 10 follow-ups in a sequence'))
			.optional(),
		/** The messaging window the sequence must fit in, in hours after the lead's last message. */
		windowHours: z.coerce.number().positive().max(MAX_HOURS).default(DEFAULT_MESSAGING_WINDOW_HOURS),
		format: z.enum(['json', 'csv']).default('json'),
		limit: z.coerce.number().int().min(1).max(100).default(50),
		cursor: z.string().min(1).max(200).optional(),
	})
	.strip()
	.refine((query) => (query.followUp === undefined) === (query.followUpAfterHours === undefined), {
		path: ['followUpAfterHours'],
		message: 'followUp (due or window_closed) and followUpAfterHours (the sequence) go together',
		...alongWithFields,
	})
	.refine(
		// Only between a window and steps that are valid themselves: their own problems are reported already.
		(query) =>
			!Array.isArray(query.followUpAfterHours) ||
			!isHours(query.windowHours) ||
			query.followUpAfterHours.every((step) => !isHours(step) || step < query.windowHours),
		{
			path: ['followUpAfterHours'],
			message: 'Every follow-up must come before the messaging window closes (under windowHours, 24 by default)',
			...alongWithFields,
		},
	);

export type ListLeadsQuery = z.output<typeof listLeadsQuery>;

export const leadParams = z.object({ id: z.uuid() });
export const getLeadQuery = z.object({ accountId: z.uuid().optional() }).strip();
