import type { TikTokReplyCommentRequest, TikTokSendMessageRequest } from '../../../contracts/social-accounts';
import { asString, isRecord, type JsonRecord } from '../../shared/json';
import { routedAccountIdOf } from '../../shared/inbound';

/**
 * The hub requests of the TikTok node, built from its fields or from the item's InboundMessage. Pure and free of n8n
 * imports: the operation turns a TikTokInputError into the item's NodeOperationError.
 */
export class TikTokInputError extends Error {}

/** TikTok's own limits (comments 150 characters, business messages 6000): refused here with a clear message. */
export const COMMENT_REPLY_MAX_CHARS = 150;
export const MESSAGE_MAX_CHARS = 6000;

export interface ReplyCommentFields {
	accountExternalId: unknown;
	videoId: unknown;
	commentId: unknown;
	text: unknown;
	accountId: unknown;
}

export interface SendMessageFields {
	accountExternalId: unknown;
	recipientId: unknown;
	providerConversationId: unknown;
	text: unknown;
	accountId: unknown;
}

/** A field as a trimmed string ('' when absent); numbers are refused, as an id above 2^53 has already lost digits. */
function stringField(value: unknown, label: string): string {
	if (typeof value === 'number') {
		throw new TikTokInputError(`${label} must be a string: TikTok ids exceed 2^53 and lose digits as numbers (got ${value})`);
	}
	return asString(value)?.trim() ?? '';
}

function required(value: unknown, label: string): string {
	const text = stringField(value, label);
	if (text === '') throw new TikTokInputError(`${label} is empty`);
	return text;
}

function replyText(value: unknown, limit: number, what: string): string {
	const text = asString(value) ?? '';
	if (text.trim() === '') throw new TikTokInputError('There is no text to send');
	const length = [...text].length;
	if (length > limit) throw new TikTokInputError(`TikTok limits ${what} to ${limit} characters; this text has ${length}`);
	return text;
}

function withAccountId<T extends object>(request: T, accountId: unknown): T & { accountId?: string } {
	const id = asString(accountId)?.trim();
	return id ? { ...request, accountId: id } : request;
}

export function buildReplyCommentRequest(fields: ReplyCommentFields): TikTokReplyCommentRequest {
	return withAccountId(
		{
			accountExternalId: required(fields.accountExternalId, 'Business Account ID'),
			videoId: required(fields.videoId, 'Video ID'),
			commentId: required(fields.commentId, 'Comment ID'),
			text: replyText(fields.text, COMMENT_REPLY_MAX_CHARS, 'comment replies'),
		},
		fields.accountId,
	);
}

export function buildSendMessageRequest(fields: SendMessageFields): TikTokSendMessageRequest {
	const request: TikTokSendMessageRequest = {
		accountExternalId: required(fields.accountExternalId, 'Business Account ID'),
		recipientId: required(fields.recipientId, 'Recipient ID'),
		text: replyText(fields.text, MESSAGE_MAX_CHARS, 'messages'),
	};
	const conversation = stringField(fields.providerConversationId, 'Conversation ID');
	if (conversation) request.providerConversationId = conversation;
	return withAccountId(request, fields.accountId);
}

/** The item must be a TikTok message of this kind, written by the user (an echo is the account's own). */
function checkInbound(item: JsonRecord, kind: 'comment' | 'dm'): void {
	if (item.provider !== 'tiktok') {
		throw new TikTokInputError(`The item is a ${String(item.provider ?? 'non-SkyBot')} message, not a TikTok one`);
	}
	if (item.kind !== kind) {
		const other = kind === 'comment' ? 'Send Message' : 'Reply to Comment';
		throw new TikTokInputError(`The item is a TikTok ${String(item.kind)}, not a ${kind}: use ${other}`);
	}
	if (item.isEcho === true) throw new TikTokInputError('The item is the business account’s own message (an echo): there is nothing to answer');
}

const aiText = (item: JsonRecord) => (isRecord(item.ai) ? item.ai.text : undefined);

/** What the Define Below fields' defaults would read, read from the item in code (no expression to evaluate). */
export function replyCommentFieldsOf(item: JsonRecord): ReplyCommentFields {
	checkInbound(item, 'comment');
	return {
		accountExternalId: item.accountExternalId,
		videoId: isRecord(item.comment) ? item.comment.postId : undefined,
		commentId: item.messageId,
		text: aiText(item),
		accountId: routedAccountIdOf(item),
	};
}

export function sendMessageFieldsOf(item: JsonRecord): SendMessageFields {
	checkInbound(item, 'dm');
	return {
		accountExternalId: item.accountExternalId,
		recipientId: isRecord(item.contact) ? item.contact.externalId : undefined,
		providerConversationId: item.providerConversationId,
		text: aiText(item),
		accountId: routedAccountIdOf(item),
	};
}
