/**
 * The TikTok node against a local fake hub (node:http on loopback): what it sends to the hub's TikTok routes
 * (contracts/social-accounts.ts), what it adds to the item, and how the hub's refusals become readable item errors.
 * n8n's execution context is faked; its authenticated HTTP helper makes real HTTP calls with the credential's key.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { InboundMessage } from '../../../contracts/inbound-message';
import { SkyBotTikTok } from '../../../nodes/SkyBotTikTok/SkyBotTikTok.node';
import { type FakeServer, FakeHttpError, isPlainObject, mediaType, type RecordedRequest, startFakeServer } from '../../fakes/http-fake';

const API_KEY = 'sk_hub_tiktok_test';
const BUSINESS = '-000OpenIdOfTheBusiness';
const USER = '-000OpenIdOfTheUser';
const VIDEO = '7312345678901234567';
const COMMENT = '7398765432109876543';
const REPLY_ID = '7377777777777777777';

/** What the fake hub answers for a business account id (everything else is accepted). */
const REFUSALS: Record<string, { status: number; code: string; message: string; headers?: Record<string, string> }> = {
	'unknown-business': { status: 404, code: 'social_account_not_found', message: 'No connected tiktok account unknown-business' },
	'revoked-business': { status: 409, code: 'reauth_required', message: 'The tiktok account needs to be reconnected' },
	'busy-business': { status: 429, code: 'provider_rate_limited', message: 'TikTok rate limited the call', headers: { 'retry-after': '30' } },
	'refused-business': { status: 502, code: 'provider_error', message: 'TikTok error 40002: recipient: conversation not found' },
};

const hubError = (status: number, code: string, message: string, headers?: Record<string, string>) =>
	new FakeHttpError(status, { error: { code, message } }, headers);

/** The hub's two TikTok routes as the contract has them: a JSON body with string ids, answered {messageId}. */
function fakeHub(request: RecordedRequest) {
	if (request.headers['x-api-key'] !== API_KEY) throw hubError(401, 'invalid_api_key', 'Invalid API key');
	const route = /^\/api\/social-accounts\/tiktok\/(reply-comment|send-message)$/.exec(request.path)?.[1];
	if (request.method !== 'POST' || !route) throw hubError(404, 'route_not_found', 'Route not found');
	if (mediaType(request) !== 'application/json' || !isPlainObject(request.json)) throw hubError(400, 'validation_failed', 'JSON body expected');
	const body = request.json;
	const fields = route === 'reply-comment' ? ['accountExternalId', 'videoId', 'commentId', 'text'] : ['accountExternalId', 'recipientId', 'text'];
	for (const field of fields) {
		if (typeof body[field] !== 'string' || body[field] === '') throw hubError(400, 'validation_failed', `${field} is required`);
	}
	const refusal = REFUSALS[body.accountExternalId as string];
	if (refusal) throw hubError(refusal.status, refusal.code, refusal.message, refusal.headers);
	return { status: 200, body: { messageId: REPLY_ID } };
}

let hub: FakeServer;
beforeAll(async () => {
	hub = await startFakeServer(fakeHub);
});
afterAll(() => hub.close());
beforeEach(() => {
	hub.requests.length = 0;
});

const node: INode = { id: 'n1', name: 'TikTok', type: 'n8n-nodes-skybot.skyBotTikTok', typeVersion: 1, position: [0, 0], parameters: {} };

/** n8n's helper with returnFullResponse and ignoreHttpStatusErrors, made with fetch and the credential's key. */
async function httpRequestWithAuthentication(credentialType: string, options: IHttpRequestOptions) {
	expect(credentialType).toBe('skyBotHubApi');
	const response = await fetch(String(options.url), {
		method: options.method,
		headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
		body: JSON.stringify(options.body),
	});
	const text = await response.text();
	return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function run(
	parameters: Record<string, unknown>,
	items: IDataObject[],
	options: { continueOnFail?: boolean } = {},
): Promise<INodeExecutionData[]> {
	const context = {
		getInputData: () => items.map((json) => ({ json })),
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
		getNode: () => ({ ...node, onError: options.continueOnFail ? 'continueRegularOutput' : undefined }),
		getCredentials: async () => ({ baseUrl: hub.url, apiKey: API_KEY }),
		continueOnFail: () => options.continueOnFail === true,
		helpers: { httpRequestWithAuthentication },
	} as unknown as IExecuteFunctions;
	const [output] = await new SkyBotTikTok().execute.call(context);
	return output;
}

async function failure(parameters: Record<string, unknown>, item: IDataObject): Promise<Error> {
	return await run(parameters, [item]).then(
		() => {
			throw new Error('expected the node to fail');
		},
		(error: unknown) => error as Error,
	);
}

const comment = {
	provider: 'tiktok',
	kind: 'comment',
	messageId: COMMENT,
	accountExternalId: BUSINESS,
	conversationId: `tiktok:${BUSINESS}:${USER}`,
	contact: { externalId: USER },
	text: 'Combien ?',
	timestamp: '2026-12-04T10:00:00.000Z',
	comment: { postId: VIDEO },
	ai: { text: 'Bonjour ! 25 €, on vous écrit en DM.' },
	route: { accountId: '11111111-1111-4111-8111-111111111111' },
} satisfies InboundMessage & IDataObject;
const commentItem: IDataObject = comment;

const dm = {
	...comment,
	kind: 'dm' as const,
	messageId: '7366666666666666666',
	comment: undefined,
	providerConversationId: '0:1:7355555555555555555',
};

const replyToComment = { resource: 'comment', operation: 'reply', replyTo: 'item' };
const sendMessage = { resource: 'message', operation: 'send', replyTo: 'item' };

describe('TikTok node: Reply to Comment', () => {
	it('posts the inbound comment’s ids as strings to the hub and adds the delivery', async () => {
		const [output] = await run(replyToComment, [commentItem]);
		expect(hub.requests).toHaveLength(1);
		expect(hub.requests[0]).toMatchObject({ method: 'POST', path: '/api/social-accounts/tiktok/reply-comment' });
		expect(hub.requests[0].json).toEqual({
			accountExternalId: BUSINESS,
			videoId: VIDEO,
			commentId: COMMENT,
			text: 'Bonjour ! 25 €, on vous écrit en DM.',
			accountId: '11111111-1111-4111-8111-111111111111',
		});
		expect(hub.requests[0].rawBody).toContain(`"videoId":"${VIDEO}"`);
		expect(output.json).toEqual({ ...comment, delivery: { provider: 'tiktok', videoId: VIDEO, commentId: COMMENT, messageId: REPLY_ID } });
	});

	it('takes every value from the fields under Define Below', async () => {
		await run(
			{ ...replyToComment, replyTo: 'define', accountExternalId: BUSINESS, videoId: VIDEO, commentId: COMMENT, text: 'Merci !', accountId: '' },
			[{}],
		);
		expect(hub.requests[0].json).toEqual({ accountExternalId: BUSINESS, videoId: VIDEO, commentId: COMMENT, text: 'Merci !' });
	});

	it('refuses, before calling the hub, a DM, an echo, another provider, an id as a number and a text over 150 characters', async () => {
		const cases: [IDataObject, RegExp][] = [
			[dm, /not a comment: use Send Message/],
			[{ ...comment, isEcho: true }, /own message \(an echo\)/],
			[{ ...comment, provider: 'instagram' }, /instagram message, not a TikTok one/],
			[{ ...comment, comment: { postId: 7312345678901234567 } }, /Video ID must be a string/],
			[{ ...comment, comment: {} }, /Video ID is empty/],
			[{ ...comment, ai: { text: 'x'.repeat(151) } }, /limits comment replies to 150 characters; this text has 151/],
			[{ ...comment, ai: { text: '  ' } }, /no text to send/],
		];
		for (const [item, message] of cases) {
			const error = await failure(replyToComment, item);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toMatch(message);
		}
		expect(hub.requests).toEqual([]);
	});
});

describe('TikTok node: Send Message', () => {
	it('sends to the user with TikTok’s conversation id', async () => {
		const [output] = await run(sendMessage, [dm]);
		expect(hub.requests[0]).toMatchObject({ path: '/api/social-accounts/tiktok/send-message' });
		expect(hub.requests[0].json).toEqual({
			accountExternalId: BUSINESS,
			recipientId: USER,
			providerConversationId: '0:1:7355555555555555555',
			text: comment.ai.text,
			accountId: comment.route.accountId,
		});
		expect(output.json.delivery).toEqual({ provider: 'tiktok', recipientId: USER, messageId: REPLY_ID });
	});

	it('refuses a comment (TikTok only lets a business DM a user who wrote first)', async () => {
		await expect(failure(sendMessage, commentItem)).resolves.toMatchObject({ message: expect.stringMatching(/not a dm: use Reply to Comment/) });
	});
});

describe('TikTok node: Inbound Message › Answer (the pipeline’s send step)', () => {
	it('replies to a comment and messages back in a DM’s conversation, each item the way it came in', async () => {
		const [onComment, onDm] = await run({ resource: 'inbound', operation: 'answer' }, [comment, dm]);
		expect(hub.requests.map((request) => request.path)).toEqual([
			'/api/social-accounts/tiktok/reply-comment',
			'/api/social-accounts/tiktok/send-message',
		]);
		expect(hub.requests[0].json).toMatchObject({ videoId: VIDEO, commentId: COMMENT, text: comment.ai.text });
		expect(hub.requests[1].json).toMatchObject({ recipientId: USER, providerConversationId: '0:1:7355555555555555555' });
		expect(onComment.json.delivery).toEqual({ provider: 'tiktok', videoId: VIDEO, commentId: COMMENT, messageId: REPLY_ID });
		expect(onDm.json.delivery).toEqual({ provider: 'tiktok', recipientId: USER, messageId: REPLY_ID });
	});

	it('refuses an item of another provider before calling the hub', async () => {
		await expect(failure({ resource: 'inbound', operation: 'answer' }, { ...dm, provider: 'instagram' })).resolves.toMatchObject({
			message: expect.stringMatching(/instagram message, not a TikTok one/),
		});
		expect(hub.requests).toEqual([]);
	});
});

describe('TikTok node: the hub’s refusals', () => {
	const refusedWith = async (business: string) => (await failure(sendMessage, { ...dm, accountExternalId: business })) as NodeApiError;

	it('says what to do for each social-account error code, keeping the hub’s message, status and code', async () => {
		const notFound = await refusedWith('unknown-business');
		expect(notFound).toBeInstanceOf(NodeApiError);
		expect(notFound.message).toMatch(/^No connected TikTok account in the hub holds business account unknown-business: connect it/);
		expect(notFound.description).toBe('No connected tiktok account unknown-business: SkyBot Hub error social_account_not_found (HTTP 404)');
		expect(notFound.httpCode).toBe('404');

		expect((await refusedWith('revoked-business')).message).toBe(
			'TikTok business account revoked-business must be reconnected in the hub: its TikTok tokens no longer work (refresh refused or access revoked)',
		);
		expect((await refusedWith('busy-business')).message).toBe('TikTok is rate limiting business account busy-business: retry in 30 s');
		expect((await refusedWith('refused-business')).message).toBe(
			'TikTok refused the call for business account refused-business: TikTok error 40002: recipient: conversation not found',
		);
	});

	it('fails only the refused item under continue on fail, with the error the pipeline logs', async () => {
		const output = await run(sendMessage, [{ ...dm, accountExternalId: 'revoked-business' }, dm], { continueOnFail: true });
		expect(output).toHaveLength(2);
		expect(output[0].json.error).toEqual({
			message: expect.stringContaining('must be reconnected'),
			description: 'The tiktok account needs to be reconnected: SkyBot Hub error reauth_required (HTTP 409)',
			httpStatus: 409,
			code: 'reauth_required',
		});
		expect(output[0].json.messageId).toBe(dm.messageId);
		expect(output[1].json.delivery).toEqual({ provider: 'tiktok', recipientId: USER, messageId: REPLY_ID });
	});
});
