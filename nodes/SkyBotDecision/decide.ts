import { isAnswerable } from '../../contracts/inbound-message';

/**
 * The send / skip rules of the inbound pipeline, applied in this order (the first that matches wins):
 *   1. not_answerable            only what the customer wrote or tapped gets a reply (isAnswerable: DMs, comments,
 *                                postbacks; no echoes, no receipts)
 *   2. duplicate                 the hub already saw this messageId (Meta redelivers on timeouts)
 *   3. outside_messaging_window  Meta only allows free-form replies within 24 h of the customer's message
 *                                (`messagingWindowHours`); a TikTok DM within 48 h (`tiktokWindowHours`)
 *   4. messaging_limit_reached   TikTok DMs only: the account already sent `tiktokMaxMessages` (10) messages since
 *                                the user's last one
 *   5. anti_flood                this conversation was answered less than `floodWindowMinutes` ago
 *   6. empty_reply               nothing to send
 * Pure: `now` is passed in so the boundaries are testable.
 *
 * TikTok's messaging window (API for Business, Business Messaging): a business may only message a user who wrote to
 * it first, within 48 hours of the user's last message, and at most 10 messages in that window; every new message of
 * the user opens a new window. "The user wrote first" holds by construction here: a TikTok DM item that is
 * answerable is the user's own message (the account's echoes stop at rule 1), and its timestamp is the user's last
 * message. The count of messages the account sent since then is not in the InboundMessage: the caller passes it
 * (`messagesSinceCustomerMessage`, e.g. from the hub); without it the cap cannot be checked and only the window is.
 */
export const SKIP_REASONS = [
	'not_answerable',
	'duplicate',
	'outside_messaging_window',
	'messaging_limit_reached',
	'anti_flood',
	'empty_reply',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type Decision = { action: 'send' } | { action: 'skip'; reason: SkipReason };

export interface DecisionInput {
	kind: unknown;
	isEcho: unknown;
	duplicate: boolean;
	/** ISO 8601 or empty: when the previous message of this conversation was let through. */
	previousAllowedAt: string | null | undefined;
	/** ISO 8601: when the customer sent the message. */
	messageTimestamp: string;
	replyText: string | null | undefined;
	floodWindowMinutes: number;
	messagingWindowHours: number;
	/** InboundMessage.provider: selects the provider's own messaging rules (TikTok DMs). */
	provider?: unknown;
	/** TikTok DMs: the window after the user's last message, in hours (default TikTok's 48). */
	tiktokWindowHours?: number;
	/** TikTok DMs: at most this many messages of the account per window (default TikTok's 10). */
	tiktokMaxMessages?: number;
	/**
	 * Messages the account already sent in this conversation since the customer's last message (this reply not
	 * counted); null / undefined when the caller does not know it.
	 */
	messagesSinceCustomerMessage?: number | null;
}

export const TIKTOK_DM_WINDOW_HOURS = 48;
export const TIKTOK_DM_MAX_MESSAGES = 10;

export class DecisionInputError extends Error {}

function parseTime(value: string, field: string): number {
	const time = Date.parse(value);
	if (Number.isNaN(time)) {
		throw new DecisionInputError(`${field} is not a valid date: "${value}"`);
	}
	return time;
}

export function decide(input: DecisionInput, now: Date): Decision {
	if (!isAnswerable(input)) {
		return { action: 'skip', reason: 'not_answerable' };
	}
	if (input.duplicate) return { action: 'skip', reason: 'duplicate' };

	const tiktokDm = input.provider === 'tiktok' && input.kind === 'dm';
	const windowHours = tiktokDm ? (input.tiktokWindowHours ?? TIKTOK_DM_WINDOW_HOURS) : input.messagingWindowHours;
	const ageMs = now.getTime() - parseTime(input.messageTimestamp, 'Message Timestamp');
	if (ageMs > windowHours * 3_600_000) {
		return { action: 'skip', reason: 'outside_messaging_window' };
	}
	if (tiktokDm && typeof input.messagesSinceCustomerMessage === 'number') {
		if (!Number.isInteger(input.messagesSinceCustomerMessage) || input.messagesSinceCustomerMessage < 0) {
			throw new DecisionInputError(
				`Messages Since Customer Message must be a whole number ≥ 0, got ${input.messagesSinceCustomerMessage}`,
			);
		}
		if (input.messagesSinceCustomerMessage >= (input.tiktokMaxMessages ?? TIKTOK_DM_MAX_MESSAGES)) {
			return { action: 'skip', reason: 'messaging_limit_reached' };
		}
	}

	if (input.previousAllowedAt) {
		const sincePreviousMs = now.getTime() - parseTime(input.previousAllowedAt, 'Previous Allowed At');
		if (sincePreviousMs < input.floodWindowMinutes * 60_000) {
			return { action: 'skip', reason: 'anti_flood' };
		}
	}

	if (typeof input.replyText !== 'string' || input.replyText.trim() === '') {
		return { action: 'skip', reason: 'empty_reply' };
	}
	return { action: 'send' };
}
