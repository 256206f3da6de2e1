/**
 * Fake OpenAI API (the subset SkyBot calls): POST /v1/chat/completions and GET /v1/models.
 * Requests are validated the way the real API does — Bearer key, JSON body, `model`, non-empty `messages` of
 * {role, content}, documented optional parameters with their ranges, unknown parameters refused — and refused
 * with OpenAI's error body `{error: {message, type, param, code}}`, so a malformed call from our code fails here.
 *
 * Point a client at `${fake.url}/v1` (the OpenAI credential's Base URL / OPENAI_BASE_URL).
 */
import { randomBytes } from 'node:crypto';

import {
	bearerToken,
	FailureQueue,
	FakeHttpError,
	type FakeReply,
	type FakeServer,
	isPlainObject,
	mediaType,
	type RecordedRequest,
	startFakeServer,
} from './http-fake.ts';

export const FAKE_OPENAI_API_KEY = 'sk-test-skybot-fake';

export type ChatRole = 'system' | 'user' | 'assistant';
const CHAT_ROLES: readonly string[] = ['system', 'user', 'assistant'];

export interface ChatMessage {
	role: ChatRole;
	content: string;
}

/** A chat completion request that passed validation. */
export interface ChatCompletionRequest {
	model: string;
	messages: ChatMessage[];
	temperature?: number;
	max_tokens?: number;
	[parameter: string]: unknown;
}

export interface AcceptedCompletion {
	request: ChatCompletionRequest;
	reply: string;
	usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface OpenAiFailure {
	status: number;
	message?: string;
	type?: string;
	code?: string | null;
	/** Sent as OpenAI does on a 429: `retry-after-ms` and `retry-after` (whole seconds, rounded up). */
	retryAfterMs?: number;
}

/** The assistant text for a request; a promise holds the answer back, as a slow model would (races in tests). */
export type ReplyScript = (request: ChatCompletionRequest) => string | Promise<string>;

export interface FakeOpenAi extends FakeServer {
	/** Base URL to give clients: `${url}/v1`. */
	baseUrl: string;
	apiKey: string;
	/** Every chat completion answered with 200, in order. */
	completions: AcceptedCompletion[];
	/** Scripts the assistant text from the request; reset with `replyWith(defaultReply)`. */
	replyWith(script: ReplyScript): void;
	/** The next `count` chat completion calls fail with this status and an OpenAI error body. */
	failNext(count: number, failure: OpenAiFailure): void;
}

export interface FakeOpenAiOptions {
	apiKey?: string;
	reply?: ReplyScript;
	models?: string[];
}

/** Parameters of POST /v1/chat/completions the fake accepts; anything else is refused like the real API does. */
const KNOWN_PARAMETERS = new Set([
	'model',
	'messages',
	'temperature',
	'max_tokens',
	'max_completion_tokens',
	'top_p',
	'n',
	'stop',
	'presence_penalty',
	'frequency_penalty',
	'response_format',
	'seed',
	'user',
	'stream',
]);

/** Deterministic default: thanks the sender and echoes the start of the last user message. */
export const defaultReply = (request: ChatCompletionRequest): string => {
	const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
	const excerpt = (lastUser?.content ?? '').trim().slice(0, 80);
	return `Merci pour votre message ! Vous avez écrit : « ${excerpt} ». Un conseiller vous répond très vite.`;
};

/** A stable stand-in for a tokenizer: about four characters per token, as OpenAI's docs estimate. */
export function countTokens(text: string): number {
	return Math.max(1, Math.ceil(text.length / 4));
}

function openAiError(
	status: number,
	message: string,
	type: string,
	param: string | null,
	code: string | null,
	headers?: Record<string, string>,
): FakeHttpError {
	return new FakeHttpError(status, { error: { message, type, param, code } }, headers);
}

function invalidParam(message: string, param: string | null, code: string | null = null): FakeHttpError {
	return openAiError(400, message, 'invalid_request_error', param, code);
}

function authenticate(request: RecordedRequest, apiKey: string): void {
	const token = bearerToken(request);
	if (token === undefined) {
		throw openAiError(
			401,
			"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
			'invalid_request_error',
			null,
			null,
		);
	}
	if (token !== apiKey) {
		throw openAiError(401, `Incorrect API key provided: ${token.slice(0, 6)}****.`, 'invalid_request_error', null, 'invalid_api_key');
	}
}

function validateChatCompletion(request: RecordedRequest, models: string[]): ChatCompletionRequest {
	if (mediaType(request) !== 'application/json') {
		throw invalidParam(
			'Invalid Content-Type header, expected application/json.',
			null,
		);
	}
	const body = request.json;
	if (!isPlainObject(body)) {
		throw invalidParam(
			"We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
			null,
		);
	}
	for (const parameter of Object.keys(body)) {
		if (!KNOWN_PARAMETERS.has(parameter)) throw invalidParam(`Unrecognized request argument supplied: ${parameter}`, null);
	}
	if (typeof body.model !== 'string' || body.model === '') throw invalidParam('you must provide a model parameter', 'model');
	if (!models.includes(body.model)) {
		throw openAiError(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
	}
	if (!Array.isArray(body.messages)) throw invalidParam("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
	if (body.messages.length === 0) throw invalidParam("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages', 'empty_array');
	body.messages.forEach((message: unknown, index: number) => {
		if (!isPlainObject(message)) throw invalidParam(`Invalid type for 'messages[${index}]': expected an object.`, `messages[${index}]`, 'invalid_type');
		if (typeof message.role !== 'string' || !CHAT_ROLES.includes(message.role)) {
			throw invalidParam(
				`Invalid value: '${String(message.role)}'. Supported values are: 'system', 'assistant', 'user'.`,
				`messages[${index}].role`,
				'invalid_value',
			);
		}
		if (typeof message.content !== 'string') {
			throw invalidParam(`Invalid type for 'messages[${index}].content': expected a string.`, `messages[${index}].content`, 'invalid_type');
		}
	});
	if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 2)) {
		throw invalidParam(`Invalid 'temperature': decimal between 0 and 2 expected, got ${JSON.stringify(body.temperature)}.`, 'temperature', 'invalid_value');
	}
	for (const limit of ['max_tokens', 'max_completion_tokens'] as const) {
		const value = body[limit];
		if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
			throw invalidParam(`Invalid '${limit}': integer >= 1 expected, got ${JSON.stringify(value)}.`, limit, 'invalid_value');
		}
	}
	if (body.stream !== undefined && body.stream !== false) {
		throw invalidParam('The fake OpenAI server does not stream; send stream: false or omit it.', 'stream');
	}
	if (body.response_format !== undefined) {
		const format = body.response_format;
		if (!isPlainObject(format) || !['text', 'json_object', 'json_schema'].includes(String(format.type))) {
			throw invalidParam("Invalid 'response_format.type': expected 'text', 'json_object' or 'json_schema'.", 'response_format.type', 'invalid_value');
		}
		// OpenAI refuses JSON mode unless the messages themselves ask for JSON (the model would otherwise emit whitespace).
		const mentionsJson = (body.messages as { content: string }[]).some((message) => /json/i.test(message.content));
		if (format.type === 'json_object' && !mentionsJson) {
			throw invalidParam("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages');
		}
	}
	return body as ChatCompletionRequest;
}

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
	const apiKey = options.apiKey ?? FAKE_OPENAI_API_KEY;
	const models = options.models ?? ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'];
	let script = options.reply ?? defaultReply;
	const failures = new FailureQueue<OpenAiFailure>();
	const completions: AcceptedCompletion[] = [];

	const chatCompletion = async (request: RecordedRequest): Promise<FakeReply> => {
		authenticate(request, apiKey);
		const body = validateChatCompletion(request, models);
		const failure = failures.take();
		if (failure) {
			throw openAiError(
				failure.status,
				failure.message ?? 'The server had an error while processing your request. Sorry about that!',
				failure.type ?? (failure.status === 429 ? 'requests' : 'server_error'),
				null,
				failure.code ?? null,
				failure.retryAfterMs === undefined
					? undefined
					: { 'retry-after-ms': String(failure.retryAfterMs), 'retry-after': String(Math.ceil(failure.retryAfterMs / 1000)) },
			);
		}
		const reply = await script(body);
		const promptTokens = body.messages.reduce((sum, message) => sum + countTokens(message.content) + 4, 0);
		const usage = {
			prompt_tokens: promptTokens,
			completion_tokens: countTokens(reply),
			total_tokens: promptTokens + countTokens(reply),
		};
		completions.push({ request: body, reply, usage });
		return {
			status: 200,
			body: {
				id: `chatcmpl-${randomBytes(12).toString('hex')}`,
				object: 'chat.completion',
				created: Math.floor(Date.now() / 1000),
				model: body.model,
				choices: [
					{
						index: 0,
						message: { role: 'assistant', content: reply, refusal: null },
						logprobs: null,
						finish_reason: 'stop',
					},
				],
				usage,
				system_fingerprint: 'fp_skybot_fake',
			},
		};
	};

	const listModels = (request: RecordedRequest): FakeReply => {
		authenticate(request, apiKey);
		return {
			status: 200,
			body: {
				object: 'list',
				data: models.map((id) => ({ id, object: 'model', created: 1715367049, owned_by: 'system' })),
			},
		};
	};

	const server = await startFakeServer((request) => {
		if (request.method === 'POST' && request.path === '/v1/chat/completions') return chatCompletion(request);
		if (request.method === 'GET' && request.path === '/v1/models') return listModels(request);
		throw openAiError(404, `Invalid URL (${request.method} ${request.path})`, 'invalid_request_error', null, null);
	});

	return {
		...server,
		baseUrl: `${server.url}/v1`,
		apiKey,
		completions,
		replyWith: (next) => {
			script = next;
		},
		failNext: (count, failure) => failures.push(count, failure),
	};
}
