import { buildInteractionRequest, InteractionInputError, pickInboundMessage } from '../../../nodes/SkyBot/helpers/interaction';
import { toItemError } from '../../../nodes/shared/item-error';

const inbound = {
	provider: 'instagram',
	kind: 'dm',
	messageId: 'aWdf',
	accountExternalId: '1784',
	conversationId: 'instagram:1784:5551',
	contact: { externalId: '5551', handle: 'lea.martin' },
	text: 'Salut !',
	timestamp: '2026-03-14T09:26:53.000Z',
};

const enriched = {
	...inbound,
	route: { provider: 'instagram', accountExternalId: '1784', accountId: 'acc-1', agentId: 'agt-1', plan: 'premium' },
	quota: { allowed: true, duplicate: false },
	ai: { text: 'Bonjour !', model: 'gpt-4o-mini', promptTokens: 120, completionTokens: 30, totalTokens: 150, costUsd: 0.000036 },
	decision: { action: 'send' },
	delivery: { provider: 'instagram', recipientId: '5551', messageId: 'm_sent' },
};

describe('pickInboundMessage', () => {
	it('keeps only the InboundMessage fields of an enriched item', () => {
		expect(pickInboundMessage(enriched)).toEqual(inbound);
	});

	it('keeps attachments and echoes', () => {
		const message = pickInboundMessage({ ...inbound, attachments: [{ type: 'image', url: 'https://x/a.jpg' }, { type: 'audio' }, 'x'], isEcho: true });
		expect(message.attachments).toEqual([{ type: 'image', url: 'https://x/a.jpg' }, { type: 'audio' }]);
		expect(message.isEcho).toBe(true);
	});

	it('keeps a postback payload and title, and where a comment was written', () => {
		const tap = pickInboundMessage({ ...enriched, kind: 'postback', postback: { payload: 'PRICES', title: 'Voir les tarifs', extra: 1 } });
		expect(tap.postback).toEqual({ payload: 'PRICES', title: 'Voir les tarifs' });
		const comment = pickInboundMessage({ ...enriched, kind: 'comment', comment: { postId: 'M1', parentId: 'C0', other: 'x' } });
		expect(comment.comment).toEqual({ postId: 'M1', parentId: 'C0' });
		const bare = pickInboundMessage({ ...inbound, postback: { payload: '' }, comment: { postId: 3 } });
		expect(bare.postback).toBeUndefined();
		expect(bare.comment).toEqual({ postId: '3' });
		expect(pickInboundMessage({ ...inbound, postback: 'PRICES', comment: {} })).toEqual(inbound);
	});

	it('names every missing field of an item that is not an inbound message', () => {
		expect(() => pickInboundMessage({ provider: 'fax', kind: 'dm', messageId: 'm' })).toThrow(InteractionInputError);
		expect(() => pickInboundMessage({ provider: 'fax', kind: 'dm', messageId: 'm' })).toThrow(
			'missing or invalid provider, accountExternalId, conversationId, timestamp, contact.externalId',
		);
	});
});

describe('buildInteractionRequest', () => {
	it('logs a sent reply with its usage, cost and the provider message id', () => {
		expect(buildInteractionRequest(enriched, { status: 'replied', accountId: 'acc-1', agentId: 'agt-1' })).toEqual({
			status: 'replied',
			accountId: 'acc-1',
			agentId: 'agt-1',
			message: inbound,
			reply: {
				text: 'Bonjour !',
				model: 'gpt-4o-mini',
				promptTokens: 120,
				completionTokens: 30,
				costUsd: 0.000036,
				externalId: 'm_sent',
			},
		});
	});

	it('logs a skip with its reason and no reply when the AI wrote nothing', () => {
		const skipped = { ...inbound, ai: { text: '', model: 'gpt-4o-mini', costUsd: 0 } };
		expect(buildInteractionRequest(skipped, { status: 'skipped', reason: 'empty_reply', agentId: null })).toEqual({
			status: 'skipped',
			reason: 'empty_reply',
			agentId: null,
			message: inbound,
		});
	});

	it('logs the error a failed step left on the item', () => {
		const failed = {
			...inbound,
			ai: { text: 'Bonjour !', model: 'gpt-4o-mini', costUsd: null },
			error: { message: 'Meta Graph API error 10: outside window', code: '10', httpStatus: 400, description: 'type OAuthException' },
		};
		const request = buildInteractionRequest(failed, { status: 'failed', reason: 'graph_api_error' });
		expect(request.error).toEqual({ message: 'Meta Graph API error 10: outside window', code: '10', httpStatus: 400 });
		expect(request.reply).toEqual({ text: 'Bonjour !', model: 'gpt-4o-mini' });
	});
});

describe('toItemError', () => {
	it('keeps message, description, HTTP status and the service code', () => {
		const nodeApiErrorLike = Object.assign(new Error('No SkyBot agent is connected to instagram account 1784'), {
			description: 'Route not found: SkyBot Hub error route_not_found (HTTP 404)',
			httpCode: '404',
			context: { skybotErrorCode: 'route_not_found', itemIndex: 0 },
		});
		expect(toItemError(nodeApiErrorLike)).toEqual({
			message: 'No SkyBot agent is connected to instagram account 1784',
			description: 'Route not found: SkyBot Hub error route_not_found (HTTP 404)',
			httpStatus: 404,
			code: 'route_not_found',
		});
	});

	it('reads network error codes from the cause and ignores junk status codes', () => {
		const error = Object.assign(new Error('The service refused the connection'), { httpCode: null, cause: { code: 'ECONNREFUSED' } });
		expect(toItemError(error)).toEqual({ message: 'The service refused the connection', code: 'ECONNREFUSED' });
		expect(toItemError(Object.assign(new Error('x'), { httpCode: 'abc' }))).toEqual({ message: 'x' });
	});

	it('handles thrown strings and empty errors', () => {
		expect(toItemError('boom')).toEqual({ message: 'boom' });
		expect(toItemError(new Error(''))).toEqual({ message: 'Unknown error' });
		expect(toItemError(undefined)).toEqual({ message: 'Unknown error' });
	});
});
