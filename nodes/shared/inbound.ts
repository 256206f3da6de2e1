import type { InboundMessage, Provider } from '../../contracts/inbound-message';
import { asNumber, asString, isRecord, type JsonRecord } from './json';

/**
 * What every provider trigger needs to build InboundMessages, whatever the provider: the conversation id, epoch
 * timestamps in either unit, and the "Events to Emit" filter.
 */

/** The value an "Events to Emit" option filters on: the message's kind, or `echo` for the account's own messages. */
export function eventOf(message: InboundMessage): InboundMessage['kind'] | 'echo' {
	return message.isEcho ? 'echo' : message.kind;
}

export function filterEvents(messages: InboundMessage[], events: readonly string[]): InboundMessage[] {
	const wanted = new Set(events);
	return messages.filter((message) => wanted.has(eventOf(message)));
}

/** Stable per (provider, account, contact): a contact's DMs and comments share one conversation. */
export function conversationIdOf(provider: Provider, accountExternalId: string, contactExternalId: string): string {
	return `${provider}:${accountExternalId}:${contactExternalId}`;
}

/**
 * Providers mix units: Messenger/Instagram `messaging[].timestamp` and TikTok's content `timestamp` are in
 * milliseconds, WhatsApp timestamps, Instagram `entry.time` and TikTok's `create_time` in seconds. No real event
 * predates 2001, when epoch milliseconds passed 10^12, so smaller values are seconds.
 */
export function epochToIso(value: unknown): string | undefined {
	const epoch = asNumber(value);
	if (epoch === undefined || epoch <= 0) return undefined;
	const date = new Date(epoch < 1e12 ? epoch * 1000 : epoch);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The tenant a pipeline item belongs to, as SkyBot Scenario › Decide put it (`route.accountId`): what a send step tells
 * the hub, so a platform API key acts for that account.
 */
export function routedAccountIdOf(item: JsonRecord): string | undefined {
	return isRecord(item.route) ? asString(item.route.accountId) : undefined;
}
