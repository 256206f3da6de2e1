import { createHmac } from 'node:crypto';

import {
	batch,
	facebookComment,
	instagramComment,
	instagramPostback,
	instagramStoryMention,
	instagramStoryReply,
	messengerMessage,
	messengerPostback,
	serializeLikeMeta,
	sign,
	signedDelivery,
	whatsappStatus,
	whatsappText,
} from '../../fakes/meta-webhook';

describe('Meta webhook payloads', () => {
	it('serialises like Meta: non-ASCII as \\uXXXX, emoji as a surrogate pair, slashes escaped, ASCII only', () => {
		const raw = serializeLikeMeta({ text: 'Café 😍', url: 'https://x.y/z' });
		expect(raw).toBe('{"text":"Caf\\u00e9 \\ud83d\\ude0d","url":"https:\\/\\/x.y\\/z"}');
		expect(/^[\x20-\x7e]*$/.test(raw)).toBe(true);
		expect(JSON.parse(raw)).toEqual({ text: 'Café 😍', url: 'https://x.y/z' });
	});

	it('signs the raw bytes with HMAC-SHA256 of the app secret', () => {
		const body = serializeLikeMeta(messengerMessage({ text: 'Déjà vu ✨' }));
		const expected = createHmac('sha256', 'app-secret').update(Buffer.from(body, 'utf8')).digest('hex');
		expect(sign(body, 'app-secret')).toBe(`sha256=${expected}`);
		expect(sign(Buffer.from(body), 'app-secret')).toBe(sign(body, 'app-secret'));
		// Re-serialising the parsed payload gives other bytes, hence another signature: receivers must verify the raw body.
		expect(sign(JSON.stringify(JSON.parse(body)), 'app-secret')).not.toBe(sign(body, 'app-secret'));
	});

	it('builds a signed delivery whose header matches its body', () => {
		const delivery = signedDelivery(whatsappText({ text: 'Bonjour 🙏' }), 's3cret');
		expect(delivery.headers['x-hub-signature-256']).toBe(sign(delivery.body, 's3cret'));
		expect(delivery.headers['content-type']).toBe('application/json');
	});

	it('builds the documented shapes with the given ids', () => {
		const dm = messengerMessage({ accountId: '111', senderId: '222', text: 'Salut', mid: 'm_1' });
		expect(dm).toMatchObject({
			object: 'page',
			entry: [{ id: '111', messaging: [{ sender: { id: '222' }, recipient: { id: '111' }, message: { mid: 'm_1', text: 'Salut' } }] }],
		});
		const echo = messengerMessage({ accountId: '111', senderId: '222', echo: true });
		expect(echo.entry[0]).toMatchObject({ messaging: [{ sender: { id: '111' }, recipient: { id: '222' }, message: { is_echo: true } }] });
		expect(instagramComment({ accountId: '9', commentId: '77' })).toMatchObject({
			object: 'instagram',
			entry: [{ id: '9', changes: [{ field: 'comments', value: { id: '77', from: { username: expect.any(String) } } }] }],
		});
		const wa = whatsappText({ phoneNumberId: '555', from: '33611111111', text: 'Bonjour', wamid: 'wamid.X' });
		expect(wa.entry[0]).toMatchObject({
			changes: [
				{
					field: 'messages',
					value: {
						messaging_product: 'whatsapp',
						metadata: { phone_number_id: '555' },
						contacts: [{ wa_id: '33611111111' }],
						messages: [{ from: '33611111111', id: 'wamid.X', type: 'text', text: { body: 'Bonjour' } }],
					},
				},
			],
		});
		expect(whatsappStatus({ status: 'read' }).entry[0]).toMatchObject({ changes: [{ value: { statuses: [{ status: 'read' }] } }] });
	});

	it('builds postbacks, Page feed comments and Instagram story replies and mentions as Meta documents them', () => {
		expect(messengerPostback({ accountId: '111', senderId: '222', mid: 'm_pb', payload: 'PRICES', title: 'Tarifs' })).toMatchObject({
			object: 'page',
			entry: [{ id: '111', messaging: [{ sender: { id: '222' }, recipient: { id: '111' }, postback: { mid: 'm_pb', payload: 'PRICES', title: 'Tarifs' } }] }],
		});
		const legacy = instagramPostback({ mid: null });
		expect(legacy.object).toBe('instagram');
		expect((legacy.entry[0].messaging as { postback: object }[])[0].postback).not.toHaveProperty('mid');

		const at = new Date('2026-03-14T09:26:53.000Z');
		expect(facebookComment({ pageId: '111', postId: '111_4', commentId: '4_5', fromId: '7', verb: 'edited', at })).toEqual({
			object: 'page',
			entry: [
				{
					id: '111',
					time: 1773480413,
					changes: [
						{
							field: 'feed',
							value: expect.objectContaining({
								from: { id: '7', name: expect.any(String) },
								item: 'comment',
								verb: 'edited',
								post_id: '111_4',
								comment_id: '4_5',
								parent_id: '111_4',
								created_time: 1773480413,
								message: expect.any(String),
							}),
						},
					],
				},
			],
		});

		const reply = instagramStoryReply({ replyToStory: { id: '18', url: 'https://cdn/x' } });
		expect((reply.entry[0].messaging as { message: object }[])[0].message).toMatchObject({ text: expect.any(String), reply_to: { story: { id: '18', url: 'https://cdn/x' } } });
		const mention = (instagramStoryMention({ storyUrl: 'https://cdn/y' }).entry[0].messaging as { message: object }[])[0].message;
		expect(mention).toEqual({ mid: expect.any(String), attachments: [{ type: 'story_mention', payload: { url: 'https://cdn/y' } }] });
	});

	it('signs the new shapes like the others', () => {
		for (const payload of [messengerPostback(), facebookComment({ text: 'Prix ? 😍' }), instagramStoryReply()]) {
			const delivery = signedDelivery(payload, 's3cret');
			expect(delivery.headers['x-hub-signature-256']).toBe(sign(delivery.body, 's3cret'));
			expect(JSON.parse(delivery.body)).toEqual(payload);
		}
	});

	it('gives every message a fresh id by default and batches entries of one object type', () => {
		const first = messengerMessage();
		const second = messengerMessage();
		expect(JSON.stringify(first)).not.toBe(JSON.stringify(second));
		expect(batch(first, second).entry).toHaveLength(2);
		expect(() => batch(first, whatsappText())).toThrow('share one object type');
	});
});
