import type { ConversationHandler, ConversationHandlerResponse } from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import type { ConversationsConfig } from '../../config';
import { readCursorPage } from '../../cursor-page';
import { notFound } from '../../errors';
import type { HubEvents } from '../../hub-events';
import type { Interaction } from '../interactions/interaction.entity';
import type { Conversation } from './conversation.entity';
import {
	type ConversationKey,
	type ConversationsRepository,
	type ConversationSummary,
	type HandlerChanger,
	RECEIPT_KINDS,
} from './conversations.repository';
import type {
	ConversationMessage,
	ConversationPage,
	ConversationView,
	HandlerChangeAnswer,
	MessagePage,
} from './conversations.schemas';

export type { HandlerChanger };

const iso = (at: Date | null) => at?.toISOString() ?? null;

/**
 * Who answers each conversation: the AI, or a person who took it over. The handler is kept per (account, provider,
 * conversation); a row exists from the first logged message (or none yet: the AI's).
 *
 * The idle release is made so that it holds across hub replicas without a leader: every read and every change first
 * releases, in one idempotent statement, the handovers of its scope that have gone idle (the repository's
 * releaseIdle), and each hub also sweeps every account on a timer. Whoever releases a conversation first publishes
 * its live event; the others find nothing left to release.
 */
export class ConversationsService {
	private readonly idleMs: number;

	constructor(
		private readonly repository: ConversationsRepository,
		private readonly events: HubEvents,
		private readonly clock: Clock,
		config: Pick<ConversationsConfig, 'idleReleaseSeconds'>,
	) {
		this.idleMs = config.idleReleaseSeconds * 1000;
	}

	/**
	 * A message of the conversation was logged: the conversation exists from then on, and this is activity (a
	 * handover idle by now is released first, so a late message does not revive it). Receipts are no activity.
	 */
	async messageLogged(
		key: ConversationKey & { contactExternalId: string; kind: Interaction['kind'] },
		messageAt: Date,
	): Promise<void> {
		if (RECEIPT_KINDS.includes(key.kind)) return;
		const now = this.clock();
		await this.releaseIdle({ accountId: key.accountId, provider: key.provider, conversationId: key.conversationId }, now);
		await this.repository.touch(key, messageAt, now);
	}

	/** The pipeline's check before sending: one indexed read, unless the handover it finds has just gone idle. */
	async handlerOf(key: ConversationKey): Promise<ConversationHandlerResponse> {
		const now = this.clock();
		const found = await this.repository.handlerOf(key, new Date(now.getTime() - this.idleMs));
		if (!found) return { handler: 'ai', id: null };
		if (found.idle) await this.releaseIdle({ accountId: key.accountId, id: found.id }, now);
		return { handler: found.idle ? 'ai' : found.handler, id: found.id };
	}

	async list(
		accountId: string,
		query: { handler?: ConversationHandler; limit: number; cursor?: string },
	): Promise<ConversationPage> {
		await this.releaseIdle({ accountId }, this.clock());
		const { rows, nextCursor } = await readCursorPage(
			query,
			(after, limit) => this.repository.list({ accountId, handler: query.handler, after, limit }),
			({ conversation }) => ({ at: conversation.lastActivityAt, id: conversation.id }),
		);
		return { conversations: rows.map((row) => this.toView(row)), nextCursor };
	}

	async get(accountId: string, id: string): Promise<ConversationView> {
		await this.releaseIdle({ accountId, id }, this.clock());
		return this.toView(await this.find(accountId, id));
	}

	/** Oldest first: each message the contact sent, with the reply sent to it. */
	async messages(accountId: string, id: string, query: { limit: number; cursor?: string }): Promise<MessagePage> {
		const { conversation } = await this.find(accountId, id);
		const { rows, nextCursor } = await readCursorPage(
			query,
			(after, limit) =>
				this.repository.messages({
					accountId,
					provider: conversation.provider,
					conversationId: conversation.conversationId,
					after,
					limit,
				}),
			(row) => ({ at: row.messageTimestamp, id: row.id }),
		);
		return { messages: rows.map(toMessage), nextCursor };
	}

	/** A person (or an integration) takes the conversation over: the AI stops answering it. Idempotent. */
	handOver(accountId: string, id: string, by: HandlerChanger): Promise<HandlerChangeAnswer> {
		return this.changeHandler(accountId, id, 'human', by);
	}

	/**
	 * The pipeline hands the conversation to a person (a handover rule matched, or the model escalated): the change is
	 * nobody's (no user, no key). The conversation exists by then (its message was recorded first); none → nothing.
	 */
	async handOverFromPipeline(key: ConversationKey): Promise<void> {
		const { id } = await this.handlerOf(key);
		if (id) await this.changeHandler(key.accountId, id, 'human', { userId: null, apiKeyId: null });
	}

	/** The conversation goes back to the AI. Idempotent. */
	release(accountId: string, id: string, by: HandlerChanger): Promise<HandlerChangeAnswer> {
		return this.changeHandler(accountId, id, 'ai', by);
	}

	/** Every account's idle handovers back to the AI (each hub's timer); the number released. */
	async releaseAllIdle(): Promise<number> {
		return (await this.releaseIdle({}, this.clock())).length;
	}

	private async changeHandler(
		accountId: string,
		id: string,
		handler: ConversationHandler,
		by: HandlerChanger,
	): Promise<HandlerChangeAnswer> {
		const now = this.clock();
		// An idle handover is the AI's already: a release then changes nothing, a handover starts a new one.
		await this.releaseIdle({ accountId, id }, now);
		const changed = await this.repository.changeHandler(accountId, id, {
			handler,
			reason: handler === 'human' ? 'handover' : 'release',
			by,
			now,
		});
		if (changed) this.publish(changed);
		return { conversation: this.toView(await this.find(accountId, id)), changed: changed !== null };
	}

	/** Releases the idle handovers of `scope` and publishes each release; answers them. */
	private async releaseIdle(
		scope: Parameters<ConversationsRepository['releaseIdle']>[0],
		now: Date,
	): Promise<Conversation[]> {
		const released = await this.repository.releaseIdle(scope, { now, idleMs: this.idleMs });
		for (const conversation of released) this.publish(conversation);
		return released;
	}

	private async find(accountId: string, id: string): Promise<ConversationSummary> {
		const [found] = await this.repository.list({ accountId, id, limit: 1 });
		if (!found) throw notFound('conversation');
		return found;
	}

	private publish(conversation: Conversation): void {
		this.events.publish('conversation:handler', {
			accountId: conversation.accountId,
			id: conversation.id,
			provider: conversation.provider,
			conversationId: conversation.conversationId,
			handler: conversation.handler,
			version: conversation.handlerVersion,
			// Every changed row has a reason and a time (the table's check constraint).
			reason: conversation.handlerChangeReason!,
			changedBy: { userId: conversation.handlerChangedByUserId, apiKeyId: conversation.handlerChangedByApiKeyId },
			at: conversation.handlerChangedAt!.toISOString(),
		});
	}

	private toView({ conversation: row, lastMessage, lead }: ConversationSummary): ConversationView {
		const idleFrom = Math.max(row.lastMessageAt?.getTime() ?? 0, row.handlerChangedAt?.getTime() ?? 0);
		return {
			id: row.id,
			accountId: row.accountId,
			provider: row.provider,
			conversationId: row.conversationId,
			contact: { externalId: row.contactExternalId, name: lead?.name ?? lastMessage?.contactName ?? null },
			handler: row.handler,
			handlerVersion: row.handlerVersion,
			handlerChange:
				row.handlerChangedAt && row.handlerChangeReason
					? {
							at: row.handlerChangedAt.toISOString(),
							reason: row.handlerChangeReason,
							by: { userId: row.handlerChangedByUserId, apiKeyId: row.handlerChangedByApiKeyId },
						}
					: null,
			idleReleaseAt: row.handler === 'human' ? new Date(idleFrom + this.idleMs).toISOString() : null,
			lastMessage: lastMessage && {
				interactionId: lastMessage.id,
				kind: lastMessage.kind,
				status: lastMessage.status,
				text: lastMessage.inboundText,
				reply: sentReply(lastMessage),
				at: lastMessage.messageTimestamp.toISOString(),
			},
			lead: lead && { ...lead },
			lastMessageAt: iso(row.lastMessageAt),
			lastActivityAt: row.lastActivityAt.toISOString(),
			createdAt: row.createdAt.toISOString(),
			updatedAt: row.updatedAt.toISOString(),
		};
	}
}

/** The reply the contact received: a `failed` row keeps the AI's text too, but it was never sent. */
function sentReply(row: Pick<Interaction, 'status' | 'replyText' | 'updatedAt'>): { text: string; at: string } | null {
	// A replied row is written when the reply went out (a later repeat never rewrites it), so updatedAt dates it.
	return row.status === 'replied' && row.replyText !== null ? { text: row.replyText, at: row.updatedAt.toISOString() } : null;
}

function toMessage(row: Interaction): ConversationMessage {
	const reply = sentReply(row);
	return {
		id: row.id,
		messageId: row.messageId,
		kind: row.kind,
		text: row.inboundText,
		contactName: row.contactName,
		at: row.messageTimestamp.toISOString(),
		status: row.status,
		reason: row.reason,
		reply: reply && { ...reply, externalId: row.replyExternalId },
	};
}
