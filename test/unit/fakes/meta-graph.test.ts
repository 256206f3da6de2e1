import { type FakeMetaGraph, startFakeMetaGraph } from '../../fakes/meta-graph';

/** The fields these tests read from the fake's answers (a success or a Graph error body). */
interface GraphBody {
	error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
	message_id: string;
}
const readBody = async (response: Response) => (await response.json()) as GraphBody;

let graph: FakeMetaGraph;

beforeAll(async () => {
	graph = await startFakeMetaGraph();
});
afterAll(() => graph.close());

function send(path: string, body: unknown, init: { token?: string | null; query?: boolean; contentType?: string; raw?: string } = {}) {
	const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/json' };
	const token = init.token === undefined ? graph.accessToken : init.token;
	if (token !== null && !init.query) headers.authorization = `Bearer ${token}`;
	const query = token !== null && init.query ? `?access_token=${token}` : '';
	return fetch(`${graph.url}${path}${query}`, { method: 'POST', headers, body: init.raw ?? JSON.stringify(body) });
}

const messengerBody = { recipient: { id: '24000000000001' }, messaging_type: 'RESPONSE', message: { text: 'Bonjour 👋' } };
const whatsappBody = { messaging_product: 'whatsapp', to: '33612345678', type: 'text', text: { body: 'Bonjour !' } };

describe('fake Meta Graph API', () => {
	it('accepts a Messenger / Instagram send and records it', async () => {
		const response = await send('/v21.0/1122334455/messages', messengerBody);
		expect(response.status).toBe(200);
		const body = await readBody(response);
		expect(body).toEqual({ recipient_id: '24000000000001', message_id: expect.stringMatching(/^m_/) });
		expect(graph.sent.at(-1)).toEqual({
			api: 'messenger',
			version: 'v21.0',
			accountId: '1122334455',
			recipient: '24000000000001',
			privateReply: false,
			text: 'Bonjour 👋',
			messagingType: 'RESPONSE',
			messageId: body.message_id,
		});
	});

	it('accepts an Instagram private reply to a comment', async () => {
		const response = await send('/v21.0/1122334455/messages', { recipient: { comment_id: '17900000000000001' }, message: { text: 'Je vous écris en privé' } });
		expect(response.status).toBe(200);
		expect(graph.sent.at(-1)).toMatchObject({ recipient: '17900000000000001', privateReply: true });
	});

	it('accepts a WhatsApp text with the token in the query string, answering the Cloud API shape', async () => {
		const response = await send('/v21.0/5566778899/messages', whatsappBody, { query: true });
		expect(response.status).toBe(200);
		const body = await readBody(response);
		expect(body).toEqual({
			messaging_product: 'whatsapp',
			contacts: [{ input: '33612345678', wa_id: '33612345678' }],
			messages: [{ id: expect.stringMatching(/^wamid\./) }],
		});
		expect(graph.sent.at(-1)).toMatchObject({ api: 'whatsapp', accountId: '5566778899', recipient: '33612345678', text: 'Bonjour !' });
	});

	it.each([
		['no token', { token: null }, 400, 2500],
		['an invalid token', { token: 'EAAwrong' }, 401, 190],
	])('refuses %s in Graph error shape', async (_case, init, status, code) => {
		const response = await send('/v21.0/1122334455/messages', messengerBody, init);
		expect(response.status).toBe(status);
		const { error } = await readBody(response);
		expect(error).toMatchObject({ code, type: 'OAuthException', fbtrace_id: expect.any(String) });
	});

	it.each([
		['form-encoded body', messengerBody, { contentType: 'application/x-www-form-urlencoded' }],
		['invalid JSON', undefined, { raw: '{"recipient":' }],
		['missing recipient', { message: { text: 'x' } }, {}],
		['empty text', { recipient: { id: '1' }, message: { text: ' ' } }, {}],
		['text over 2000 characters', { recipient: { id: '1' }, message: { text: 'x'.repeat(2001) } }, {}],
		['unknown messaging_type', { ...messengerBody, messaging_type: 'PROMO' }, {}],
		['WhatsApp without a phone number', { ...whatsappBody, to: 'bob' }, {}],
		['WhatsApp without text.body', { ...whatsappBody, text: {} }, {}],
		['WhatsApp template type', { ...whatsappBody, type: 'template' }, {}],
	])('refuses a %s with (#100) and 400', async (_case, body, init) => {
		const before = graph.sent.length;
		const response = await send('/v21.0/1122334455/messages', body, init);
		expect(response.status).toBe(400);
		const { error } = await readBody(response);
		expect(error.code).toBe(100);
		expect(graph.sent).toHaveLength(before);
	});

	it('refuses a wrong path, a non-numeric object id and a GET on /messages', async () => {
		expect((await send('/messages', messengerBody)).status).toBe(400);
		expect((await send('/v21.0/1122334455/feed', messengerBody)).status).toBe(400);
		const notAnId = await send('/v21.0/my-page/messages', messengerBody);
		expect((await readBody(notAnId)).error).toMatchObject({ code: 100, error_subcode: 33 });
		const get = await fetch(`${graph.url}/v21.0/1122334455/messages`, { headers: { authorization: `Bearer ${graph.accessToken}` } });
		expect(get.status).toBe(400);
	});

	it('fails the next N sends with a transient 500 when scripted', async () => {
		graph.failNextSends(1);
		const failed = await send('/v21.0/1122334455/messages', messengerBody);
		expect(failed.status).toBe(500);
		expect((await readBody(failed)).error).toMatchObject({ code: 2, is_transient: true });
		expect((await send('/v21.0/1122334455/messages', messengerBody)).status).toBe(200);
	});

	it('answers GET /me for the token', async () => {
		const response = await fetch(`${graph.url}/v21.0/me`, { headers: { authorization: `Bearer ${graph.accessToken}` } });
		expect(await readBody(response)).toEqual({ id: expect.any(String), name: 'SkyBot Test Page' });
		expect((await fetch(`${graph.url}/v21.0/me?access_token=nope`)).status).toBe(401);
	});
});
