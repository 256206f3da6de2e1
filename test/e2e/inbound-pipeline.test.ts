/**
 * End to end: a real n8n (the pinned runtime) with the node package installed and the versioned pipeline
 * published, the real hub on PostgreSQL and Redis, fakes for OpenAI and the Graph API. Webhooks are POSTed the
 * way Meta sends them; the assertions look at what reached the fake Graph API and at the hub's database.
 */
import {
	graphId,
	instagramComment,
	instagramMessage,
	instagramPostback,
	messengerMessage,
	messengerRead,
	whatsappText,
	type MetaWebhookPayload,
} from '../fakes/meta-webhook';
import { defaultReply } from '../fakes/openai';
import { META_VERIFY_TOKEN, eventually, startStack, type Stack } from './support/stack';

jest.setTimeout(10 * 60_000);

interface InteractionRow {
	status: string;
	reason: string | null;
	reply_text: string | null;
	reply_external_id: string | null;
	error_message: string | null;
	inbound_text: string | null;
	account_id: string;
}

let stack: Stack;

beforeAll(async () => {
	stack = await startStack();
});

afterAll(async () => {
	await stack?.stop();
});

async function interaction(messageId: string): Promise<InteractionRow | undefined> {
	const rows = (await stack.hub.dataSource.query('SELECT * FROM interactions WHERE message_id = $1', [
		messageId,
	])) as InteractionRow[];
	expect(rows.length).toBeLessThanOrEqual(1);
	return rows[0];
}

function awaitInteraction(messageId: string): Promise<InteractionRow> {
	return eventually(`the interaction of ${messageId}`, () => interaction(messageId));
}

/** The reply the fake model wrote for a message text (the fake answers deterministically per request). */
function aiReplyTo(text: string): string {
	const completion = stack.openAi.completions.find((c) => c.request.messages.some((m) => m.content.includes(text)));
	if (!completion) throw new Error(`the AI was never asked about "${text}"`);
	return completion.reply;
}

/** The `mid` of a Messenger / Instagram DM payload (its dedupe key). */
function midOf(payload: MetaWebhookPayload): string {
	return (payload.entry[0] as { messaging: { message: { mid: string } }[] }).messaging[0].message.mid;
}

function sentTo(recipient: string) {
	return stack.graph.sent.filter((message) => message.recipient === recipient);
}

async function newTenant(provider: 'messenger' | 'instagram' | 'whatsapp', plan: 'freemium' | 'premium' = 'freemium') {
	const externalId = graphId();
	const tenant = await stack.hub.createTenant({ plan, externalAccount: { provider, externalId } });
	return { externalId, accountId: tenant.account.id, agentId: tenant.agent.id as string, key: tenant.apiKey.key };
}

describe('Meta webhook handshake', () => {
	it('echoes hub.challenge for the right verify token', async () => {
		const url = `${stack.webhookUrl}?hub.mode=subscribe&hub.verify_token=${META_VERIFY_TOKEN}&hub.challenge=1158201444`;
		const response = await fetch(url);
		expect(response.status).toBe(200);
		expect(await response.text()).toBe('1158201444');
	});

	it('refuses a wrong verify token with 403 and does not echo the challenge', async () => {
		const response = await fetch(`${stack.webhookUrl}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=777123`);
		expect(response.status).toBe(403);
		expect(await response.text()).not.toContain('777123');
	});
});

describe('bootstrap', () => {
	it('is idempotent: a second run keeps the API key, the workflow and the credentials, and duplicates nothing', async () => {
		const again = await stack.rebootstrap();

		expect(again.apiKey).toBe(stack.bootstrap.apiKey);
		expect(again.workflows.map(({ name, id, active }) => ({ name, id, active }))).toEqual(
			stack.bootstrap.workflows.map(({ name, id }) => ({ name, id, active: true })),
		);
		expect(again.credentials).toEqual(stack.bootstrap.credentials);
		const workflows = (await stack.n8nApi('/workflows?limit=250')).data as { name: string }[];
		const names = workflows.map((workflow) => workflow.name);
		expect(names.filter((name) => name === 'SkyBot — Inbound message pipeline')).toHaveLength(1);
		expect(new Set(names).size).toBe(names.length);
		// Serving again once n8n has re-registered the republished workflow's webhook.
		const challenge = await eventually('the webhook to answer after the re-publish', async () => {
			const response = await fetch(`${stack.webhookUrl}?hub.mode=subscribe&hub.verify_token=${META_VERIFY_TOKEN}&hub.challenge=42`);
			return response.status === 200 ? response.text() : undefined;
		});
		expect(challenge).toBe('42');
	});
});

describe('inbound DM → AI reply → Graph API → interaction log', () => {
	it.each([
		['messenger', messengerMessage],
		['instagram', instagramMessage],
	] as const)('answers a %s DM with the AI text and logs it as replied', async (provider, build) => {
		const { externalId, accountId } = await newTenant(provider);
		const senderId = graphId();
		const text = `Bonjour 👋 c'est combien la livraison à Besançon ? (${provider})`;
		const payload = build({ accountId: externalId, senderId, text });
		const messageId = midOf(payload);

		const response = await stack.deliver(payload);
		expect(response.status).toBe(200);

		const row = await awaitInteraction(messageId);
		expect(row).toMatchObject({ status: 'replied', account_id: accountId, inbound_text: text });
		const reply = aiReplyTo(text);
		expect(row.reply_text).toBe(reply);
		const sent = sentTo(senderId);
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({ accountId: externalId, text: reply });
		expect(row.reply_external_id).toBe(sent[0].messageId);

		// The pipeline's Report node recorded the execution, signed, with the real n8n execution id.
		const [execution] = await eventually(`the execution report of ${messageId}`, async () => {
			const rows = (await stack.hub.dataSource.query('SELECT * FROM executions WHERE message_id = $1', [messageId])) as {
				status: string;
				account_id: string;
				n8n_execution_id: string;
				contact_id: string;
				latency_ms: number | null;
				prompt_tokens: number;
			}[];
			return rows.length > 0 ? rows : undefined;
		});
		expect(execution).toMatchObject({ status: 'success', account_id: accountId, contact_id: senderId });
		expect(execution.n8n_execution_id).toMatch(/^\d+$/);
		expect(execution.latency_ms).toEqual(expect.any(Number));
		expect(execution.prompt_tokens).toBeGreaterThan(0);
	});

	it('answers a WhatsApp text through the phone number id', async () => {
		const { externalId } = await newTenant('whatsapp');
		const payload = whatsappText({ phoneNumberId: externalId, text: 'Hola, ¿tienen disponibilidad mañana?' });
		const value = (payload.entry[0] as { changes: { value: { messages: { id: string; from: string }[] } }[] }).changes[0]
			.value;
		const [{ id: messageId, from }] = value.messages;

		expect((await stack.deliver(payload)).status).toBe(200);

		expect(await awaitInteraction(messageId)).toMatchObject({ status: 'replied' });
		expect(sentTo(from)).toEqual([
			expect.objectContaining({ api: 'whatsapp', accountId: externalId, text: aiReplyTo('¿tienen disponibilidad') }),
		]);
	});

	it('never answers read receipts or echoes and never counts them against the quota', async () => {
		const { externalId } = await newTenant('messenger');
		const contact = graphId();
		const echo = messengerMessage({ accountId: externalId, senderId: contact, echo: true, text: 'echo of our reply' });
		const read = messengerRead({ pageId: externalId, senderId: contact });
		expect((await stack.deliver(echo)).status).toBe(200);
		expect((await stack.deliver(read)).status).toBe(200);
		await stack.waitForIdle();

		expect(sentTo(contact)).toEqual([]);
		const rows = (await stack.hub.dataSource.query(
			'SELECT count(*)::int AS n FROM interactions i JOIN provider_accounts p ON p.account_id = i.account_id WHERE p.external_id = $1',
			[externalId],
		)) as { n: number }[];
		expect(rows[0].n).toBe(0);
	});
});

describe('bad deliveries', () => {
	it.each([
		['a wrong signature', { signature: `sha256=${'0'.repeat(64)}` }],
		['a signature made with another secret', { secret: 'not-the-app-secret' }],
		['no signature at all', { signature: null }],
	])('refuses %s with 401 and runs nothing', async (_case, forge) => {
		const { externalId } = await newTenant('messenger');
		const senderId = graphId();
		const payload = messengerMessage({ accountId: externalId, senderId, text: 'forged message' });
		const messageId = midOf(payload);
		const response = await stack.deliver(payload, forge);
		expect(response.status).toBe(401);

		// A genuine message sent afterwards is processed, so the forged one would have been by now too.
		const genuine = messengerMessage({ accountId: externalId, senderId: graphId(), text: 'genuine message' });
		await stack.deliver(genuine);
		await awaitInteraction(midOf(genuine));
		await stack.waitForIdle();
		expect(await interaction(messageId)).toBeUndefined();
		expect(sentTo(senderId)).toEqual([]);
	});
});

describe('duplicates, quotas and provider failures', () => {
	it('answers a message delivered twice exactly once, with one model call', async () => {
		const { externalId } = await newTenant('instagram');
		const senderId = graphId();
		const payload = instagramMessage({ accountId: externalId, senderId, text: 'Meta sent me twice' });
		const messageId = midOf(payload);

		const [first, second] = await Promise.all([stack.deliver(payload), stack.deliver(payload)]);
		expect([first.status, second.status]).toEqual([200, 200]);
		// Pipeline v2 dedupes before the model: the second delivery stops at Decide.
		await eventually('the reply', async () => (sentTo(senderId).length > 0 ? true : undefined));
		await stack.waitForIdle();

		expect(sentTo(senderId)).toHaveLength(1);
		expect(
			stack.openAi.completions.filter((c) => c.request.messages.some((m) => m.content.includes('Meta sent me twice'))),
		).toHaveLength(1);
		expect(await interaction(messageId)).toMatchObject({ status: 'replied' });
	});

	it("does not answer a Freemium tenant's 11th DM of the day and logs quota_exceeded", async () => {
		const { externalId } = await newTenant('messenger', 'freemium');
		const senders = Array.from({ length: 11 }, () => graphId());
		const messageIds: string[] = [];
		for (const [index, senderId] of senders.entries()) {
			const payload = messengerMessage({ accountId: externalId, senderId, text: `demande numéro ${index + 1}` });
			messageIds.push(midOf(payload));
			expect((await stack.deliver(payload)).status).toBe(200);
			// One at a time, so "the 11th" is well defined.
			await awaitInteraction(messageIds[index]);
		}

		const rows = await Promise.all(messageIds.map((id) => interaction(id)));
		expect(rows.slice(0, 10).map((row) => row?.status)).toEqual(Array(10).fill('replied'));
		expect(rows[10]).toMatchObject({ status: 'quota_exceeded', reason: 'daily_dm_quota' });
		expect(sentTo(senders[10])).toEqual([]);
		expect(senders.slice(0, 10).every((sender) => sentTo(sender).length === 1)).toBe(true);
	});

	it('logs a Graph API 500 as failed, keeping the message and the AI reply', async () => {
		const { externalId } = await newTenant('messenger');
		const senderId = graphId();
		const text = 'Is the store open on Sunday?';
		const payload = messengerMessage({ accountId: externalId, senderId, text });
		const messageId = midOf(payload);
		stack.graph.failNextSends(1, { status: 500 });

		expect((await stack.deliver(payload)).status).toBe(200);

		const row = await awaitInteraction(messageId);
		expect(row).toMatchObject({ status: 'failed', reason: 'send_failed', inbound_text: text });
		expect(row.reply_text).toBe(aiReplyTo(text));
		expect(row.error_message).toEqual(expect.any(String));
		expect(sentTo(senderId)).toEqual([]);
	});
});

describe("the agent's scenario in the shared pipeline (v2.0.0)", () => {
	const scenario = {
		companyName: 'Café Lumière',
		burstWindowSeconds: 0,
		rules: [
			{
				id: 'comment-price',
				when: { kinds: ['comment'], keywords: ['prix', 'tarif'] },
				then: { type: 'fixed_reply', text: 'Bonjour {{contact.name | !}} Nos tarifs arrivent en message privé.' },
			},
			{ id: 'prices-button', when: { postbackPayloads: ['PRICES'] }, then: { type: 'fixed_reply', text: 'Espresso 2 €, brunch 18 €.' } },
			{ id: 'human', when: { keywords: ['conseiller'] }, then: { type: 'handover' } },
		],
	};

	async function tenantWithScenario() {
		const tenant = await newTenant('instagram', 'premium');
		const saved = await stack.hub.request(`/api/agents/${tenant.agentId}/scenario`, { method: 'PUT', key: tenant.key, body: { scenario } });
		expect(saved.body).toMatchObject({ version: 1 });
		return tenant;
	}

	it('answers a comment with a keyword privately with the fixed reply, and leaves other comments alone', async () => {
		const { externalId } = await tenantWithScenario();
		const [pricedId, plainId] = [graphId(), graphId()];
		const priced = instagramComment({ accountId: externalId, commentId: pricedId, fromUsername: 'lea.martin', text: 'Quel est le PRIX ? 😍' });
		const plain = instagramComment({ accountId: externalId, commentId: plainId, text: 'Trop beau !' });
		const calls = stack.openAi.completions.length;

		expect((await stack.deliver(priced)).status).toBe(200);
		expect((await stack.deliver(plain)).status).toBe(200);

		expect(await awaitInteraction(pricedId)).toMatchObject({ status: 'replied', kind: 'comment' });
		expect(await awaitInteraction(plainId)).toMatchObject({ status: 'skipped', reason: 'scenario_no_reply' });
		await stack.waitForIdle();
		expect(stack.graph.sent.filter((message) => message.recipient === pricedId)).toEqual([
			expect.objectContaining({ privateReply: true, text: expect.stringMatching(/^Bonjour .*Nos tarifs arrivent en message privé\.$/) }),
		]);
		expect(stack.graph.sent.filter((message) => message.recipient === plainId)).toEqual([]);
		// A fixed reply is no model call.
		expect(stack.openAi.completions).toHaveLength(calls);
	});

	it("answers a button tap by its payload, and hands the conversation to a person on the handover keyword", async () => {
		const { externalId, key } = await tenantWithScenario();
		const [tapper, asker] = [graphId(), graphId()];
		expect((await stack.deliver(instagramPostback({ accountId: externalId, senderId: tapper, payload: 'PRICES' }))).status).toBe(200);
		await eventually('the fixed reply to the tap', async () => (sentTo(tapper).length > 0 ? true : undefined));
		expect(sentTo(tapper)).toEqual([expect.objectContaining({ text: 'Espresso 2 €, brunch 18 €.', privateReply: false })]);

		const handover = instagramMessage({ accountId: externalId, senderId: asker, text: 'Je voudrais un conseiller' });
		expect((await stack.deliver(handover)).status).toBe(200);
		expect(await awaitInteraction(midOf(handover))).toMatchObject({ status: 'skipped', reason: 'handed_over' });
		const conversations = (await stack.hub.request('/api/conversations?handler=human', { key })).body.conversations;
		expect(conversations.map((conversation: { contact: { externalId: string } }) => conversation.contact.externalId)).toEqual([asker]);
		await stack.waitForIdle();
		expect(sentTo(asker)).toEqual([]);
	});

	it('answers a burst of three DMs once, reading all of them (the scenario\'s burst window)', async () => {
		const tenant = await newTenant('instagram', 'premium');
		const saved = await stack.hub.request(`/api/agents/${tenant.agentId}/scenario`, {
			method: 'PUT',
			key: tenant.key,
			body: { scenario: { burstWindowSeconds: 2 } },
		});
		expect(saved.body).toMatchObject({ version: 1 });
		const senderId = graphId();
		const texts = ['Bonjour', 'je cherche une table', 'pour samedi soir'];
		for (const text of texts) {
			expect((await stack.deliver(instagramMessage({ accountId: tenant.externalId, senderId, text }))).status).toBe(200);
		}
		await eventually('the reply', async () => (sentTo(senderId).length > 0 ? true : undefined));
		await stack.waitForIdle();

		expect(sentTo(senderId)).toHaveLength(1);
		const [completion, ...others] = stack.openAi.completions.filter((c) => c.request.messages.some((m) => m.content === 'pour samedi soir'));
		expect(others).toEqual([]);
		expect(completion!.request.messages.map((m) => m.content)).toEqual(expect.arrayContaining(texts));
		expect((await stack.hub.request('/api/billing/usage', { key: tenant.key })).body.used).toBe(1);
	});

	it('sends no AI message when a person takes the conversation over while the model writes', async () => {
		const tenant = await newTenant('instagram', 'premium');
		const senderId = graphId();
		// An earlier message of the conversation, outside the window: the conversation exists in the hub.
		const earlier = instagramMessage({ accountId: tenant.externalId, senderId, text: 'Bonjour', at: new Date(Date.now() - 30 * 3_600_000) });
		expect((await stack.deliver(earlier)).status).toBe(200);
		await awaitInteraction(midOf(earlier));
		const [conversation] = (await stack.hub.request('/api/conversations', { key: tenant.key })).body.conversations;
		// The model answers only once the person has taken the conversation over.
		stack.openAi.replyWith(async (request) => {
			const taken = await stack.hub.request(`/api/conversations/${conversation.id}/handover`, { method: 'POST', key: tenant.key });
			expect(taken.status).toBe(200);
			return defaultReply(request);
		});
		const message = instagramMessage({ accountId: tenant.externalId, senderId, text: 'Vous avez de la place ce soir ?' });
		try {
			expect((await stack.deliver(message)).status).toBe(200);
			expect(await awaitInteraction(midOf(message))).toMatchObject({ status: 'skipped', reason: 'human_handling' });
		} finally {
			stack.openAi.replyWith(defaultReply);
		}
		await stack.waitForIdle();
		expect(sentTo(senderId)).toEqual([]);
		expect((await stack.hub.request('/api/billing/usage', { key: tenant.key })).body.used).toBe(0);
	});
});
