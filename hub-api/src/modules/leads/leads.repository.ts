import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import type { FollowUpSelection, FollowUpStatus, LeadTemperature } from '../../../../contracts/hub-api';
import type { Provider } from '../../../../contracts/inbound-message';
import type { KeysetPosition } from '../../cursor-page';
import { withConstraint } from '../../pg-errors';
import { notFound } from '../../errors';
import { type Lead, LeadEntity } from './lead.entity';

/** What one upsert knows about a lead: null means "not known here", never "erase". */
export type LeadFacts = Pick<
	Lead,
	| 'accountId'
	| 'agentId'
	| 'provider'
	| 'contactExternalId'
	| 'accountExternalId'
	| 'name'
	| 'handle'
	| 'phone'
	| 'temperature'
	| 'summary'
	| 'conversationId'
	| 'lastMessageText'
	| 'lastMessageAt'
	| 'followUpStatus'
	| 'followUpReason'
> & {
	/** Set when this call records a follow-up we sent (its status is then `sent`). */
	contactedAt: Date | null;
};

/** Column order of the INSERT below; the facts' fields in the same order become its parameters. */
const COLUMNS: [keyof LeadFacts, string][] = [
	['accountId', 'account_id'],
	['agentId', 'agent_id'],
	['provider', 'provider'],
	['contactExternalId', 'contact_external_id'],
	['accountExternalId', 'account_external_id'],
	['name', 'name'],
	['handle', 'handle'],
	['phone', 'phone'],
	['temperature', 'temperature'],
	['summary', 'summary'],
	['conversationId', 'conversation_id'],
	['lastMessageText', 'last_message_text'],
	['lastMessageAt', 'last_message_at'],
	['contactedAt', 'last_contacted_at'],
	['followUpStatus', 'follow_up_status'],
	['followUpReason', 'follow_up_reason'],
];
const parameter = (field: keyof LeadFacts) => `$${COLUMNS.findIndex(([name]) => name === field) + 1}`;
const NOW = `$${COLUMNS.length + 1}`;

/** A known value is replaced only by a newer one: COALESCE keeps it when this call does not know the field. */
const FILL_IN = ['agent_id', 'account_external_id', 'name', 'handle', 'phone', 'conversation_id'];
/**
 * Facts about the conversation's state: executions of a contact's messages can finish in any order, so a value
 * from an older message never replaces the one from a newer message.
 */
const FROM_LATEST_MESSAGE = ['temperature', 'summary', 'last_message_text'];
const notOlderMessage =
	'(EXCLUDED.last_message_at IS NULL OR leads.last_message_at IS NULL OR EXCLUDED.last_message_at >= leads.last_message_at)';
/**
 * The follow-up state describes the sequence since the lead's last message: a follow-up sent now always sets it; one
 * not sent sets it unless it was about an older message than the lead's (the lead wrote again meanwhile); and a newer
 * message from the lead clears it, since it opens a new window and the sequence starts again.
 */
const followUpRecorded = `(EXCLUDED.last_contacted_at IS NOT NULL OR (EXCLUDED.follow_up_status IS NOT NULL AND ${notOlderMessage}))`;
const newerMessage =
	'(EXCLUDED.last_message_at IS NOT NULL AND (leads.last_message_at IS NULL OR EXCLUDED.last_message_at > leads.last_message_at))';
const FOLLOW_UP_STATE = ['follow_up_status', 'follow_up_reason', 'follow_up_at'];

/**
 * One statement, under the unique key's row lock, inserts the lead or merges these facts into it, so concurrent
 * upserts of one contact never produce two rows, lose a fact or a follow-up count. `xmax = 0` holds only for a
 * freshly inserted row version, which tells an insert from an ON CONFLICT update.
 */
const UPSERT_SQL = `
	INSERT INTO leads (${COLUMNS.map(([, column]) => column).join(', ')},
		first_seen_at, follow_up_count, follow_up_at, created_at, updated_at)
	VALUES (${COLUMNS.map(([field]) => parameter(field)).join(', ')},
		LEAST(${NOW}::timestamptz, ${parameter('lastMessageAt')}::timestamptz),
		CASE WHEN ${parameter('contactedAt')}::timestamptz IS NULL THEN 0 ELSE 1 END,
		CASE WHEN ${parameter('followUpStatus')}::text IS NULL THEN NULL ELSE ${NOW}::timestamptz END, ${NOW}, ${NOW})
	ON CONFLICT ON CONSTRAINT leads_account_provider_contact_key DO UPDATE SET
		${FILL_IN.map((column) => `${column} = COALESCE(EXCLUDED.${column}, leads.${column})`).join(',\n\t\t')},
		${FROM_LATEST_MESSAGE.map(
			(column) =>
				`${column} = CASE WHEN EXCLUDED.${column} IS NOT NULL AND ${notOlderMessage} ` +
				`THEN EXCLUDED.${column} ELSE leads.${column} END`,
		).join(',\n\t\t')},
		first_seen_at = LEAST(leads.first_seen_at, EXCLUDED.first_seen_at),
		last_message_at = GREATEST(leads.last_message_at, EXCLUDED.last_message_at),
		last_contacted_at = GREATEST(leads.last_contacted_at, EXCLUDED.last_contacted_at),
		follow_up_count = leads.follow_up_count + EXCLUDED.follow_up_count,
		${FOLLOW_UP_STATE.map(
			(column) =>
				`${column} = CASE WHEN ${followUpRecorded} THEN EXCLUDED.${column} ` +
				`WHEN ${newerMessage} THEN NULL ELSE leads.${column} END`,
		).join(',\n\t\t')},
		updated_at = EXCLUDED.updated_at
	RETURNING id, (xmax = 0) AS inserted`;

export interface LeadFilter {
	accountId: string;
	temperatures?: LeadTemperature[];
	provider?: Provider;
	agentId?: string;
	/** Last activity strictly before this instant. */
	idleSince?: Date;
	followUpCountBelow?: number;
	followUpStatuses?: FollowUpStatus[];
	/** Only the leads a follow-up sequence must act on now (see FollowUpSequenceFilter). */
	followUpSequence?: FollowUpSequenceFilter;
	/** Rows strictly after this (last_activity_at, id) pair in newest-first order. */
	after?: KeysetPosition;
	limit: number;
}

/**
 * A follow-up sequence: one follow-up `stepsSeconds[i]` after the lead's last message (ascending, each shorter than
 * the window), and only while the provider's messaging window (`windowSeconds` after that message) is open.
 * `due`: the window is open, at least one step is reached, and no follow-up went out since the latest step reached
 * (several steps reached at once, after an outage, owe one follow-up, not a burst). `window_closed`: the window
 * closed before the last step was sent, and the lead is not recorded `window_closed` yet.
 */
export interface FollowUpSequenceFilter {
	selection: FollowUpSelection;
	stepsSeconds: number[];
	windowSeconds: number;
	now: Date;
}

export class LeadsRepository {
	private readonly leads: Repository<Lead>;

	constructor(private readonly dataSource: DataSource) {
		this.leads = dataSource.getRepository(LeadEntity);
	}

	/** The contact's lead temperature: undefined without a lead, null for a lead not classified yet. */
	async temperatureOf(accountId: string, provider: Provider, contactExternalId: string): Promise<Lead['temperature'] | undefined> {
		const row = await this.leads.findOne({
			select: { temperature: true },
			where: { accountId, provider, contactExternalId },
		});
		return row ? row.temperature : undefined;
	}

	async upsert(facts: LeadFacts, now: Date): Promise<{ row: Lead; inserted: boolean }> {
		const written: { id: string; inserted: boolean }[] = await withConstraint(
			'leads_agent_fkey',
			() => notFound('agent'),
			() => this.dataSource.query(UPSERT_SQL, [...COLUMNS.map(([field]) => facts[field]), now]),
		);
		const [{ id, inserted }] = written;
		return { row: await this.leads.findOneByOrFail({ id }), inserted };
	}

	findOne(accountId: string, id: string): Promise<Lead | null> {
		return this.leads.findOneBy({ accountId, id });
	}

	/** Newest activity first, ties broken by id so pages never overlap or skip. */
	list(filter: LeadFilter): Promise<Lead[]> {
		const query = this.leads
			.createQueryBuilder('lead')
			.where('lead.accountId = :accountId', { accountId: filter.accountId })
			.orderBy('lead.lastActivityAt', 'DESC')
			.addOrderBy('lead.id', 'DESC')
			.limit(filter.limit);
		if (filter.temperatures) query.andWhere('lead.temperature IN (:...temperatures)', { temperatures: filter.temperatures });
		if (filter.provider) query.andWhere('lead.provider = :provider', { provider: filter.provider });
		if (filter.agentId) query.andWhere('lead.agentId = :agentId', { agentId: filter.agentId });
		if (filter.idleSince) query.andWhere('lead.lastActivityAt < :idleSince', { idleSince: filter.idleSince });
		if (filter.followUpCountBelow !== undefined) {
			query.andWhere('lead.followUpCount < :followUpCountBelow', { followUpCountBelow: filter.followUpCountBelow });
		}
		if (filter.followUpStatuses) {
			query.andWhere('lead.followUpStatus IN (:...followUpStatuses)', { followUpStatuses: filter.followUpStatuses });
		}
		if (filter.followUpSequence) whereFollowUpSequence(query, filter.followUpSequence);
		if (filter.after) {
			query.andWhere('(lead.lastActivityAt, lead.id) < (:afterActivity, :afterId)', {
				afterActivity: filter.after.at,
				afterId: filter.after.id,
			});
		}
		return query.getMany();
	}
}

function whereFollowUpSequence(query: SelectQueryBuilder<Lead>, sequence: FollowUpSequenceFilter): void {
	const { now, stepsSeconds, windowSeconds } = sequence;
	const windowStart = new Date(now.getTime() - windowSeconds * 1000);
	query
		.andWhere('lead.lastMessageAt IS NOT NULL')
		.andWhere(`lead.followUpStatus IS DISTINCT FROM 'window_closed'`);
	if (sequence.selection === 'window_closed') {
		query
			.andWhere('lead.lastMessageAt <= :followUpWindowStart', { followUpWindowStart: windowStart })
			.andWhere(
				'(lead.lastContactedAt IS NULL OR lead.lastContactedAt < lead.lastMessageAt + make_interval(secs => :followUpLastStep))',
				{ followUpLastStep: Math.max(...stepsSeconds) },
			);
		return;
	}
	// The latest step reached is the largest one no longer than the silence so far.
	const latestStepReached = `(SELECT max(step) FROM unnest(CAST(:followUpSteps AS double precision[])) AS step
		WHERE lead.lastMessageAt + make_interval(secs => step) <= :followUpNow)`;
	query
		.andWhere('lead.lastMessageAt > :followUpWindowStart', { followUpWindowStart: windowStart })
		.andWhere('lead.lastMessageAt <= :followUpFirstStepBefore', {
			followUpFirstStepBefore: new Date(now.getTime() - Math.min(...stepsSeconds) * 1000),
		})
		.andWhere(
			`(lead.lastContactedAt IS NULL OR lead.lastContactedAt < lead.lastMessageAt + make_interval(secs => ${latestStepReached}))`,
			{ followUpSteps: stepsSeconds, followUpNow: now },
		);
}
