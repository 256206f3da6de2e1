/**
 * Connecting Meta through Facebook Login (the fake Graph API with its login endpoints, test/fakes/meta-login.ts): the
 * consent URL is a person's, the callback's state is single use, bound to its provider and 10 minutes long; the
 * tokens are stored encrypted and never answered; the pages and Instagram accounts the person manages are claimed
 * (another tenant's are reported, not moved) and subscribed to the app's webhooks; replies go out with the page's own
 * token; disconnecting revokes at Meta and releases the pages.
 */
import { randomBytes } from 'node:crypto';
import { startFakeMetaGraph, type FakeMetaGraph } from '../../test/fakes/meta-graph';
import { createFakeMetaLogin, type FakeMetaLogin, type FakeMetaUser } from '../../test/fakes/meta-login';
import { SecretBox, type SecretKey } from '../src/secrets/secret-box';
import { closedPort, createManualClock, startTestHub, type TestHub, type TestUser } from './support';
import type { SeededTenant } from '../src/seed';

const keyring: SecretKey[] = [{ id: 'k1', key: randomBytes(32) }];
const clock = createManualClock(new Date());
let login: FakeMetaLogin;
let graph: FakeMetaGraph;
let hub: TestHub;

const pageId = () => String(100_000_000_000_000 + Math.floor(Math.random() * 1e12));
const userWithPage = (): FakeMetaUser => ({
	id: pageId(),
	name: 'Ana Owner',
	pages: [{ id: pageId(), name: 'Ana Bakery', instagram: { id: `1784${pageId()}`, username: 'ana.bakery' } }],
});

beforeAll(async () => {
	login = createFakeMetaLogin();
	graph = await startFakeMetaGraph({ login });
	hub = await startTestHub({
		clock: clock.now,
		encryptionKeys: keyring,
		social: {
			meta: { appId: login.appId, appSecret: login.appSecret, graphUrl: graph.url, graphVersion: 'v23.0', dialogUrl: graph.url },
			// The operator's own token, for pages it claimed without a connection (META_ACCESS_TOKEN).
			metaSend: { graphUrl: graph.url, graphVersion: 'v23.0', operatorAccessToken: graph.accessToken },
			// Configured so a Meta state can be tried on the TikTok callback; never called.
			tiktok: { appId: 'tt-app', appSecret: 'tt-secret', apiUrl: 'http://127.0.0.1:9/open_api/v1.3', authorizeUrl: 'http://127.0.0.1:9/auth' },
		},
	});
});
afterAll(async () => {
	await hub?.close();
	await graph?.close();
});

interface Tenant {
	seeded: SeededTenant;
	owner: TestUser;
}

async function tenant(): Promise<Tenant> {
	const seeded = await hub.createTenant();
	return { seeded, owner: await hub.addUser(seeded.account.id, 'owner') };
}

async function authUrl(person: TestUser, provider = 'meta'): Promise<URL> {
	const response = await hub.request(`/api/social-accounts/${provider}/auth-url`, { token: person.accessToken });
	expect(response.status).toBe(200);
	return new URL(response.body.url);
}

/** What Facebook Login does once the person consents: back to the redirect URI with a code and the state. */
async function consent(url: URL, user: FakeMetaUser, state = url.searchParams.get('state')!) {
	const redirectUri = url.searchParams.get('redirect_uri')!;
	const code = login.issueCode(user, redirectUri);
	const callback = new URL(redirectUri);
	callback.search = new URLSearchParams({ code, state }).toString();
	return hub.request(`${callback.pathname}${callback.search}`);
}

const socialRows = async () => Number((await hub.dataSource.query(`SELECT count(*) AS n FROM social_accounts`))[0].n);

describe('connecting Meta', () => {
	it('sends the person to Facebook Login with the app, the scopes, a state and the hub callback', async () => {
		const { owner } = await tenant();
		const url = await authUrl(owner);
		expect(`${url.origin}${url.pathname}`).toBe(`${graph.url}/v23.0/dialog/oauth`);
		expect(url.searchParams.get('client_id')).toBe(login.appId);
		expect(url.searchParams.get('redirect_uri')).toBe(`${hub.url}/api/social-accounts/meta/callback`);
		expect(url.searchParams.get('scope')?.split(',')).toEqual(expect.arrayContaining(['pages_messaging', 'instagram_manage_messages']));
		expect(url.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
	});

	it('refuses to start a connection for an API key or a viewer: the consent is a person\'s', async () => {
		const { seeded } = await tenant();
		const byKey = await hub.request('/api/social-accounts/meta/auth-url', { key: seeded.apiKey.key });
		expect([byKey.status, byKey.body.error.code]).toEqual([403, 'person_required']);
		const viewer = await hub.addUser(seeded.account.id, 'viewer');
		const byViewer = await hub.request('/api/social-accounts/meta/auth-url', { token: viewer.accessToken });
		expect([byViewer.status, byViewer.body.error.code]).toEqual([403, 'insufficient_role']);
	});

	it('stores the connection encrypted, claims and subscribes the pages, and never answers a token', async () => {
		const { seeded, owner } = await tenant();
		const user = userWithPage();
		const page = user.pages[0]!;
		const response = await consent(await authUrl(owner), user);

		expect(response.status).toBe(200);
		expect(response.body.socialAccount).toMatchObject({ provider: 'meta', externalId: user.id, name: user.name, status: 'active', accountId: seeded.account.id });
		expect(response.body.claimed).toEqual([
			{ provider: 'messenger', externalId: page.id, name: page.name },
			{ provider: 'instagram', externalId: page.instagram!.id, name: page.instagram!.username },
		]);
		expect(response.body.conflicts).toEqual([]);
		expect(login.subscribedPages).toContain(page.id);

		const listed = await hub.request('/api/social-accounts', { key: seeded.apiKey.key });
		expect(listed.body.socialAccounts).toEqual([
			expect.objectContaining({ id: response.body.socialAccount.id, channels: expect.arrayContaining(response.body.claimed) }),
		]);
		const pageToken = login.pageTokenOf(page.id)!;
		for (const body of [response.body, listed.body]) expect(JSON.stringify(body)).not.toMatch(/EAA/);

		// At rest: SecretBox values bound to their rows, which decrypt to what Meta issued.
		const [stored] = await hub.dataSource.query(`SELECT id, access_token FROM provider_accounts WHERE external_id = $1`, [page.id]);
		expect(stored.access_token).not.toContain(pageToken);
		expect(new SecretBox(keyring).decrypt(stored.access_token, { table: 'provider_accounts', column: 'access_token', rowId: stored.id })).toBe(pageToken);
		const [account] = await hub.dataSource.query(`SELECT access_token FROM social_accounts WHERE external_id = $1`, [user.id]);
		expect(account.access_token).toMatch(/^v1\.k1\./);

		// The pages now route to this tenant.
		const routes = await hub.request('/api/provider-accounts', { key: seeded.apiKey.key });
		expect(routes.body.providerAccounts.map((row: { externalId: string }) => row.externalId).sort()).toEqual([page.id, page.instagram!.id].sort());
	});

	it('answers a reused, unknown, expired or other-provider state with 400 and stores nothing', async () => {
		const { owner } = await tenant();
		const url = await authUrl(owner);
		expect((await consent(url, userWithPage())).status).toBe(200);
		const before = await socialRows();

		const reused = await consent(url, userWithPage());
		expect([reused.status, reused.body.error.code]).toEqual([400, 'invalid_oauth_state']);
		const unknown = await consent(url, userWithPage(), randomBytes(32).toString('base64url'));
		expect([unknown.status, unknown.body.error.code]).toEqual([400, 'invalid_oauth_state']);
		const garbage = await consent(url, userWithPage(), "'; DROP TABLE social_accounts; --");
		expect([garbage.status, garbage.body.error.code]).toEqual([400, 'invalid_oauth_state']);

		const late = await authUrl(owner);
		clock.advance(10 * 60_000 + 1000);
		const expired = await consent(late, userWithPage());
		expect([expired.status, expired.body.error.code]).toEqual([400, 'invalid_oauth_state']);

		const forMeta = await authUrl(owner);
		const onTikTok = await hub.request(`/api/social-accounts/tiktok/callback?code=x&state=${forMeta.searchParams.get('state')}`);
		expect([onTikTok.status, onTikTok.body.error.code]).toEqual([400, 'invalid_oauth_state']);

		const noState = await hub.request('/api/social-accounts/meta/callback?code=x');
		expect(noState.status).toBe(422);
		expect(await socialRows()).toBe(before);
	});

	it('reports a refused consent or a code Meta does not accept as 400, storing nothing', async () => {
		const { owner } = await tenant();
		const before = await socialRows();
		const denied = await authUrl(owner);
		const refused = await hub.request(`/api/social-accounts/meta/callback?error=access_denied&state=${denied.searchParams.get('state')}`);
		expect([refused.status, refused.body.error.code]).toEqual([400, 'oauth_denied']);
		const bogus = await authUrl(owner);
		const badCode = await hub.request(`/api/social-accounts/meta/callback?code=not-a-code&state=${bogus.searchParams.get('state')}`);
		expect([badCode.status, badCode.body.error.code]).toEqual([400, 'oauth_exchange_failed']);
		expect(await socialRows()).toBe(before);
	});

	it("reports pages another tenant holds as conflicts and leaves them with that tenant", async () => {
		const first = await tenant();
		const second = await tenant();
		const page = { id: pageId(), name: 'Shared Page' };
		await consent(await authUrl(first.owner), { id: pageId(), name: 'First', pages: [page] });

		const response = await consent(await authUrl(second.owner), { id: pageId(), name: 'Second', pages: [page] });
		expect(response.status).toBe(200);
		expect(response.body.claimed).toEqual([]);
		expect(response.body.conflicts).toEqual([{ provider: 'messenger', externalId: page.id, name: page.name }]);
		const [held] = await hub.dataSource.query(`SELECT account_id FROM provider_accounts WHERE external_id = $1`, [page.id]);
		expect(held.account_id).toBe(first.seeded.account.id);
	});
});

describe('replying with the page token', () => {
	it("sends the DM with the page's own token, and 404s a page the tenant did not connect", async () => {
		const { seeded, owner } = await tenant();
		const user = userWithPage();
		await consent(await authUrl(owner), user);
		const page = user.pages[0]!;

		const sent = await hub.request('/api/social-accounts/meta/send-dm', {
			key: seeded.apiKey.key,
			body: { provider: 'instagram', accountExternalId: page.instagram!.id, recipientId: 'igsid-42', text: 'Hello from the bakery' },
		});
		expect(sent.status).toBe(200);
		const accepted = graph.sent.find((message) => message.messageId === sent.body.messageId)!;
		expect(accepted).toMatchObject({ accountId: page.instagram!.id, recipient: 'igsid-42', text: 'Hello from the bakery' });
		const request = graph.requests.find((candidate) => candidate.path.endsWith(`/${page.instagram!.id}/messages`))!;
		expect(request.headers.authorization).toBe(`Bearer ${login.pageTokenOf(page.id)}`);

		const other = await tenant();
		const notTheirs = await hub.request('/api/social-accounts/meta/send-dm', {
			key: other.seeded.apiKey.key,
			body: { provider: 'messenger', accountExternalId: page.id, recipientId: 'psid-1', text: 'hi' },
		});
		expect([notTheirs.status, notTheirs.body.error.code]).toEqual([404, 'social_account_not_found']);
	});

	it("sends from a page the operator claimed with the operator's token, and from no page of another tenant", async () => {
		const pageId = String(100_000_000_000_000 + Math.floor(Math.random() * 1e12));
		const claimed = await hub.createTenant({ externalAccount: { provider: 'messenger', externalId: pageId } });
		const sent = await hub.request('/api/social-accounts/meta/send-dm', {
			key: claimed.apiKey.key,
			body: { provider: 'messenger', accountExternalId: pageId, recipientId: 'psid-7', text: 'Bonjour' },
		});
		expect(sent.status).toBe(200);
		const request = graph.requests.find((candidate) => candidate.path.endsWith(`/${pageId}/messages`))!;
		expect(request.headers.authorization).toBe(`Bearer ${graph.accessToken}`);

		const stranger = await hub.createTenant();
		const refused = await hub.request('/api/social-accounts/meta/send-dm', {
			key: stranger.apiKey.key,
			body: { provider: 'messenger', accountExternalId: pageId, recipientId: 'psid-7', text: 'Bonjour' },
		});
		expect([refused.status, refused.body.error.code]).toEqual([404, 'social_account_not_found']);
	});

	it('answers a tampered stored token with a 500 that names nothing, and sends nothing', async () => {
		const { seeded, owner } = await tenant();
		const user = userWithPage();
		await consent(await authUrl(owner), user);
		const page = user.pages[0]!;
		// Another row's ciphertext: authentic, but bound to that row.
		await hub.dataSource.query(
			`UPDATE provider_accounts SET access_token = (SELECT access_token FROM provider_accounts WHERE external_id = $2) WHERE external_id = $1`,
			[page.id, page.instagram!.id],
		);
		const sentBefore = graph.sent.length;
		const response = await hub.request('/api/social-accounts/meta/send-dm', {
			key: seeded.apiKey.key,
			body: { provider: 'messenger', accountExternalId: page.id, recipientId: 'psid-1', text: 'hi' },
		});
		expect(response.status).toBe(500);
		expect(response.body.error.code).toBe('secret_unreadable');
		expect(JSON.stringify(response.body)).not.toMatch(/provider_accounts|v1\.k1|EAA/);
		expect(graph.sent.length).toBe(sentBefore);
	});
});

describe('disconnecting', () => {
	it('revokes at Meta, forgets the tokens and releases the pages', async () => {
		const { seeded, owner } = await tenant();
		const user = userWithPage();
		const connected = await consent(await authUrl(owner), user);
		const id = connected.body.socialAccount.id;

		const member = await hub.addUser(seeded.account.id, 'member');
		const byMember = await hub.request(`/api/social-accounts/${id}`, { method: 'DELETE', token: member.accessToken });
		expect(byMember.status).toBe(403);

		const response = await hub.request(`/api/social-accounts/${id}`, { method: 'DELETE', token: owner.accessToken });
		expect(response.status).toBe(200);
		expect(response.body).toEqual({ revoked: true });
		expect(login.revokedUsers).toContain(user.id);
		expect((await hub.request('/api/social-accounts', { key: seeded.apiKey.key })).body.socialAccounts).toEqual([]);
		const pages = await hub.dataSource.query(`SELECT 1 FROM provider_accounts WHERE external_id = $1`, [user.pages[0]!.id]);
		expect(pages).toEqual([]);
		const again = await hub.request(`/api/social-accounts/${id}`, { method: 'DELETE', token: owner.accessToken });
		expect(again.status).toBe(404);
	});
});

describe('a hub that cannot store tokens', () => {
	it('answers 503 before anyone consents: without a key or without the provider app', async () => {
		const bare = await startTestHub({ social: { meta: { appId: '1', appSecret: 's', graphUrl: graph.url, graphVersion: 'v23.0', dialogUrl: graph.url } } });
		try {
			const person = await bare.registerUser();
			const noKey = await bare.request('/api/social-accounts/meta/auth-url', { token: person.accessToken });
			expect([noKey.status, noKey.body.error.code]).toEqual([503, 'encryption_not_configured']);
			const noApp = await bare.request('/api/social-accounts/youtube/auth-url', { token: person.accessToken });
			expect([noApp.status, noApp.body.error.code]).toEqual([503, 'provider_not_configured']);
		} finally {
			await bare.close();
		}
	});

	it('answers 503 when Redis, which holds the states, is down: nothing is exchanged or stored', async () => {
		const offline = await startTestHub({
			redisUrl: `redis://127.0.0.1:${await closedPort()}`,
			encryptionKeys: keyring,
			social: { meta: { appId: login.appId, appSecret: login.appSecret, graphUrl: graph.url, graphVersion: 'v23.0', dialogUrl: graph.url } },
		});
		try {
			const exchangesBefore = graph.requests.length;
			const response = await offline.request(`/api/social-accounts/meta/callback?code=x&state=${randomBytes(32).toString('base64url')}`);
			expect([response.status, response.body.error.code]).toEqual([503, 'oauth_state_unavailable']);
			expect(graph.requests.length).toBe(exchangesBefore);
			expect(await offline.dataSource.query('SELECT id FROM social_accounts')).toEqual([]);
		} finally {
			await offline.close();
		}
	});
});
