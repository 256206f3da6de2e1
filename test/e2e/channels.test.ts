/**
 * End to end, the channels a tenant connects through the hub: a real n8n with the package, the pipeline and its
 * provider entry workflows published; the real hub holding each tenant's tokens (encrypted) and making the provider
 * calls; fakes of Facebook Login + the Graph API, the TikTok API for Business and OpenAI. Accounts are connected
 * through the hub's OAuth routes, then webhooks are POSTed the way Meta and TikTok sign them; the assertions look at
 * what reached the fake provider APIs (and with which token) and at the hub's database. YouTube has no webhook: the
 * YouTube entry polls every connected channel through the hub, once a minute.
 */
import { graphId, instagramMessage } from '../fakes/meta-webhook';
import { openId, tiktokComment, tiktokDirectMessage } from '../fakes/tiktok-webhook';
import { eventually, startStack, type Stack } from './support/stack';

jest.setTimeout(10 * 60_000);

let stack: Stack;

beforeAll(async () => {
	stack = await startStack();
});

afterAll(async () => {
	await stack?.stop();
});

interface InteractionRow {
	status: string;
	reason: string | null;
	reply_text: string | null;
	reply_external_id: string | null;
	account_id: string;
}

async function interaction(messageId: string): Promise<InteractionRow | undefined> {
	const rows = (await stack.hub.dataSource.query('SELECT * FROM interactions WHERE message_id = $1', [messageId])) as InteractionRow[];
	return rows[0];
}

/** The reply the fake model wrote for a message text. */
function aiReplyTo(text: string): string {
	const completion = stack.openAi.completions.find((c) => c.request.messages.some((m) => m.content.includes(text)));
	if (!completion) throw new Error(`the AI was never asked about "${text}"`);
	return completion.reply;
}

/** The agent answers comments with AI too (the default scenario answers DMs only). */
async function answerComments(agentId: string, key: string): Promise<void> {
	const saved = await stack.hub.request(`/api/agents/${agentId}/scenario`, {
		method: 'PUT',
		key,
		body: { scenario: { defaultActions: { dm: { type: 'ai_reply' }, comment: { type: 'ai_reply' }, postback: { type: 'ai_reply' } } } },
	});
	expect(saved.status).toBe(200);
}

/** A tenant whose person connected a TikTok business account through the hub, routed to the tenant's agent. */
async function tiktokTenant() {
	const seeded = await stack.hub.createTenant();
	const owner = await stack.hub.addUser(seeded.account.id, 'owner');
	const businessId = openId();
	stack.tiktok.seedAccount(businessId, { display_name: 'Salon Ana', username: 'salon.ana' });
	const started = await stack.hub.request('/api/social-accounts/tiktok/auth-url', { token: owner.accessToken });
	expect(started.status).toBe(200);
	const url = new URL(started.body.url);
	const code = stack.tiktok.issueAuthCode(businessId, { redirectUri: url.searchParams.get('redirect_uri')! });
	const connected = await stack.hub.request(
		`/api/social-accounts/tiktok/callback?auth_code=${encodeURIComponent(code)}&state=${url.searchParams.get('state')}`,
	);
	expect([connected.status, connected.body.claimed]).toEqual([200, [{ provider: 'tiktok', externalId: businessId, name: 'Salon Ana' }]]);
	const linked = await stack.hub.request('/api/provider-accounts', {
		key: seeded.apiKey.key,
		body: { provider: 'tiktok', externalId: businessId, agentId: seeded.agent.id },
	});
	expect(linked.status).toBe(200);
	await answerComments(seeded.agent.id, seeded.apiKey.key);
	return { businessId, accountId: seeded.account.id };
}

async function tiktokEntryExecutions(): Promise<number> {
	const entry = stack.bootstrap.workflows.find((workflow) => workflow.name === 'SkyBot — TikTok entry')!;
	return (await stack.n8nApi(`/executions?workflowId=${entry.id}&limit=250`)).data.length;
}

describe('TikTok through the hub', () => {
	beforeAll(async () => {
		// Publishing returns before n8n has registered the entry's webhook: until then its path answers 404.
		await eventually('the TikTok entry webhook', async () => ((await stack.deliverTikTok(tiktokComment(), { signature: null })).status === 401 ? true : undefined));
	});

	it('answers a signed new comment with the AI reply, posted with the tenant’s own token', async () => {
		const { businessId, accountId } = await tiktokTenant();
		const text = `Combien pour une coupe ? ${openId()}`;
		const delivery = tiktokComment({ businessId, text });
		const commentId = (JSON.parse(delivery.content.replace(/"comment_id":(\d+)/, '"comment_id":"$1"')) as { comment_id: string }).comment_id;

		expect((await stack.deliverTikTok(delivery)).status).toBe(200);
		const row = await eventually('the TikTok comment interaction', async () => {
			const found = await interaction(commentId);
			return found?.status === 'replied' ? found : undefined;
		});
		const reply = stack.tiktok.replies.find((candidate) => candidate.commentId === commentId)!;
		expect(reply).toMatchObject({ businessId, text: aiReplyTo(text) });
		expect(row).toMatchObject({ account_id: accountId, reply_text: aiReplyTo(text), reply_external_id: reply.replyCommentId });
	});

	it('answers a DM in its conversation', async () => {
		const { businessId } = await tiktokTenant();
		const text = `Vous êtes ouverts samedi ? ${openId()}`;
		const conversationId = `0:1:${Date.now()}`;
		const delivery = tiktokDirectMessage({ businessId, text, conversationId });
		expect((await stack.deliverTikTok(delivery)).status).toBe(200);
		const sent = await eventually('the TikTok DM reply', async () => stack.tiktok.messages.find((message) => message.recipient === conversationId));
		expect(sent).toMatchObject({ businessId, recipientType: 'CONVERSATION', text: aiReplyTo(text) });
	});

	it('refuses a forged, stale or missing signature with 401 and runs nothing', async () => {
		const { businessId } = await tiktokTenant();
		const before = await tiktokEntryExecutions();
		const forged = tiktokComment({ businessId, text: 'forged' });
		expect((await stack.deliverTikTok(forged, { secret: 'not-the-app-secret' })).status).toBe(401);
		const stale = tiktokComment({ businessId, text: 'stale' });
		expect((await stack.deliverTikTok(stale, { signedAt: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
		expect((await stack.deliverTikTok(tiktokComment({ businessId }), { signature: null })).status).toBe(401);
		await stack.waitForIdle();
		expect(await tiktokEntryExecutions()).toBe(before);
		expect(stack.openAi.completions.some((c) => c.request.messages.some((m) => /forged|stale/.test(m.content)))).toBe(false);
	});
});

describe('a Meta page connected through the hub', () => {
	it("answers its Instagram DM with the page's own token, not the operator's", async () => {
		const seeded = await stack.hub.createTenant();
		const owner = await stack.hub.addUser(seeded.account.id, 'owner');
		const page = { id: graphId(), name: 'Atelier Lumière', instagram: { id: graphId(), username: 'atelier.lumiere' } };
		const started = await stack.hub.request('/api/social-accounts/meta/auth-url', { token: owner.accessToken });
		const url = new URL(started.body.url);
		const code = stack.metaLogin.issueCode({ id: graphId(), name: 'Ana', pages: [page] }, url.searchParams.get('redirect_uri')!);
		const connected = await stack.hub.request(`/api/social-accounts/meta/callback?code=${code}&state=${url.searchParams.get('state')}`);
		expect(connected.body.claimed.map((claim: { externalId: string }) => claim.externalId)).toEqual([page.id, page.instagram.id]);
		const linked = await stack.hub.request('/api/provider-accounts', {
			key: seeded.apiKey.key,
			body: { provider: 'instagram', externalId: page.instagram.id, agentId: seeded.agent.id },
		});
		expect(linked.status).toBe(200);

		const senderId = graphId();
		const text = `Vous livrez à Lyon ? ${openId()}`;
		expect((await stack.deliver(instagramMessage({ accountId: page.instagram.id, senderId, text }))).status).toBe(200);
		const sent = await eventually('the Instagram reply', async () => stack.graph.sent.find((message) => message.recipient === senderId));
		expect(sent).toMatchObject({ accountId: page.instagram.id, text: aiReplyTo(text) });
		const request = stack.graph.requests.find((candidate) => candidate.path.endsWith(`/${page.instagram.id}/messages`))!;
		expect(request.headers.authorization).toBe(`Bearer ${stack.metaLogin.pageTokenOf(page.id)}`);
	});
});

describe('a YouTube channel connected through the hub', () => {
	it('gets its new comments answered by the YouTube entry, with the channel token, and its old ones left alone', async () => {
		const seeded = await stack.hub.createTenant();
		const owner = await stack.hub.addUser(seeded.account.id, 'owner');
		const channelId = `UC${graphId().padEnd(22, 'y').slice(0, 22)}`;
		stack.google.addChannel(channelId, 'Salon Ana TV');
		const old = stack.google.addComment(channelId, { author: 'Old', text: 'Un vieux commentaire' });
		const started = await stack.hub.request('/api/social-accounts/youtube/auth-url', { token: owner.accessToken });
		const back = new URL(stack.google.consent(started.body.url, channelId).redirectUrl);
		expect((await stack.hub.request(`${back.pathname}${back.search}`)).status).toBe(200);
		expect(
			(await stack.hub.request('/api/provider-accounts', { key: seeded.apiKey.key, body: { provider: 'youtube', externalId: channelId, agentId: seeded.agent.id } }))
				.status,
		).toBe(200);
		await answerComments(seeded.agent.id, seeded.apiKey.key);

		// The entry's first look at this channel only records where it stands (n8n polls once a minute).
		const looks = () =>
			stack.google.requests.filter((request) => request.path === '/youtube/v3/commentThreads' && request.query.allThreadsRelatedToChannelId === channelId).length;
		await eventually('the first poll of the channel', async () => (looks() > 0 ? true : undefined), 150_000);
		const text = `Vous coupez les cheveux bouclés ? ${openId()}`;
		const comment = stack.google.addComment(channelId, { author: 'Bea', text });

		const reply = await eventually('the reply at YouTube', async () => stack.google.replies.find((candidate) => candidate.parentId === comment.commentId), 150_000);
		expect(reply).toMatchObject({ channelId, text: aiReplyTo(text) });
		const row = await eventually('the YouTube interaction', async () => {
			const found = await interaction(comment.commentId);
			return found?.status === 'replied' ? found : undefined;
		});
		expect(row).toMatchObject({ account_id: seeded.account.id, reply_external_id: reply.id });
		expect(stack.google.replies.some((candidate) => candidate.parentId === old.commentId)).toBe(false);
	});
});
