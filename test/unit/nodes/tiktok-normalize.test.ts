import type { IWebhookFunctions } from 'n8n-workflow';

import { parseJsonKeepingBigIntegers } from '../../../nodes/shared/json';
import { SkyBotTikTokTrigger } from '../../../nodes/SkyBotTikTokTrigger/SkyBotTikTokTrigger.node';
import { normalizeTikTokDelivery } from '../../../nodes/SkyBotTikTokTrigger/normalize';
import {
	FAKE_TIKTOK_APP_SECRET,
	FAKE_TIKTOK_CLIENT_KEY,
	signTikTok,
	tiktokComment,
	tiktokDirectMessage,
} from '../../fakes/tiktok-webhook';

const BUSINESS = '-000OpenIdOfTheBusiness';
const USER = '-000OpenIdOfTheUser';
// Both above 2^53: JSON.parse would round them, and a rounded id addresses another video or comment.
const VIDEO = '7312345678901234567';
const COMMENT = '7398765432109876543';
const AT = new Date('2026-12-04T10:00:00.123Z');

describe('parseJsonKeepingBigIntegers', () => {
	it('keeps integers beyond 2^53 as their exact digits, and leaves everything else to JSON.parse', () => {
		expect(String((JSON.parse('{"id":7312345678901234567}') as { id: number }).id)).not.toBe('7312345678901234567');
		expect(parseJsonKeepingBigIntegers('{"id":7312345678901234567,"n":-9007199254740993,"safe":9007199254740991}')).toEqual({
			id: '7312345678901234567',
			n: '-9007199254740993',
			safe: 9007199254740991,
		});
		expect(parseJsonKeepingBigIntegers('[1.5e300, 0.1, -2, 12345678901234567890.5]')).toEqual([1.5e300, 0.1, -2, 12345678901234567890.5]);
	});

	it('never touches digits inside strings, escaped quotes included', () => {
		const text = '{"a":"7312345678901234567","b":"say \\"12345678901234567890\\" twice","c":[7312345678901234567]}';
		expect(parseJsonKeepingBigIntegers(text)).toEqual({ a: '7312345678901234567', b: 'say "12345678901234567890" twice', c: ['7312345678901234567'] });
	});

	it('throws on malformed JSON like JSON.parse', () => {
		expect(() => parseJsonKeepingBigIntegers('{"id":7312345678901234567')).toThrow(SyntaxError);
		expect(() => parseJsonKeepingBigIntegers('not json')).toThrow(SyntaxError);
	});
});

describe('normalizeTikTokDelivery: comments', () => {
	it('turns a new top-level comment into a comment message, ids kept exact', () => {
		const delivery = tiktokComment({ businessId: BUSINESS, commenterId: USER, videoId: VIDEO, commentId: COMMENT, text: 'Prix ?', at: AT });
		expect(delivery.content).toContain(`"comment_id":${COMMENT}`);
		expect(normalizeTikTokDelivery(JSON.parse(JSON.stringify(delivery)))).toEqual({
			clientKey: FAKE_TIKTOK_CLIENT_KEY,
			message: {
				provider: 'tiktok',
				kind: 'comment',
				messageId: COMMENT,
				accountExternalId: BUSINESS,
				conversationId: `tiktok:${BUSINESS}:${USER}`,
				contact: { externalId: USER },
				text: 'Prix ?',
				timestamp: '2026-12-04T10:00:00.123Z',
				comment: { postId: VIDEO },
			},
		});
	});

	it('keeps the parent of a reply in a thread', () => {
		const parent = '7311111111111111111';
		const { message } = normalizeTikTokDelivery(tiktokComment({ businessId: BUSINESS, videoId: VIDEO, parentCommentId: parent }));
		expect(message?.comment).toEqual({ postId: VIDEO, parentId: parent });
	});

	it('ignores deletions and visibility changes', () => {
		for (const action of ['delete', 'set_to_hidden', 'set_to_friends_only', 'set_to_public'] as const) {
			const result = normalizeTikTokDelivery(tiktokComment({ action }));
			expect(result.message).toBeUndefined();
			expect(result.ignored).toContain(action);
		}
	});

	it('marks the account’s own comment as an echo', () => {
		const own = normalizeTikTokDelivery(tiktokComment({ businessId: BUSINESS, commenterId: BUSINESS }));
		expect(own.message).toMatchObject({ kind: 'comment', isEcho: true });
	});

	it('ignores a comment missing its comment, video or commenter id', () => {
		const delivery = tiktokComment({ commentId: COMMENT, videoId: VIDEO });
		for (const field of ['comment_id', 'video_id', 'unique_identifier']) {
			const content = parseJsonKeepingBigIntegers(delivery.content) as Record<string, unknown>;
			delete content[field];
			expect(normalizeTikTokDelivery({ ...delivery, content: JSON.stringify(content) }).message).toBeUndefined();
		}
	});
});

describe('normalizeTikTokDelivery: direct messages', () => {
	it('turns im_receive_msg into a DM, with TikTok’s conversation id to reply into', () => {
		const delivery = tiktokDirectMessage({
			businessId: BUSINESS,
			userId: USER,
			conversationId: '0:1:7355555555555555555',
			messageId: '7366666666666666666',
			text: 'Vous êtes ouverts samedi ?',
			at: AT,
		});
		expect(delivery.content).toContain('"message_id":7366666666666666666');
		expect(normalizeTikTokDelivery(delivery)).toEqual({
			clientKey: FAKE_TIKTOK_CLIENT_KEY,
			message: {
				provider: 'tiktok',
				kind: 'dm',
				messageId: '7366666666666666666',
				accountExternalId: BUSINESS,
				conversationId: `tiktok:${BUSINESS}:${USER}`,
				contact: { externalId: USER },
				text: 'Vous êtes ouverts samedi ?',
				timestamp: '2026-12-04T10:00:00.123Z',
				providerConversationId: '0:1:7355555555555555555',
			},
		});
	});

	it('shares one conversation between a user’s comments and DMs', () => {
		const dm = normalizeTikTokDelivery(tiktokDirectMessage({ businessId: BUSINESS, userId: USER })).message;
		const comment = normalizeTikTokDelivery(tiktokComment({ businessId: BUSINESS, commenterId: USER })).message;
		expect(dm?.conversationId).toBe(comment?.conversationId);
	});

	it('marks the account’s own sends as echoes, whether announced as im_send_msg or as a message from the account', () => {
		const sent = normalizeTikTokDelivery(tiktokDirectMessage({ businessId: BUSINESS, userId: USER, echo: true })).message;
		expect(sent).toMatchObject({ kind: 'dm', isEcho: true, contact: { externalId: USER }, conversationId: `tiktok:${BUSINESS}:${USER}` });
		const delivery = tiktokDirectMessage({ businessId: BUSINESS, userId: USER, echo: true });
		const received = normalizeTikTokDelivery({ ...delivery, event: 'im_receive_msg' }).message;
		expect(received).toMatchObject({ isEcho: true, contact: { externalId: USER } });
	});

	it('keeps media as an attachment', () => {
		const { message } = normalizeTikTokDelivery(tiktokDirectMessage({ type: 'image', mediaUrl: 'https://cdn.example/a.jpg' }));
		expect(message).toMatchObject({ kind: 'dm', attachments: [{ type: 'image', url: 'https://cdn.example/a.jpg' }] });
		expect(message?.text).toBeUndefined();
	});

	it('ignores a DM without message id, or with neither text nor media', () => {
		const delivery = tiktokDirectMessage();
		const content = parseJsonKeepingBigIntegers(delivery.content) as Record<string, unknown>;
		expect(normalizeTikTokDelivery({ ...delivery, content: JSON.stringify({ ...content, message_id: undefined }) }).message).toBeUndefined();
		expect(normalizeTikTokDelivery({ ...delivery, content: JSON.stringify({ ...content, text: { body: '' } }) }).message).toBeUndefined();
	});
});

describe('normalizeTikTokDelivery: everything else', () => {
	it('ignores other events, a missing user_openid, content that is not JSON, and non-objects', () => {
		const delivery = tiktokComment();
		for (const payload of [
			{ ...delivery, event: 'authorization.removed' },
			{ ...delivery, event: 'video.publish.completed' },
			{ ...delivery, user_openid: undefined },
			{ ...delivery, content: '{"comment_id":' },
			{ ...delivery, content: '"just a string"' },
			null,
			[],
			'text',
		]) {
			const result = normalizeTikTokDelivery(payload);
			expect(result.message).toBeUndefined();
			expect(result.ignored).toEqual(expect.any(String));
		}
	});
});

// -----------------------------------------------------------------------------------------------------------------
// The trigger's webhook, driven with a minimal IWebhookFunctions: what reaches the workflow and what TikTok is told.
// -----------------------------------------------------------------------------------------------------------------

interface Answer {
	status?: number;
	body?: unknown;
}

async function deliver(
	rawBody: string,
	headers: Record<string, string | undefined>,
	options: { events?: string[]; clientKey?: string } = {},
): Promise<{ answer: Answer; emitted: unknown[] | undefined; warnings: string[] }> {
	const answer: Answer = {};
	const warnings: string[] = [];
	const res = {
		status(code: number) {
			answer.status = code;
			return res;
		},
		type: () => res,
		send(body: unknown) {
			answer.body = body;
			return res;
		},
	};
	const context = {
		getCredentials: async () => ({ appSecret: FAKE_TIKTOK_APP_SECRET, clientKey: options.clientKey ?? FAKE_TIKTOK_CLIENT_KEY }),
		getResponseObject: () => res,
		getRequestObject: () => ({ rawBody: Buffer.from(rawBody), headers }),
		getNodeParameter: (name: string, fallback: unknown) => (name === 'events' ? (options.events ?? fallback) : fallback),
		logger: { warn: (line: string) => warnings.push(line), debug: () => undefined },
		helpers: { returnJsonArray: (items: unknown[]) => items.map((json) => ({ json })) },
	} as unknown as IWebhookFunctions;
	const result = await new SkyBotTikTokTrigger().webhook.call(context);
	return { answer, emitted: result.workflowData?.[0], warnings };
}

describe('SkyBot TikTok Trigger webhook', () => {
	const raw = JSON.stringify(tiktokComment({ businessId: BUSINESS, commenterId: USER, commentId: COMMENT, videoId: VIDEO }));

	it('emits a signed new comment and answers 200', async () => {
		const { answer, emitted } = await deliver(raw, { 'tiktok-signature': signTikTok(raw) });
		expect(answer.status).toBe(200);
		expect(emitted).toEqual([{ json: expect.objectContaining({ provider: 'tiktok', messageId: COMMENT, comment: { postId: VIDEO } }) }]);
	});

	it('refuses a forged, a stale and a missing signature with 401, emitting nothing', async () => {
		const stale = signTikTok(raw, FAKE_TIKTOK_APP_SECRET, Math.floor(Date.now() / 1000) - 301);
		for (const signature of [signTikTok(raw, 'not-the-secret'), stale, undefined]) {
			const { answer, emitted, warnings } = await deliver(raw, { 'tiktok-signature': signature });
			expect(answer).toEqual({ status: 401, body: 'Invalid signature' });
			expect(emitted).toBeUndefined();
			expect(warnings).toHaveLength(1);
		}
	});

	it('refuses signed bytes that are not JSON with 400', async () => {
		const { answer, emitted } = await deliver('{"event":', { 'tiktok-signature': signTikTok('{"event":') });
		expect(answer.status).toBe(400);
		expect(emitted).toBeUndefined();
	});

	it('answers 200 but emits nothing for an echo (by default), another event, or another app’s client_key', async () => {
		const echo = JSON.stringify(tiktokDirectMessage({ businessId: BUSINESS, userId: USER, echo: true }));
		const removed = JSON.stringify({ ...tiktokComment(), event: 'authorization.removed' });
		for (const body of [echo, removed]) {
			const { answer, emitted } = await deliver(body, { 'tiktok-signature': signTikTok(body) });
			expect(answer.status).toBe(200);
			expect(emitted).toBeUndefined();
		}
		const other = await deliver(raw, { 'tiktok-signature': signTikTok(raw) }, { clientKey: '7399999999999999999' });
		expect(other.answer.status).toBe(200);
		expect(other.emitted).toBeUndefined();
		// Echoes are there for a workflow that asks for them.
		const withEchoes = await deliver(echo, { 'tiktok-signature': signTikTok(echo) }, { events: ['echo'] });
		expect(withEchoes.emitted).toEqual([{ json: expect.objectContaining({ isEcho: true }) }]);
	});
});
