import { EventEmitter } from 'node:events';
import type { ConversationHandler, ExecutionStatus, HandlerChangeReason } from '../../contracts/hub-api';
import type { Provider } from '../../contracts/inbound-message';
import type { SocialAccountStatus, SocialProvider } from '../../contracts/social-accounts';

/** Sent as socket.io `agent:execution` to the account's room each time a report is recorded (not for duplicates). */
export interface AgentExecutionEvent {
	id: string;
	accountId: string;
	agentId: string;
	executionId: string;
	status: ExecutionStatus;
	startedAt: string;
	latencyMs: number | null;
	promptTokens: number;
	completionTokens: number;
	costUsd: number;
	conversationId: string | null;
	contactId: string | null;
	reason: string | null;
}

/** Sent as socket.io `agent:status` when an agent's status changes (deploy, toggle, error). */
export interface AgentStatusEvent {
	accountId: string;
	agentId: string;
	status: string;
	at: string;
}

/**
 * Sent as socket.io `conversation:handler` each time a conversation's handler changes: a handover, a release, or the
 * idle release. `version` counts the changes of that conversation: a client keeps the highest it heard.
 */
export interface ConversationHandlerEvent {
	accountId: string;
	/** The hub's id of the conversation (GET /api/conversations/:id/messages). */
	id: string;
	provider: Provider;
	/** The provider's id of the conversation. */
	conversationId: string;
	handler: ConversationHandler;
	version: number;
	reason: HandlerChangeReason;
	/** Who changed it: a person, an API key, or neither (the hub, on an idle release). */
	changedBy: { userId: string | null; apiKeyId: string | null };
	at: string;
}

/** Sent as socket.io `social-account:status` when a connection stops working (a refresh refused: reconnect it). */
export interface SocialAccountStatusEvent {
	accountId: string;
	/** The hub's id of the social account (DELETE /api/social-accounts/:id). */
	id: string;
	provider: SocialProvider;
	externalId: string;
	status: SocialAccountStatus;
	at: string;
}

interface HubEventMap {
	'agent:execution': [AgentExecutionEvent];
	'agent:status': [AgentStatusEvent];
	'conversation:handler': [ConversationHandlerEvent];
	'social-account:status': [SocialAccountStatusEvent];
}

export type HubEventName = keyof HubEventMap;

/**
 * What happened in this hub process that live clients should hear about. Modules publish here; the socket.io
 * layer (live-events.ts) forwards each event to the room of its account. Publishing never fails the request
 * that triggered it: listeners run synchronously and their errors are the listener's to handle.
 */
export class HubEvents {
	private readonly emitter = new EventEmitter();

	publish<Name extends HubEventName>(name: Name, ...payload: HubEventMap[Name]): void {
		this.emitter.emit(name, ...payload);
	}

	/** Returns the unsubscribe function. */
	subscribe<Name extends HubEventName>(name: Name, listener: (...payload: HubEventMap[Name]) => void): () => void {
		this.emitter.on(name, listener as (...args: unknown[]) => void);
		return () => this.emitter.off(name, listener as (...args: unknown[]) => void);
	}
}
