import { isAnswerable } from '../../contracts/inbound-message';

/**
 * The send / skip rules of the inbound pipeline, applied in this order (the first that matches wins):
 *   1. not_answerable            only what the customer wrote or tapped gets a reply (isAnswerable: DMs, comments,
 *                                postbacks; no echoes, no receipts)
 *   2. duplicate                 the hub already saw this messageId (Meta redelivers on timeouts)
 *   3. outside_messaging_window  Meta only allows free-form replies within 24 h of the customer's message
 *   4. anti_flood                this conversation was answered less than `floodWindowMinutes` ago
 *   5. empty_reply               nothing to send
 * Pure: `now` is passed in so the boundaries are testable.
 */
export const SKIP_REASONS = [
	'not_answerable',
	'duplicate',
	'outside_messaging_window',
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
}

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

	const ageMs = now.getTime() - parseTime(input.messageTimestamp, 'Message Timestamp');
	if (ageMs > input.messagingWindowHours * 3_600_000) {
		return { action: 'skip', reason: 'outside_messaging_window' };
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
