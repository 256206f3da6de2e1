import { type FakeOpenAi, startFakeOpenAi } from '../../fakes/openai';

/** The fields these tests read from the fake's answers (a success or an error body). */
interface OpenAiBody {
	error: { message: string; type: string; param: string | null; code: string | null };
	choices: { message: { content: string } }[];
	usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
	data: { id: string }[];
}
const readBody = async (response: Response) => (await response.json()) as OpenAiBody;

let openai: FakeOpenAi;

beforeAll(async () => {
	openai = await startFakeOpenAi();
});
afterAll(() => openai.close());

function post(body: unknown, init: { key?: string | null; contentType?: string; raw?: string } = {}) {
	const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/json' };
	if (init.key !== null) headers.authorization = `Bearer ${init.key ?? openai.apiKey}`;
	return fetch(`${openai.baseUrl}/chat/completions`, {
		method: 'POST',
		headers,
		body: init.raw ?? JSON.stringify(body),
	});
}

const validRequest = {
	model: 'gpt-4o-mini',
	messages: [
		{ role: 'system', content: 'Tu es un assistant.' },
		{ role: 'user', content: 'Bonjour, quels sont vos tarifs ?' },
	],
	temperature: 0.7,
	max_tokens: 300,
};

describe('fake OpenAI', () => {
	it('answers a valid chat completion with a chat.completion object echoing the user message', async () => {
		const response = await post(validRequest);
		expect(response.status).toBe(200);
		const body = await readBody(response);
		expect(body).toMatchObject({
			object: 'chat.completion',
			model: 'gpt-4o-mini',
			choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
		});
		expect(body.choices[0].message.content).toContain('Bonjour, quels sont vos tarifs ?');
		expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
		expect(openai.completions.at(-1)?.reply).toBe(body.choices[0].message.content);
	});

	it('uses the scripted reply', async () => {
		openai.replyWith((request) => `réponse à ${request.messages.length} messages`);
		const body = await readBody(await post(validRequest));
		expect(body.choices[0].message.content).toBe('réponse à 2 messages');
	});

	it('holds an answer back while an asynchronous script waits, answering other requests meanwhile', async () => {
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		openai.replyWith(async (request) => {
			const text = request.messages.at(-1)!.content;
			if (text === 'slow') await held;
			return `réponse : ${text}`;
		});
		const slow = post({ ...validRequest, messages: [{ role: 'user', content: 'slow' }] });
		const fast = await readBody(await post({ ...validRequest, messages: [{ role: 'user', content: 'fast' }] }));
		expect(fast.choices[0].message.content).toBe('réponse : fast');
		release();
		expect((await readBody(await slow)).choices[0].message.content).toBe('réponse : slow');
		expect(openai.completions.slice(-2).map((completion) => completion.reply)).toEqual(['réponse : fast', 'réponse : slow']);
	});

	it.each([
		['no API key', null, 401, null],
		['a wrong API key', 'sk-wrong', 401, 'invalid_api_key'],
	])('refuses %s', async (_case, key, status, code) => {
		const response = await post(validRequest, { key });
		expect(response.status).toBe(status);
		const body = await readBody(response);
		expect(body.error).toMatchObject({ type: 'invalid_request_error', code });
	});

	it.each([
		['a body that is not JSON', { raw: '{"model":' }],
		['a non-JSON content type', { contentType: 'text/plain' }],
	])('refuses %s', async (_case, init) => {
		const response = await post(validRequest, init);
		expect(response.status).toBe(400);
		expect((await readBody(response)).error.type).toBe('invalid_request_error');
	});

	it.each([
		['a missing model', { ...validRequest, model: undefined }, 'model'],
		['missing messages', { ...validRequest, messages: undefined }, 'messages'],
		['empty messages', { ...validRequest, messages: [] }, 'messages'],
		['an unknown role', { ...validRequest, messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
		['a non-string content', { ...validRequest, messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
		['a temperature above 2', { ...validRequest, temperature: 2.5 }, 'temperature'],
		['a fractional max_tokens', { ...validRequest, max_tokens: 10.5 }, 'max_tokens'],
	])('refuses %s with 400 naming the parameter', async (_case, body, param) => {
		const response = await post(body);
		expect(response.status).toBe(400);
		expect((await readBody(response)).error.param).toBe(param);
	});

	it('refuses an unrecognized argument and an unknown model', async () => {
		const unknownArgument = await post({ ...validRequest, prompt: 'x' });
		expect(unknownArgument.status).toBe(400);
		expect((await readBody(unknownArgument)).error.message).toContain('Unrecognized request argument supplied: prompt');
		const unknownModel = await post({ ...validRequest, model: 'gpt-0' });
		expect(unknownModel.status).toBe(404);
		expect((await readBody(unknownModel)).error.code).toBe('model_not_found');
	});

	it('accepts JSON mode only when the messages ask for JSON, as OpenAI does', async () => {
		const jsonMode = { ...validRequest, response_format: { type: 'json_object' } };
		const refused = await post(jsonMode);
		expect(refused.status).toBe(400);
		expect((await readBody(refused)).error.message).toContain("must contain the word 'json'");
		const asked = { ...jsonMode, messages: [{ role: 'system', content: 'Answer with a JSON object.' }, validRequest.messages[1]] };
		expect((await post(asked)).status).toBe(200);
	});

	it('fails exactly the next N calls when scripted, then recovers', async () => {
		openai.failNext(2, { status: 503, message: 'The engine is currently overloaded' });
		const statuses = [];
		for (let call = 0; call < 3; call++) statuses.push((await post(validRequest)).status);
		expect(statuses).toEqual([503, 503, 200]);
		expect(openai.requests.at(-2)?.response).toMatchObject({
			error: { message: 'The engine is currently overloaded', type: 'server_error' },
		});
	});

	it('lists models for a credential test, and only with a key', async () => {
		const ok = await fetch(`${openai.baseUrl}/models`, { headers: { authorization: `Bearer ${openai.apiKey}` } });
		expect(ok.status).toBe(200);
		expect((await readBody(ok)).data.map((model) => model.id)).toContain('gpt-4o-mini');
		expect((await fetch(`${openai.baseUrl}/models`)).status).toBe(401);
	});

	it('answers an unknown route or method with 404 Invalid URL', async () => {
		const response = await fetch(`${openai.baseUrl}/chat/completions`, { headers: { authorization: `Bearer ${openai.apiKey}` } });
		expect(response.status).toBe(404);
		expect((await readBody(response)).error.message).toBe('Invalid URL (GET /v1/chat/completions)');
	});
});
