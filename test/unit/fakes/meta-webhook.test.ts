import { createHmac } from 'node:crypto';

import {
	batch,
	instagramComment,
	messengerMessage,
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

	it('gives every message a fresh id by default and batches entries of one object type', () => {
		const first = messengerMessage();
		const second = messengerMessage();
		expect(JSON.stringify(first)).not.toBe(JSON.stringify(second));
		expect(batch(first, second).entry).toHaveLength(2);
		expect(() => batch(first, whatsappText())).toThrow('share one object type');
	});
});
