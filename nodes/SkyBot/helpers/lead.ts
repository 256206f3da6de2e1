import {
	FOLLOW_UP_NOT_SENT_STATUSES,
	FOLLOW_UP_SELECTIONS,
	FOLLOW_UP_STATUSES,
	type FollowUpNotSentStatus,
	LEAD_TEMPERATURES,
	type LeadResponse,
	type LeadTemperature,
	type UpsertLeadRequest,
} from '../../../contracts/hub-api';
import { PROVIDERS, type Provider } from '../../../contracts/inbound-message';
import { toItemError } from '../../shared/item-error';

export class LeadInputError extends Error {}

/**
 * The Upsert Lead parameters as n8n hands them over: expressions over the enriched item, so any of them may come
 * out empty, null or undefined when an earlier step did not run (no classification, no phone found…).
 */
export interface UpsertLeadParameters {
	accountId?: unknown;
	agentId?: unknown;
	provider: unknown;
	contactExternalId: unknown;
	contactName?: unknown;
	contactHandle?: unknown;
	phone?: unknown;
	accountExternalId?: unknown;
	conversationId?: unknown;
	temperature?: unknown;
	summary?: unknown;
	lastMessageAt?: unknown;
	lastMessageText?: unknown;
	contacted?: unknown;
	/** A follow-up not sent: skipped, failed or window_closed (empty: none to record). */
	followUpStatus?: unknown;
	followUpReason?: unknown;
}

const E164 = /^\+[1-9]\d{7,14}$/;

/** A usable text value, or undefined for "not known here" (empty, null, undefined, not text). */
function known(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string') return undefined;
	const trimmed = value.trim();
	return trimmed === '' ? undefined : trimmed;
}

/**
 * Builds POST /api/leads. Unknown facts are left out (the hub never erases a known value with a missing one); a
 * wrong provider, missing contact id or unknown temperature is the workflow's mistake and fails the item. A phone
 * that is not E.164 is left out rather than failing the lead: it comes from a best-effort extraction.
 */
export function buildUpsertLeadRequest(parameters: UpsertLeadParameters): UpsertLeadRequest {
	const provider = known(parameters.provider);
	if (!provider || !(PROVIDERS as readonly string[]).includes(provider)) {
		throw new LeadInputError(`Provider must be one of ${PROVIDERS.join(', ')}, not "${String(parameters.provider ?? '')}"`);
	}
	const externalId = known(parameters.contactExternalId);
	if (!externalId) throw new LeadInputError('The contact external ID is empty: which prospect is this lead?');
	const temperature = known(parameters.temperature)?.toLowerCase();
	if (temperature !== undefined && !(LEAD_TEMPERATURES as readonly string[]).includes(temperature)) {
		throw new LeadInputError(`Temperature must be hot, warm or cold, not "${temperature}"`);
	}
	const lastMessageAt = known(parameters.lastMessageAt);
	if (lastMessageAt !== undefined && Number.isNaN(Date.parse(lastMessageAt))) {
		throw new LeadInputError(`Last message time "${lastMessageAt}" is not an ISO 8601 date`);
	}
	const followUpStatus = known(parameters.followUpStatus);
	if (followUpStatus !== undefined && !(FOLLOW_UP_NOT_SENT_STATUSES as readonly string[]).includes(followUpStatus)) {
		throw new LeadInputError(
			`Follow-up status must be one of ${FOLLOW_UP_NOT_SENT_STATUSES.join(', ')}, not "${followUpStatus}" (a follow-up sent is recorded with Contacted)`,
		);
	}
	if (followUpStatus !== undefined && parameters.contacted === true) {
		throw new LeadInputError('A follow-up is either sent (Contacted) or not sent (Follow-Up Status), not both');
	}

	const request: UpsertLeadRequest = { provider: provider as Provider, contact: { externalId } };
	const name = known(parameters.contactName);
	if (name) request.contact.name = name;
	const handle = known(parameters.contactHandle);
	if (handle) request.contact.handle = handle;
	const phone = known(parameters.phone);
	if (phone && E164.test(phone)) request.contact.phone = phone;

	const accountId = known(parameters.accountId);
	if (accountId) request.accountId = accountId;
	const agentId = known(parameters.agentId);
	if (agentId) request.agentId = agentId;
	const accountExternalId = known(parameters.accountExternalId);
	if (accountExternalId) request.accountExternalId = accountExternalId;
	const conversationId = known(parameters.conversationId);
	if (conversationId) request.conversationId = conversationId;
	if (temperature) request.temperature = temperature as LeadTemperature;
	const summary = known(parameters.summary);
	if (summary) request.summary = summary;
	if (lastMessageAt) request.lastMessageAt = new Date(lastMessageAt).toISOString();
	const lastMessageText = known(parameters.lastMessageText);
	if (lastMessageText) request.lastMessageText = lastMessageText;
	if (parameters.contacted === true) request.contacted = true;
	if (followUpStatus) {
		request.followUp = { status: followUpStatus as FollowUpNotSentStatus };
		const reason = known(parameters.followUpReason);
		if (reason) request.followUp.reason = reason;
	}
	return request;
}

/** Whether the hub refused a request's content (422 validation_failed), as it refuses a phone that is no valid number. */
export function isRefusedAsInvalid(error: unknown): boolean {
	const { httpStatus, code } = toItemError(error);
	return httpStatus === 422 && code === 'validation_failed';
}

export interface ListLeadsFilters {
	accountId?: string;
	temperatures?: string[];
	provider?: string;
	agentId?: string;
	idleDays?: number;
	/** Leads idle since before this instant (finer than idleDays, e.g. 20 hours ago): a date string, or n8n's DateTime. */
	lastContactBefore?: unknown;
	followUpCountBelow?: number;
	followUpStatuses?: string[];
	/** `due` / `window_closed` with a sequence: what that sequence must act on now (the hub decides). */
	followUp?: string;
	/** The sequence's hours of silence, as typed: "1, 20". */
	followUpAfterHours?: unknown;
	windowHours?: number;
	limit: number;
	cursor?: string;
}

/** The query string of GET /api/leads; filters left at their "any" value are not sent. */
export function buildListLeadsQuery(filters: ListLeadsFilters): string {
	const query = new URLSearchParams();
	if (filters.accountId) query.set('accountId', filters.accountId);
	if (filters.temperatures?.length) query.set('temperature', filters.temperatures.join(','));
	if (filters.provider) query.set('provider', filters.provider);
	if (filters.agentId) query.set('agentId', filters.agentId);
	if (filters.idleDays) query.set('idleDays', String(filters.idleDays));
	if (filters.lastContactBefore) query.set('lastContactBefore', toIsoInstant(filters.lastContactBefore));
	if (filters.followUpCountBelow) query.set('followUpCountBelow', String(filters.followUpCountBelow));
	if (filters.followUpStatuses?.length) {
		const unknown = filters.followUpStatuses.filter((status) => !(FOLLOW_UP_STATUSES as readonly string[]).includes(status));
		if (unknown.length) throw new LeadInputError(`Unknown follow-up status: ${unknown.join(', ')}`);
		query.set('followUpStatus', filters.followUpStatuses.join(','));
	}
	if (filters.followUp) {
		if (!(FOLLOW_UP_SELECTIONS as readonly string[]).includes(filters.followUp)) {
			throw new LeadInputError(`"Follow-Up" must be one of ${FOLLOW_UP_SELECTIONS.join(', ')}, not "${filters.followUp}"`);
		}
		// The hub checks the hours (numbers, each inside the window) and answers every problem at once.
		const steps = String(filters.followUpAfterHours ?? '').replace(/\s+/g, '');
		if (!steps) throw new LeadInputError('"Follow-Up" needs the sequence: "Follow-Up After (Hours of Silence)", e.g. 1, 20');
		query.set('followUp', filters.followUp);
		query.set('followUpAfterHours', steps);
		if (filters.windowHours) query.set('windowHours', String(filters.windowHours));
	}
	query.set('limit', String(filters.limit));
	if (filters.cursor) query.set('cursor', filters.cursor);
	return query.toString();
}

/** A date string, a timestamp or a Luxon DateTime (what `$now.minus(...)` gives, via valueOf) → ISO 8601. */
function toIsoInstant(value: unknown): string {
	const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : new Date(Number(value));
	if (Number.isNaN(date.getTime())) throw new LeadInputError(`"Idle Since Before" is not a date: ${String(value)}`);
	return date.toISOString();
}

/**
 * One List Leads output item. Besides `lead`, it carries the fields of a pipeline item for that contact — kind,
 * provider, accountExternalId, conversationId, contact, route — so the steps after it (SkyBot AI Follow Up, the Meta send,
 * SkyBot Decision's window, Upsert Lead with Contacted) work on it with their default expressions, exactly as on an inbound message.
 */
export function leadItem(lead: LeadResponse) {
	return {
		// What a follow-up is: a direct message to the contact (SkyBot Decision answers only DMs and comments).
		kind: 'dm' as const,
		provider: lead.provider,
		accountExternalId: lead.accountExternalId,
		conversationId: lead.conversationId,
		// SkyBot Decision reads the 24-hour messaging window from the contact's last message time.
		timestamp: lead.lastMessageAt,
		contact: { ...lead.contact },
		route: { accountId: lead.accountId, agentId: lead.agentId },
		lead: { ...lead, contact: { ...lead.contact } },
	};
}
