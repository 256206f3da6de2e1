/**
 * The whole product on one machine, for the end-to-end suite: the real hub (fresh migrated database, real Redis),
 * the real pinned n8n (its own fresh database, the built node package installed as a community package, the
 * versioned workflows published through n8n's public API), and local fakes for OpenAI and Meta's Graph API.
 * Everything is driven over HTTP, like production; everything is removed by stop().
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
	startTestHub,
	type StartTestHubOptions,
	TEST_DATABASE_BASE_URL,
	TEST_WEBHOOK_SECRET,
	type TestHub,
} from '../../../hub-api/test/support';
import { startFakeMetaGraph, type FakeMetaGraph } from '../../fakes/meta-graph';
import { createFakeMetaLogin, type FakeMetaLogin } from '../../fakes/meta-login';
import { signedDelivery, type MetaWebhookPayload } from '../../fakes/meta-webhook';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/openai';
import { FAKE_GOOGLE_CLIENT, startFakeGoogleYouTube, type FakeGoogleYouTube } from '../../fakes/google-youtube';
import { startFakeTikTokBusiness, type FakeTikTokBusiness } from '../../fakes/tiktok-business';
import { signTikTok, type TikTokDelivery } from '../../fakes/tiktok-webhook';
import {
	bootstrapN8n,
	installN8nRuntime,
	placeNodePackage,
	startN8n,
	type BootstrapN8nOptions,
	type BootstrapResult,
	type N8nInstance,
} from '../../../scripts/n8n-runtime/index.ts';

export const META_APP_SECRET = 'e2e-meta-app-secret';
export const META_VERIFY_TOKEN = 'e2e-verify-token';
export const PIPELINE_WEBHOOK_PATH = 'skybot-meta';
export const TIKTOK_WEBHOOK_PATH = 'skybot-tiktok';
/** The hub's public URL as the providers' apps know it: the OAuth redirect URIs are built on it. */
export const HUB_PUBLIC_URL = 'https://hub.e2e.skybot.test';

export interface Stack {
	hub: TestHub;
	/** The stack hub's keyring and provider apps: another hub on its database needs them to use its tenants' tokens. */
	hubOptions: Pick<StartTestHubOptions, 'encryptionKeys' | 'social'>;
	n8n: N8nInstance;
	n8nApiKey: string;
	bootstrap: BootstrapResult;
	/** Runs the same bootstrap again (as every `npm start` does) and returns its result. */
	rebootstrap(): Promise<BootstrapResult>;
	/** n8n's public API (GET), authenticated with the bootstrap's key. */
	n8nApi(path: string): Promise<{ data: unknown[] }>;
	openAi: FakeOpenAi;
	graph: FakeMetaGraph;
	/** Facebook Login's endpoints on `graph` (tenants connecting their pages through the hub). */
	metaLogin: FakeMetaLogin;
	/** The TikTok API for Business and Google OAuth + YouTube Data API the hub connects tenants' accounts through. */
	tiktok: FakeTikTokBusiness;
	google: FakeGoogleYouTube;
	webhookUrl: string;
	/**
	 * POSTs a delivery to the TikTok entry workflow's webhook the way TikTok does: `TikTok-Signature` over the raw
	 * body with the app secret, signed now, unless `forge` gives another secret, another signing time or a header.
	 */
	deliverTikTok(delivery: TikTokDelivery, forge?: { secret?: string; signedAt?: number; signature?: string | null }): Promise<Response>;
	/**
	 * POSTs a payload to the pipeline's webhook the way Meta does: Meta-serialised body signed with the app secret,
	 * unless `secret` names another one or `signature` replaces the header (null leaves it out).
	 */
	deliver(payload: MetaWebhookPayload, forge?: { secret?: string; signature?: string | null }): Promise<Response>;
	/** Resolves when n8n has no execution left running or queued. */
	waitForIdle(): Promise<void>;
	stop(): Promise<void>;
}

async function dropDatabase(name: string): Promise<void> {
	const client = new Client({ connectionString: TEST_DATABASE_BASE_URL });
	await client.connect();
	try {
		await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	} finally {
		await client.end();
	}
}

/** Polls `probe` until it returns a value other than undefined; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

export async function startStack(): Promise<Stack> {
	const id = randomBytes(5).toString('hex');
	const userFolder = join(process.cwd(), '.tmp', `e2e-${id}`);
	const n8nDatabase = `skybot_e2e_n8n_${id}`;
	const cleanups: (() => Promise<unknown>)[] = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
	};

	try {
		const openAi = await startFakeOpenAi();
		cleanups.push(() => openAi.close());
		// Facebook Login on the same fake: tenants connect their pages, whose page tokens the Send API then accepts.
		const metaLogin = createFakeMetaLogin();
		const graph = await startFakeMetaGraph({ login: metaLogin });
		cleanups.push(() => graph.close());
		const tiktok = await startFakeTikTokBusiness();
		cleanups.push(() => tiktok.close());
		const google = await startFakeGoogleYouTube();
		cleanups.push(() => google.close());
		google.registerClient({ ...FAKE_GOOGLE_CLIENT, redirectUris: [`${HUB_PUBLIC_URL}/api/social-accounts/youtube/callback`] });
		// Tenants connect TikTok and YouTube through the hub, which keeps their tokens encrypted and makes the calls.
		const hubOptions: Stack['hubOptions'] = {
			encryptionKeys: [{ id: 'e2e', key: randomBytes(32) }],
			social: {
				redirectBaseUrl: HUB_PUBLIC_URL,
				meta: { appId: metaLogin.appId, appSecret: metaLogin.appSecret, graphUrl: graph.url, graphVersion: 'v23.0', dialogUrl: graph.url },
				// Meta replies go out from the hub: a connected page with its own token, an operator claim with this one.
				metaSend: { graphUrl: graph.url, graphVersion: 'v23.0', operatorAccessToken: graph.accessToken },
				tiktok: { appId: tiktok.clientId, appSecret: tiktok.clientSecret, apiUrl: tiktok.apiBase, authorizeUrl: `${tiktok.url}/v2/auth/authorize/` },
				youtube: {
					clientId: FAKE_GOOGLE_CLIENT.clientId,
					clientSecret: FAKE_GOOGLE_CLIENT.clientSecret,
					oauthUrl: google.url,
					apiUrl: google.url,
					dailyQuota: 10_000,
				},
			},
		};
		const hub = await startTestHub(hubOptions);
		cleanups.push(() => hub.close());

		const runtime = await installN8nRuntime({ onProgress: (line) => console.log(line) });
		mkdirSync(userFolder, { recursive: true });
		cleanups.push(async () => rmSync(userFolder, { recursive: true, force: true }));
		await placeNodePackage(userFolder);

		const url = new URL(TEST_DATABASE_BASE_URL);
		url.pathname = `/${n8nDatabase}`;
		const owner = { email: 'owner@e2e.skybot.test', password: `E2e-${randomBytes(9).toString('base64url')}` };
		cleanups.push(() => dropDatabase(n8nDatabase));
		const n8n = await startN8n({
			userFolder,
			database: url.toString(),
			owner,
			runtimeDir: runtime.dir,
			// Jest sets NODE_ENV=test, under which n8n exits at start-up without a word.
			env: { NODE_ENV: 'production' },
			// Quiet unless asked: a start-up failure carries n8n's last lines in its error anyway.
			onLine: (line) => {
				if (process.env.E2E_N8N_LOG) console.log(line);
			},
		});
		cleanups.push(() => n8n.stop());

		const bootstrapOptions: BootstrapN8nOptions = {
			url: n8n.url,
			userFolder,
			owner,
			workflowsDir: join(process.cwd(), 'workflows', 'inbound-message-pipeline'),
			credentials: [
				{
					name: 'SkyBot Hub API',
					type: 'skyBotHubApi',
					// webhookSecret signs the pipeline's execution reports (the hub's SKYBOT_WEBHOOK_SECRET).
					data: { baseUrl: hub.url, apiKey: hub.platformKey, webhookSecret: TEST_WEBHOOK_SECRET },
				},
				{
					name: 'Meta App',
					type: 'skyBotMetaAppApi',
					data: {
						appSecret: META_APP_SECRET,
						verifyToken: META_VERIFY_TOKEN,
						accessToken: graph.accessToken,
						graphBaseUrl: graph.url,
						graphVersion: 'v23.0',
					},
				},
				{ name: 'TikTok App', type: 'skyBotTikTokAppApi', data: { clientKey: tiktok.clientId, appSecret: tiktok.clientSecret } },
				{ name: 'OpenAI', type: 'openAiApi', data: { apiKey: openAi.apiKey, url: openAi.baseUrl } },
			],
		};
		const bootstrap = await bootstrapN8n(bootstrapOptions);

		const webhookUrl = `${n8n.url}/webhook/${PIPELINE_WEBHOOK_PATH}`;
		// Publishing returns before n8n has registered the workflow's webhooks; until then the path answers 404.
		await eventually('the pipeline webhook to be registered', async () =>
			(await fetch(`${webhookUrl}?hub.mode=subscribe&hub.verify_token=${META_VERIFY_TOKEN}&hub.challenge=1`)).status ===
			200
				? true
				: undefined,
		);
		const n8nApi = async (path: string) => {
			const response = await fetch(`${n8n.url}/api/v1${path}`, { headers: { 'X-N8N-API-KEY': bootstrap.apiKey } });
			if (!response.ok) throw new Error(`n8n ${path} → ${response.status} ${await response.text()}`);
			return (await response.json()) as { data: unknown[] };
		};

		return {
			hub,
			hubOptions,
			n8n,
			n8nApiKey: bootstrap.apiKey,
			bootstrap,
			rebootstrap: () => bootstrapN8n(bootstrapOptions),
			n8nApi,
			openAi,
			graph,
			metaLogin,
			tiktok,
			google,
			webhookUrl,
			deliverTikTok: (delivery, forge = {}) => {
				const body = JSON.stringify(delivery);
				const signature =
					forge.signature === undefined ? signTikTok(body, forge.secret ?? tiktok.clientSecret, forge.signedAt) : forge.signature;
				const headers: Record<string, string> = { 'content-type': 'application/json' };
				if (signature !== null) headers['tiktok-signature'] = signature;
				return fetch(`${n8n.url}/webhook/${TIKTOK_WEBHOOK_PATH}`, { method: 'POST', body, headers });
			},
			deliver: (payload, forge = {}) => {
				const { body, headers } = signedDelivery(payload, forge.secret ?? META_APP_SECRET);
				const sent: Record<string, string> = { ...headers };
				if (forge.signature === null) delete sent['x-hub-signature-256'];
				else if (forge.signature !== undefined) sent['x-hub-signature-256'] = forge.signature;
				return fetch(webhookUrl, { method: 'POST', body, headers: sent });
			},
			waitForIdle: async () => {
				await eventually('n8n executions to finish', async () => {
					const [running, queued] = await Promise.all([
						n8nApi('/executions?status=running&limit=5'),
						n8nApi('/executions?status=new&limit=5').catch(() => ({ data: [] })),
					]);
					return running.data.length === 0 && queued.data.length === 0 ? true : undefined;
				});
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
