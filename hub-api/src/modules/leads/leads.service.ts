import type { LeadResponse, LeadTemperature, ListLeadsResponse, UpsertLeadRequest } from '../../../../contracts/hub-api';
import type { Provider } from '../../../../contracts/inbound-message';
import type { Clock } from '../../clock';
import { type KeysetPosition, readCursorPage } from '../../cursor-page';
import { notFound } from '../../errors';
import type { Lead } from './lead.entity';
import type { LeadFilter, LeadsRepository } from './leads.repository';
import type { ListLeadsQuery } from './leads.schemas';

const DAY_MS = 24 * 60 * 60 * 1000;
/** CSV exports read the table in pages of this size, so a large export never holds every row in memory. */
const EXPORT_BATCH_SIZE = 500;

export type LeadFilters = Pick<
	ListLeadsQuery,
	| 'temperature'
	| 'provider'
	| 'agentId'
	| 'lastContactBefore'
	| 'idleDays'
	| 'followUpCountBelow'
	| 'followUpStatus'
	| 'followUp'
	| 'followUpAfterHours'
	| 'windowHours'
>;

const HOUR_S = 60 * 60;

/** Leads are listed newest activity first. */
const positionOf = (row: Lead): KeysetPosition => ({ at: row.lastActivityAt, id: row.id });

export class LeadsService {
	constructor(private readonly repository: LeadsRepository, private readonly clock: Clock) {}

	/** What the pipeline's scenario matches on: the contact's lead temperature (null when no lead or not classified). */
	async temperatureOf(accountId: string, provider: Provider, contactExternalId: string): Promise<LeadTemperature | null> {
		return (await this.repository.temperatureOf(accountId, provider, contactExternalId)) ?? null;
	}

	async upsert(accountId: string, request: UpsertLeadRequest): Promise<{ lead: LeadResponse; created: boolean }> {
		const now = this.clock();
		const { contact } = request;
		const { row, inserted } = await this.repository.upsert(
			{
				accountId,
				agentId: request.agentId ?? null,
				provider: request.provider,
				contactExternalId: contact.externalId,
				accountExternalId: request.accountExternalId ?? null,
				name: blankToNull(contact.name),
				handle: blankToNull(contact.handle),
				phone: contact.phone ?? null,
				temperature: request.temperature ?? null,
				summary: blankToNull(request.summary),
				conversationId: request.conversationId ?? null,
				lastMessageText: blankToNull(request.lastMessageText),
				lastMessageAt: request.lastMessageAt ? new Date(request.lastMessageAt) : null,
				contactedAt: request.contacted ? now : null,
				followUpStatus: request.contacted ? 'sent' : (request.followUp?.status ?? null),
				followUpReason: request.contacted ? null : blankToNull(request.followUp?.reason),
			},
			now,
		);
		return { lead: this.toResponse(row, now), created: inserted };
	}

	async get(accountId: string, id: string): Promise<LeadResponse> {
		const row = await this.repository.findOne(accountId, id);
		if (!row) throw notFound('lead');
		return this.toResponse(row, this.clock());
	}

	async list(accountId: string, query: LeadFilters & { limit: number; cursor?: string }): Promise<ListLeadsResponse> {
		const now = this.clock();
		const filter = this.filterOf(accountId, query, now);
		const { rows, nextCursor } = await readCursorPage(
			query,
			(after, limit) => this.repository.list({ ...filter, after, limit }),
			positionOf,
		);
		return { leads: rows.map((row) => this.toResponse(row, now)), nextCursor };
	}

	/** Every matching lead, newest activity first, read page by page. */
	async *export(accountId: string, filters: LeadFilters): AsyncGenerator<LeadResponse> {
		const now = this.clock();
		const filter = this.filterOf(accountId, filters, now);
		let after: LeadFilter['after'];
		for (;;) {
			const rows = await this.repository.list({ ...filter, after, limit: EXPORT_BATCH_SIZE });
			for (const row of rows) yield this.toResponse(row, now);
			const last = rows.at(-1);
			if (rows.length < EXPORT_BATCH_SIZE || !last) return;
			after = positionOf(last);
		}
	}

	private filterOf(accountId: string, filters: LeadFilters, now: Date): Omit<LeadFilter, 'limit'> {
		// Both cut-offs may be given: a lead must be idle by both, i.e. before the earlier one.
		const cutoffs = [
			filters.lastContactBefore ? new Date(filters.lastContactBefore).getTime() : undefined,
			filters.idleDays !== undefined ? now.getTime() - filters.idleDays * DAY_MS : undefined,
		].filter((cutoff): cutoff is number => cutoff !== undefined);
		return {
			accountId,
			temperatures: filters.temperature,
			provider: filters.provider,
			agentId: filters.agentId,
			idleSince: cutoffs.length ? new Date(Math.min(...cutoffs)) : undefined,
			followUpCountBelow: filters.followUpCountBelow,
			followUpStatuses: filters.followUpStatus,
			followUpSequence:
				filters.followUp && filters.followUpAfterHours
					? {
							selection: filters.followUp,
							stepsSeconds: [...filters.followUpAfterHours].sort((a, b) => a - b).map((hours) => hours * HOUR_S),
							windowSeconds: filters.windowHours * HOUR_S,
							now,
						}
					: undefined,
		};
	}

	private toResponse(row: Lead, now: Date): LeadResponse {
		return {
			id: row.id,
			accountId: row.accountId,
			agentId: row.agentId,
			provider: row.provider,
			accountExternalId: row.accountExternalId,
			conversationId: row.conversationId,
			contact: { externalId: row.contactExternalId, name: row.name, handle: row.handle, phone: row.phone },
			temperature: row.temperature,
			summary: row.summary,
			lastMessageText: row.lastMessageText,
			firstSeenAt: row.firstSeenAt.toISOString(),
			lastMessageAt: row.lastMessageAt?.toISOString() ?? null,
			lastContactedAt: row.lastContactedAt?.toISOString() ?? null,
			lastActivityAt: row.lastActivityAt.toISOString(),
			idleDays: Math.max(0, Math.floor((now.getTime() - row.lastActivityAt.getTime()) / DAY_MS)),
			followUpCount: row.followUpCount,
			followUp:
				row.followUpStatus && row.followUpAt
					? { status: row.followUpStatus, reason: row.followUpReason, at: row.followUpAt.toISOString() }
					: null,
			createdAt: row.createdAt.toISOString(),
			updatedAt: row.updatedAt.toISOString(),
		};
	}
}

/** An empty name or summary is no more a fact than a missing one. */
function blankToNull(value: string | null | undefined): string | null {
	return value === undefined || value === null || value.trim() === '' ? null : value;
}
