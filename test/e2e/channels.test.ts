/**
 * End to end, the channels a tenant connects through the hub: a real n8n with the package, the pipeline and its
 * provider entry workflows published; the real hub holding each tenant's tokens (encrypted) and making the provider
 * calls; fakes of the TikTok API for Business, Google OAuth + YouTube Data API and OpenAI. A TikTok account is
 * connected through the hub's OAuth routes, then webhooks are POSTed the way TikTok signs them; the assertions look at
 * what reached the fake TikTok API and at the hub's database.
 */
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
