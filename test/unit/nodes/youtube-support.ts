/**
 * What the YouTube node tests run the nodes in: n8n's execution contexts, faked just enough, whose
 * httpRequestWithAuthentication makes the real HTTP call to the fakes the way n8n does it:
 * - youTubeOAuth2Api: signs with the credential's access token; when the call THROWS a 401 (only thrown if the
 *   node asked for it with `ignoreHttpStatusErrors: {ignore: true, except: [401]}`), refreshes the token at the
 *   credential's token URL and repeats the call once (n8n-core requestOAuth2);
 * - skyBotHubApi: X-API-Key, as the credential's authenticate() does.
 * Plus a small stand-in for the hub's YouTube routes (contracts/social-accounts.ts) that calls the fake Google with
 * the token it holds, as the real hub does, and reports a quota the test sets.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { YouTubeQuotaView } from '../../../contracts/social-accounts';
import { FAKE_GOOGLE_CLIENT, type FakeGoogleYouTube } from '../../fakes/google-youtube';
import { FakeHttpError, type FakeServer, isPlainObject, startFakeServer } from '../../fakes/http-fake';

export const HUB_API_KEY = 'sk_test_hub_key';

export interface OAuthCredential {
	clientId: string;
	clientSecret: string;
	accessTokenUrl: string;
	oauthTokenData: { access_token: string; refresh_token?: string };
}

export function oauthCredential(google: FakeGoogleYouTube, channelId: string): OAuthCredential {
	const tokens = google.issueTokens(channelId);
	return {
		clientId: FAKE_GOOGLE_CLIENT.clientId,
		clientSecret: FAKE_GOOGLE_CLIENT.clientSecret,
		accessTokenUrl: google.oauthEndpoints.oauth2TokenUrl,
		oauthTokenData: { access_token: tokens.accessToken, refresh_token: tokens.refreshToken },
	};
}

export interface ContextSetup {
	parameters: Record<string, unknown>;
	credentials: Record<string, Record<string, unknown> | OAuthCredential>;
	mode?: 'manual' | 'trigger';
	staticData?: IDataObject;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	onError?: INode['onError'];
}

export interface FakeContext {
	context: IExecuteFunctions & IPollFunctions;
	staticData: IDataObject;
	warnings: string[];
	/** Every request the node asked n8n to make, with the options it passed. */
	requests: { credentialType: string; options: IHttpRequestOptions }[];
}

interface FullResponse {
	statusCode: number;
	headers: Record<string, string>;
	body: unknown;
}

const node: INode = {
	id: 'youtube-node',
	name: 'YouTube',
	type: 'n8n-nodes-skybot.skyBotYouTube',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

async function fetchOnce(options: IHttpRequestOptions, headers: Record<string, string>): Promise<FullResponse> {
	const body =
		options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
	const sent = { ...headers, ...(options.headers as Record<string, string> | undefined) };
	if (body !== undefined && !Object.keys(sent).some((name) => name.toLowerCase() === 'content-type')) {
		sent['content-type'] = 'application/json';
	}
	const response = await fetch(options.url, { method: options.method ?? 'GET', headers: sent, body });
	const text = await response.text();
	let parsed: unknown = text;
	try {
		parsed = text === '' ? '' : (JSON.parse(text) as unknown);
	} catch {
		// not JSON: kept as text, as n8n does
	}
	return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: parsed };
}

/** What n8n throws for a status it was not told to ignore: a NodeApiError around the HTTP client's error. */
function thrownFor(response: FullResponse): NodeApiError {
	const axiosLike = Object.assign(new Error(`Request failed with status code ${response.statusCode}`), {
		response: { status: response.statusCode, data: response.body, headers: response.headers },
	});
	return new NodeApiError(node, axiosLike as unknown as JsonObject);
}

function throwsFor(options: IHttpRequestOptions, status: number): boolean {
	const ignore = options.ignoreHttpStatusErrors;
	if (ignore === true) return false;
	if (isPlainObject(ignore)) return (ignore as { except: number[] }).except.includes(status);
	return status >= 400;
}

export function fakeContext(setup: ContextSetup): FakeContext {
	const staticData = setup.staticData ?? {};
	const warnings: string[] = [];
	const requests: FakeContext['requests'] = [];
	const current: INode = { ...node, onError: setup.onError };

	const send = async (credentialType: string, options: IHttpRequestOptions): Promise<FullResponse> => {
		const credential = setup.credentials[credentialType];
		if (!credential) throw new Error(`test context: no ${credentialType} credential`);
		if (credentialType === 'skyBotHubApi') {
			return await fetchOnce(options, { 'X-API-Key': String((credential as Record<string, unknown>).apiKey) });
		}
		const oauth = credential as OAuthCredential;
		const attempt = async () => {
			const response = await fetchOnce(options, { authorization: `Bearer ${oauth.oauthTokenData.access_token}` });
			if (throwsFor(options, response.statusCode)) throw Object.assign(thrownFor(response), { status: response.statusCode });
			return response;
		};
		try {
			return await attempt();
		} catch (error) {
			if ((error as { status?: number }).status !== 401 || !oauth.oauthTokenData.refresh_token) throw error;
			// n8n refreshes the token on a thrown 401 and repeats the call once.
			const refreshed = await fetch(oauth.accessTokenUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({
					grant_type: 'refresh_token',
					refresh_token: oauth.oauthTokenData.refresh_token,
					client_id: oauth.clientId,
					client_secret: oauth.clientSecret,
				}).toString(),
			});
			if (!refreshed.ok) {
				throw new NodeApiError(current, { message: 'Access could not be refreshed: reconnect the credential' } as JsonObject);
			}
			const tokens = (await refreshed.json()) as { access_token: string };
			oauth.oauthTokenData = { ...oauth.oauthTokenData, access_token: tokens.access_token };
			return await attempt();
		}
	};

	const context = {
		getNode: () => current,
		getMode: () => setup.mode ?? 'trigger',
		getWorkflowStaticData: () => staticData,
		getPollBudgetMs: () => 60_000,
		getInputData: () => setup.items ?? [{ json: {} }],
		continueOnFail: () => setup.continueOnFail ?? false,
		getCredentials: async (type: string) => setup.credentials[type],
		getNodeParameter: (name: string, indexOrFallback?: unknown, fallback?: unknown) => {
			const fallbackValue = typeof indexOrFallback === 'number' ? fallback : indexOrFallback;
			return Object.hasOwn(setup.parameters, name) ? setup.parameters[name] : fallbackValue;
		},
		logger: {
			warn: (message: string) => warnings.push(message),
			info: () => undefined,
			debug: () => undefined,
			error: () => undefined,
		},
		helpers: {
			returnJsonArray: (data: IDataObject | IDataObject[]) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
			httpRequestWithAuthentication: async (credentialType: string, options: IHttpRequestOptions) => {
				requests.push({ credentialType, options });
				const response = await send(credentialType, options);
				return options.returnFullResponse ? response : response.body;
			},
		},
	};
	return { context: context as unknown as IExecuteFunctions & IPollFunctions, staticData, warnings, requests };
}

// ---- a stand-in for the hub's YouTube routes ----------------------------------------------------------------------

export interface FakeHubYouTube extends FakeServer {
	/** Channels the hub holds a connection (a Google token) for. */
	connect(channelId: string, accessToken: string): void;
	/** The channel's connection needs reauthorisation (409 reauth_required). */
	markReauth(channelId: string): void;
	/** What the hub reports as the Google project's quota on every comments answer. */
	quota: YouTubeQuotaView;
	/** True: answer 429 youtube_quota_exceeded instead of 200 with quota.exceeded. */
	refuseWhenExceeded: boolean;
}

const hubError = (status: number, code: string, message: string) => new FakeHttpError(status, { error: { code, message } });

export async function startFakeHubYouTube(google: FakeGoogleYouTube): Promise<FakeHubYouTube> {
	const connections = new Map<string, { token: string; reauth: boolean }>();
	/** The tenant a connected channel belongs to, as the hub's channels route answers it. */
	const accountOf = (channelId: string) => `acc_${channelId}`;
	const hub = {
		quota: { used: 0, limit: 10_000, resetAt: new Date(Date.now() + 12 * 3600_000).toISOString(), exceeded: false },
		refuseWhenExceeded: false,
	};

	/** The hub's answer to a refused Google call: quota → 429, token → 409, anything else → 502. */
	const providerRefused = async (response: Response): Promise<never> => {
		const body = (await response.json()) as { error?: { message?: string; errors?: { reason?: string }[] } };
		const reason = body.error?.errors?.[0]?.reason;
		if (reason === 'quotaExceeded') throw hubError(429, 'youtube_quota_exceeded', 'YouTube quota exceeded');
		if (response.status === 401) throw hubError(409, 'reauth_required', 'Reconnect the account');
		throw hubError(502, 'provider_error', body.error?.message ?? `YouTube answered ${response.status}`);
	};

	const connection = (accountExternalId: unknown) => {
		if (typeof accountExternalId !== 'string' || accountExternalId === '') {
			throw hubError(400, 'validation_error', 'accountExternalId is required');
		}
		const found = connections.get(accountExternalId);
		if (!found) throw hubError(404, 'social_account_not_found', 'No connected account holds it');
		if (found.reauth) throw hubError(409, 'reauth_required', 'Reconnect the account');
		return found;
	};

	const server = await startFakeServer(async (request) => {
		if (request.headers['x-api-key'] !== HUB_API_KEY) throw hubError(401, 'unauthorized', 'Invalid API key');
		if (request.method === 'GET' && request.path === '/api/social-accounts/youtube/channels') {
			const channels = [...connections].filter(([, found]) => !found.reauth).map(([channelId]) => ({ accountId: accountOf(channelId), channelId, name: null }));
			return { status: 200, body: { channels } };
		}
		if (request.method === 'GET' && request.path === '/api/social-accounts/youtube/comments') {
			const account = connection(request.query.accountExternalId);
			if (hub.quota.exceeded) {
				if (hub.refuseWhenExceeded) throw hubError(429, 'youtube_quota_exceeded', 'YouTube quota exceeded');
				return { status: 200, body: { items: [], quota: hub.quota } };
			}
			const query = new URLSearchParams({
				part: 'snippet',
				allThreadsRelatedToChannelId: request.query.accountExternalId!,
				order: 'time',
				maxResults: '100',
			});
			if (request.query.pageToken) query.set('pageToken', request.query.pageToken);
			const response = await fetch(`${google.url}/youtube/v3/commentThreads?${query}`, {
				headers: { authorization: `Bearer ${account.token}` },
			});
			if (!response.ok) await providerRefused(response);
			const page = (await response.json()) as { items: unknown[]; nextPageToken?: string };
			return { status: 200, body: { items: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}), quota: hub.quota } };
		}
		if (request.method === 'POST' && request.path === '/api/social-accounts/youtube/reply-comment') {
			const body = isPlainObject(request.json) ? request.json : {};
			const account = connection(body.accountExternalId);
			if (typeof body.parentId !== 'string' || typeof body.text !== 'string') {
				throw hubError(400, 'validation_error', 'parentId and text are required');
			}
			const response = await fetch(`${google.url}/youtube/v3/comments?part=snippet`, {
				method: 'POST',
				headers: { authorization: `Bearer ${account.token}`, 'content-type': 'application/json' },
				body: JSON.stringify({ snippet: { parentId: body.parentId, textOriginal: body.text } }),
			});
			if (!response.ok) await providerRefused(response);
			return { status: 200, body: { messageId: ((await response.json()) as { id: string }).id } };
		}
		throw hubError(404, 'route_not_found', 'Route not found');
	});

	return Object.assign(hub, server, {
		connect: (channelId: string, accessToken: string) => void connections.set(channelId, { token: accessToken, reauth: false }),
		markReauth: (channelId: string) => {
			const found = connections.get(channelId);
			if (found) found.reauth = true;
		},
	});
}
