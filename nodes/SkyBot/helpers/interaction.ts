import type { InteractionStatus, LogInteractionRequest } from '../../../contracts/hub-api';
import { MESSAGE_KINDS, PROVIDERS, type InboundMessage } from '../../../contracts/inbound-message';
import { asNumber, asString, isRecord, type JsonRecord } from '../../shared/json';

export class InteractionInputError extends Error {}

/** Picks the InboundMessage fields out of an enriched pipeline item (which also holds route, quota, ai...). */
export function pickInboundMessage(item: JsonRecord): InboundMessage {
	const missing = ['messageId', 'accountExternalId', 'conversationId', 'timestamp'].filter(
		(field) => !asString(item[field]),
	);
	if (!(PROVIDERS as readonly unknown[]).includes(item.provider)) missing.unshift('provider');
	if (!(MESSAGE_KINDS as readonly unknown[]).includes(item.kind)) missing.unshift('kind');
	const contactId = isRecord(item.contact) ? asString(item.contact.externalId) : undefined;
	if (!contactId) missing.push('contact.externalId');
	if (missing.length) {
		throw new InteractionInputError(
			`The item is not a SkyBot inbound message: missing or invalid ${missing.join(', ')}`,
		);
	}

	const contact = item.contact as JsonRecord;
	const message: InboundMessage = {
		provider: item.provider as InboundMessage['provider'],
		kind: item.kind as InboundMessage['kind'],
		messageId: asString(item.messageId)!,
		accountExternalId: asString(item.accountExternalId)!,
		conversationId: asString(item.conversationId)!,
		contact: { externalId: contactId! },
		timestamp: asString(item.timestamp)!,
	};
	for (const field of ['name', 'handle', 'phone'] as const) {
		const value = asString(contact[field]);
		if (value) message.contact[field] = value;
	}
	const text = asString(item.text);
	if (text !== undefined) message.text = text;
	if (Array.isArray(item.attachments)) {
		message.attachments = item.attachments
			.filter(isRecord)
			.map((attachment) => {
				const url = asString(attachment.url);
				const type = asString(attachment.type) ?? 'unknown';
				return url ? { type, url } : { type };
			});
	}
	if (item.isEcho === true) message.isEcho = true;
	const payload = isRecord(item.postback) ? asString(item.postback.payload) : undefined;
	if (payload) {
		const title = asString((item.postback as JsonRecord).title);
		message.postback = title ? { payload, title } : { payload };
	}
	if (isRecord(item.comment)) {
		const comment: NonNullable<InboundMessage['comment']> = {};
		for (const field of ['postId', 'parentId'] as const) {
			const value = asString(item.comment[field]);
			if (value) comment[field] = value;
		}
		if (comment.postId || comment.parentId) message.comment = comment;
	}
	return message;
}

export interface InteractionParameters {
	status: InteractionStatus;
	reason?: string;
	accountId?: string;
	agentId?: string | null;
}

/**
 * Builds POST /api/interactions from the item: `message` from the InboundMessage fields, `reply` from the `ai`
 * step plus the `delivery` step's message id, `error` from an `error` left by a step that failed under
 * continue-on-fail.
 */
export function buildInteractionRequest(item: JsonRecord, parameters: InteractionParameters): LogInteractionRequest {
	const request: LogInteractionRequest = { status: parameters.status, message: pickInboundMessage(item) };
	if (parameters.reason) request.reason = parameters.reason;
	if (parameters.accountId) request.accountId = parameters.accountId;
	if (parameters.agentId !== undefined && parameters.agentId !== '') request.agentId = parameters.agentId;

	const ai = isRecord(item.ai) ? item.ai : undefined;
	const replyText = asString(ai?.text);
	if (ai && replyText) {
		const reply: NonNullable<LogInteractionRequest['reply']> = { text: replyText };
		const model = asString(ai.model);
		if (model) reply.model = model;
		const promptTokens = asNumber(ai.promptTokens);
		if (promptTokens !== undefined) reply.promptTokens = promptTokens;
		const completionTokens = asNumber(ai.completionTokens);
		if (completionTokens !== undefined) reply.completionTokens = completionTokens;
		const costUsd = asNumber(ai.costUsd);
		if (costUsd !== undefined) reply.costUsd = costUsd;
		const externalId = isRecord(item.delivery) ? asString(item.delivery.messageId) : undefined;
		if (externalId) reply.externalId = externalId;
		request.reply = reply;
	}

	if (isRecord(item.error)) {
		const error: NonNullable<LogInteractionRequest['error']> = {
			message: asString(item.error.message) ?? 'Unknown error',
		};
		const code = asString(item.error.code);
		if (code) error.code = code;
		const httpStatus = asNumber(item.error.httpStatus);
		if (httpStatus !== undefined) error.httpStatus = httpStatus;
		request.error = error;
	}
	return request;
}
