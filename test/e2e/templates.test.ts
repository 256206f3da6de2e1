/**
 * End to end: every shipped template, installed by the real hub into the real pinned n8n, driven from its trigger
 * (a signed Meta webhook on the agent's own path, or its schedule) to the fake provider and to the hub.
 */
import type { LeadResponse } from '../../contracts/hub-api';
import { graphId, instagramComment, instagramMessage, signedDelivery, type MetaWebhookPayload } from '../fakes/meta-webhook';
import { type ChatCompletionRequest, defaultReply } from '../fakes/openai';
import { startTestHub, type TestHub } from '../../hub-api/test/support';
import { eventually, startStack, type Stack } from './support/stack';

jest.setTimeout(10 * 60_000);

const APP_SECRET = 'tenant-templates-app-secret';
const VERIFY_TOKEN = 'tenant-templates-verify-token';

let stack: Stack;
/** A hub on the stack's database that installs agents into the stack's n8n. */
let hub: TestHub;

beforeAll(async () => {
	stack = await startStack();
	hub = await startTestHub({
		database: { name: 'stack', url: stack.hub.databaseUrl, drop: async () => {} },
		deploy: { n8n: { url: stack.n8n.url, apiKey: stack.n8nApiKey } },
		// The tests poll the hub's API with the tenant's key several times a second while they wait for a run.
		rateLimits: { perMinute: 100_000 },
		// The same keyring and provider apps: the YouTube template's calls go through this hub with the tenant's token.
		...stack.hubOptions,
		// A replica of the stack's hub: the stack's YouTube entry polls this test's channel too, and the shared
		// Redis namespace makes the second of the two pipelines see the comment as already decided.
		loginThrottlePrefix: stack.hub.redisNamespace,
	});
});

afterAll(async () => {
	await hub?.close();
	await stack?.stop();
});

interface Agent {
	id: string;
	accountId: string;
	n8nWorkflowId: string;
}

async function install(key: string, templateSlug: string, config: Record<string, unknown> = {}): Promise<Agent> {
	const response = await hub.request('/api/agents/from-template', {
		key,
		body: {
			templateSlug,
			config: {
				businessName: 'Atelier Lumière',
				metaAppSecret: APP_SECRET,
				metaVerifyToken: VERIFY_TOKEN,
				openAiApiKey: stack.openAi.apiKey,
				openAiBaseUrl: stack.openAi.baseUrl,
				...config,
			},
		},
	});
	expect(response.body.error).toBeUndefined();
	expect(response.status).toBe(201);
	return response.body.agent as Agent;
}

const sendingConfig = () => ({ metaAccessToken: stack.graph.accessToken, graphBaseUrl: stack.graph.url });

async function webhookReady(agentId: string): Promise<void> {
	await eventually(`the webhook of agent ${agentId}`, async () => {
		const response = await fetch(
			`${stack.n8n.url}/webhook/skybot/${agentId}/meta?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=7`,
		);
		return response.status === 200 ? true : undefined;
	});
}

async function deliverTo(agentId: string, payload: MetaWebhookPayload): Promise<void> {
	const { body, headers } = signedDelivery(payload, APP_SECRET);
	const response = await fetch(`${stack.n8n.url}/webhook/skybot/${agentId}/meta`, { method: 'POST', body, headers });
	expect(response.status).toBe(200);
}

/** The `mid` of an Instagram / Messenger DM payload: its interaction's message id. */
const midOf = (payload: MetaWebhookPayload) =>
	(payload.entry[0] as { messaging: { message: { mid: string } }[] }).messaging[0]!.message.mid;

interface InteractionRow {
	status: string;
	reason: string | null;
	reply_text: string | null;
	reply_external_id: string | null;
	agent_id: string;
	account_id: string;
	kind: string;
}

function interactionOf(messageId: string): Promise<InteractionRow> {
	return eventually(`the interaction of ${messageId}`, async () => {
		const rows = (await hub.dataSource.query('SELECT * FROM interactions WHERE message_id = $1', [messageId])) as InteractionRow[];
		return rows[0];
	});
}

/** The signed execution report the template's Report node sent for a message. */
function executionReportOf(messageId: string, status: 'success' | 'error' | 'skipped') {
	return eventually(`the ${status} execution report of ${messageId}`, async () => {
		const rows = (await hub.dataSource.query('SELECT status FROM executions WHERE message_id = $1', [messageId])) as {
			status: string;
		}[];
		return rows.find((row) => row.status === status);
	});
}

describe('instagram-comment-to-dm', () => {
	it('answers a customer comment with a private reply addressed to the comment', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const agent = await install(tenant.apiKey.key, 'instagram-comment-to-dm', sendingConfig());
		await webhookReady(agent.id);

		const accountId = graphId();
		const commentId = graphId();
		const text = `Prix ? Je veux le vase bleu (${agent.id})`;
		await deliverTo(agent.id, instagramComment({ accountId, commentId, text }));

		const row = await interactionOf(commentId);
		expect(row).toMatchObject({ status: 'replied', kind: 'comment', agent_id: agent.id, account_id: tenant.account.id });
		const sent = stack.graph.sent.filter((message) => message.recipient === commentId);
		expect(sent).toEqual([expect.objectContaining({ accountId, privateReply: true, text: row.reply_text })]);
		// The model wrote it with the template's instructions for a private reply, not the generic DM ones.
		const [completion] = stack.openAi.completions.filter((c) => c.request.messages.some((m) => m.content === text));
		expect(completion!.request.messages[0]!.content).toMatch(/^The customer commented on one of our posts\./);
		expect(completion!.reply).toBe(row.reply_text);
		await executionReportOf(commentId, 'success');
	});

	it('follows the instructions the client configured', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const systemPrompt = 'Réponds en une phrase et donne le lien https://atelier.example/prix.';
		const agent = await install(tenant.apiKey.key, 'instagram-comment-to-dm', { ...sendingConfig(), systemPrompt });
		await webhookReady(agent.id);
		const commentId = graphId();
		const text = `INFO (${agent.id})`;
		await deliverTo(agent.id, instagramComment({ commentId, text }));
		expect(await interactionOf(commentId)).toMatchObject({ status: 'replied' });
		const [completion] = stack.openAi.completions.filter((c) => c.request.messages.some((m) => m.content === text));
		expect(completion!.request.messages[0]!.content).toMatch(new RegExp(`^${systemPrompt.replace(/[.?]/g, '\\$&')}`));
	});

	it('never answers the account’s own comments, and logs a failed private reply', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const agent = await install(tenant.apiKey.key, 'instagram-comment-to-dm', sendingConfig());
		await webhookReady(agent.id);
		const accountId = graphId();
		const ownCommentId = graphId();
		await deliverTo(agent.id, instagramComment({ accountId, fromId: accountId, commentId: ownCommentId, text: 'Merci à tous !' }));

		stack.graph.failNextSends(1, { status: 500 });
		const commentId = graphId();
		await deliverTo(agent.id, instagramComment({ accountId, commentId, text: `Dispo en bleu ? (${agent.id})` }));
		expect(await interactionOf(commentId)).toMatchObject({ status: 'failed', reason: 'send_failed' });
		await executionReportOf(commentId, 'error');
		await stack.waitForIdle();
		expect(stack.graph.sent.filter((message) => [ownCommentId, commentId].includes(message.recipient))).toEqual([]);
		expect(await hub.dataSource.query('SELECT 1 FROM interactions WHERE message_id = $1', [ownCommentId])).toEqual([]);
	});
});

describe('inbound-dm-auto-responder', () => {
	it('answers a DM through the tenant’s own Meta app and logs it', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const agent = await install(tenant.apiKey.key, 'inbound-dm-auto-responder', sendingConfig());
		await webhookReady(agent.id);

		const senderId = graphId();
		const payload = instagramMessage({ accountId: graphId(), senderId, text: `Ouvert dimanche ? ${agent.id}` });
		await deliverTo(agent.id, payload);
		const messageId = midOf(payload);

		const row = await interactionOf(messageId);
		expect(row).toMatchObject({ status: 'replied', agent_id: agent.id });
		expect(stack.graph.sent.filter((message) => message.recipient === senderId)).toEqual([
			expect.objectContaining({ privateReply: false, text: row.reply_text }),
		]);
		await executionReportOf(messageId, 'success');

		// The same contact again a minute later: within the anti-flood window, logged and reported, not answered.
		const again = instagramMessage({ accountId: (payload.entry[0] as { id: string }).id, senderId, text: 'Et lundi ?' });
		await deliverTo(agent.id, again);
		const againId = midOf(again);
		expect(await interactionOf(againId)).toMatchObject({ status: 'skipped', reason: 'anti_flood' });
		await executionReportOf(againId, 'skipped');
		expect(stack.graph.sent.filter((message) => message.recipient === senderId)).toHaveLength(1);
	});
});

describe('lead-qualifier', () => {
	it('qualifies a DM into a lead with its phone number and sends nothing', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const agent = await install(tenant.apiKey.key, 'lead-qualifier');
		await webhookReady(agent.id);

		const senderId = graphId();
		const text = `Je voudrais un devis pour samedi, appelez-moi au 06 12 34 56 78 (${agent.id})`;
		stack.openAi.replyWith((request) => {
			const instructions = request.messages[0]?.content ?? '';
			if (instructions.startsWith('Classify this prospect')) return '{"temperature": "hot", "reason": "Veut un devis"}';
			if (instructions.startsWith("Extract the customer's phone number")) return '+33612345678';
			return 'unexpected prompt';
		});
		const accountExternalId = graphId();
		const payload = instagramMessage({ accountId: accountExternalId, senderId, text });
		await deliverTo(agent.id, payload);
		const messageId = midOf(payload);

		const row = await interactionOf(messageId);
		expect(row).toMatchObject({ status: 'ignored', reason: 'lead_qualified' });
		const leads = await hub.request('/api/leads', { key: tenant.apiKey.key });
		// With what a follow-up needs: where to send from, the conversation, and what the lead last wrote, when.
		expect(leads.body.leads).toEqual([
			expect.objectContaining({
				agentId: agent.id,
				temperature: 'hot',
				contact: expect.objectContaining({ externalId: senderId, phone: '+33612345678' }),
				accountExternalId,
				conversationId: `instagram:${accountExternalId}:${senderId}`,
				lastMessageText: text,
				lastMessageAt: expect.any(String),
				followUp: null,
			}),
		]);
		expect(stack.graph.sent.filter((message) => message.recipient === senderId)).toEqual([]);
	});

	it('logs a classification the model got wrong as failed, and stores no lead', async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const agent = await install(tenant.apiKey.key, 'lead-qualifier');
		await webhookReady(agent.id);
		stack.openAi.replyWith((request) =>
			(request.messages[0]?.content ?? '').startsWith('Classify this prospect') ? 'Plutôt chaud, je dirais.' : 'NONE',
		);
		const payload = instagramMessage({ text: `Combien pour 12 personnes ? (${agent.id})` });
		await deliverTo(agent.id, payload);
		const messageId = midOf(payload);

		expect(await interactionOf(messageId)).toMatchObject({ status: 'failed', reason: 'qualification_failed' });
		expect((await hub.request('/api/leads', { key: tenant.apiKey.key })).body.leads).toEqual([]);
	});
});

/**
 * The sequence runs every minute here (checkEveryMinutes: 1) with its default steps, 1 and 20 hours of silence. Leads
 * are seeded with past timestamps before the agent exists, so its first run finds each in a known state; the phases
 * below follow one another on the agent's schedule (run 1, then the runs after it), sharing its leads.
 */
describe('follow-up-sequence', () => {
	const HOUR = 3_600_000;
	let key: string;
	let pageId: string;
	/** When the model was asked to write each lead's follow-up (by the text of the lead's last message). */
	const askedAt = new Map<string, number>();
	/** Lead texts whose follow-up the model holds back until the given time (a slow model). */
	const holdUntil = new Map<string, number>();

	interface Seeded {
		id: string;
		contactId: string;
		text: string;
		lastMessageAt: Date;
	}

	/** A lead of the tenant whose last message was `silentHours` ago; `followedUpAfterHours`: a follow-up then. */
	async function seedLead(
		name: string,
		options: { silentHours: number; temperature?: 'hot' | 'warm' | 'cold'; followedUpAfterHours?: number; followUps?: number },
	): Promise<Seeded> {
		const contactId = graphId();
		const text = `${name}: on en reparle ? (${contactId})`;
		const lastMessageAt = new Date(Date.now() - options.silentHours * HOUR);
		const response = await hub.request('/api/leads', {
			key,
			body: {
				provider: 'instagram',
				contact: { externalId: contactId, name },
				accountExternalId: pageId,
				conversationId: `instagram:${pageId}:${contactId}`,
				temperature: options.temperature ?? 'hot',
				lastMessageAt: lastMessageAt.toISOString(),
				lastMessageText: text,
			},
		});
		expect(response.status).toBe(201);
		if (options.followedUpAfterHours !== undefined || options.followUps !== undefined) {
			// The hub records a follow-up at its own "now"; these happened in the past.
			const contactedAt = new Date(lastMessageAt.getTime() + (options.followedUpAfterHours ?? -48) * HOUR);
			await hub.dataSource.query(
				`UPDATE leads SET last_contacted_at = $2, follow_up_count = $3, follow_up_status = 'sent', follow_up_at = $2
				WHERE id = $1`,
				[response.body.id, contactedAt, options.followUps ?? 1],
			);
		}
		return { id: response.body.id, contactId, text, lastMessageAt };
	}

	async function leadNow(lead: Seeded): Promise<LeadResponse> {
		const response = await hub.request(`/api/leads/${lead.id}`, { key });
		expect(response.status).toBe(200);
		return response.body as LeadResponse;
	}
	const sentTo = (lead: Seeded) => stack.graph.sent.filter((message) => message.recipient === lead.contactId);
	/** The follow-ups the model was asked to write for a lead (the qualifier's questions about its DM are not). */
	const completionsFor = (lead: Seeded) =>
		stack.openAi.completions.filter(
			({ request }) =>
				request.messages[0]!.content.includes('Write a follow-up message') &&
				request.messages.some((message) => message.content === lead.text),
		);

	const leads: Record<string, Seeded> = {};
	let qualifierId: string;

	/**
	 * Waits, if needed, until the next run of the sequence is at least 5 seconds away, and says when it starts, so what
	 * the test seeds now is listed by exactly that run. Runs start at the same second of every minute: a whole number of
	 * minutes after run 1, whose listing is when it first asked the model.
	 */
	async function secondsBeforeNextRun(): Promise<number> {
		const firstRun = Math.min(...[leads.firstStep!, leads.secondStep!].map((lead) => askedAt.get(lead.text)!));
		const nextRunAfter = (time: number) => firstRun + Math.ceil((time - firstRun) / 60_000) * 60_000;
		if (nextRunAfter(Date.now()) - Date.now() < 5_000) {
			await new Promise((resolve) => setTimeout(resolve, nextRunAfter(Date.now()) - Date.now() + 2_000));
		}
		return nextRunAfter(Date.now());
	}

	beforeAll(async () => {
		stack.openAi.replyWith(async (request: ChatCompletionRequest) => {
			const instructions = request.messages[0]?.content ?? '';
			// The lead qualifier's two questions, for the lead it records below.
			if (instructions.startsWith('Classify this prospect')) return '{"temperature": "warm", "reason": "Demande un prix"}';
			if (instructions.startsWith("Extract the customer's phone number")) return 'NONE';
			const text = request.messages.at(-1)!.content;
			askedAt.set(text, Date.now());
			const until = holdUntil.get(text);
			if (until !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
			// The default answer quotes the lead's message: each follow-up sent is told from the others.
			return defaultReply(request);
		});
		const tenant = await hub.createTenant({ plan: 'premium' });
		key = tenant.apiKey.key;
		pageId = graphId();
		leads.firstStep = await seedLead('quiet for 1 h 30', { silentHours: 1.5 });
		leads.tooSoon = await seedLead('quiet for 40 min', { silentHours: 40 / 60, temperature: 'warm' });
		leads.secondStep = await seedLead('followed up at 1 h 10, quiet for 21 h', { silentHours: 21, followedUpAfterHours: 1 + 1 / 6 });
		leads.sequenceDone = await seedLead('followed up at 20 h 05, quiet for 21 h', { silentHours: 21, followedUpAfterHours: 20 + 1 / 12 });
		leads.windowClosed = await seedLead('quiet for 25 h', { silentHours: 25 });
		leads.cold = await seedLead('cold, quiet for 2 h', { silentHours: 2, temperature: 'cold' });
		leads.capped = await seedLead('followed up 3 times already', { silentHours: 3, followUps: 3 });

		// The way leads really arrive: a DM the lead qualifier of the same account recorded, sent 1 h 30 ago.
		const qualifier = await install(key, 'lead-qualifier');
		qualifierId = qualifier.id;
		await webhookReady(qualifier.id);
		const qualified = { contactId: graphId(), text: `Vous faites des ateliers pour enfants ? (${qualifier.id})` };
		const lastMessageAt = new Date(Date.now() - 1.5 * HOUR);
		await deliverTo(qualifier.id, instagramMessage({ accountId: pageId, senderId: qualified.contactId, text: qualified.text, at: lastMessageAt }));
		const recorded = await eventually('the qualified lead', async () => {
			const found = (await hub.request('/api/leads?temperature=warm', { key })).body.leads as LeadResponse[];
			return found.find((lead) => lead.contact.externalId === qualified.contactId);
		});
		leads.qualified = { id: recorded.id, ...qualified, lastMessageAt };

		await install(key, 'follow-up-sequence', {
			...sendingConfig(),
			checkEveryMinutes: 1,
			followUpAfterHours: '1, 20',
			maxFollowUps: 3,
		});
	});

	afterAll(() => stack.openAi.replyWith(defaultReply));

	it('run 1: follows up at 1 h and at 20 h of silence, not before, and records a lead whose window closed', async () => {
		await eventually(
			'the first run of the sequence',
			async () => ((await leadNow(leads.windowClosed)).followUp?.status === 'window_closed' ? true : undefined),
			3 * 60_000,
		);
		await stack.waitForIdle();

		// The leads owed a follow-up got exactly one each, written by the model for them, from the account's page; the
		// one the lead qualifier recorded from a DM too.
		for (const lead of [leads.firstStep!, leads.secondStep!, leads.qualified!]) {
			const [completion, ...again] = completionsFor(lead);
			expect(again).toEqual([]);
			expect(sentTo(lead)).toEqual([
				expect.objectContaining({ accountId: pageId, privateReply: false, text: completion!.reply }),
			]);
		}
		// Said in hours: inside the messaging window, days would always be 0.
		expect(completionsFor(leads.firstStep!)[0]!.request.messages[0]!.content).toContain('has not written for 2 hours');
		expect(await leadNow(leads.firstStep!)).toMatchObject({ followUpCount: 1, followUp: { status: 'sent', reason: null } });
		expect(await leadNow(leads.secondStep!)).toMatchObject({ followUpCount: 2, followUp: { status: 'sent', reason: null } });
		// Recorded on the lead as it was: the qualifier's agent still owns it, its last message is unchanged.
		expect(await leadNow(leads.qualified!)).toMatchObject({
			followUpCount: 1,
			followUp: { status: 'sent' },
			agentId: qualifierId,
			lastMessageAt: leads.qualified!.lastMessageAt.toISOString(),
			lastMessageText: leads.qualified!.text,
		});

		// Silent for less than the first step, followed up at its last step already, cold, or at the sequence's limit:
		// no model call, nothing sent, nothing recorded.
		for (const lead of [leads.tooSoon!, leads.sequenceDone!, leads.cold!, leads.capped!]) {
			expect({ lead: lead.text, completions: completionsFor(lead).length, sent: sentTo(lead) }).toEqual({
				lead: lead.text,
				completions: 0,
				sent: [],
			});
		}
		expect((await leadNow(leads.tooSoon!)).followUp).toBeNull();

		// 25 hours after its last message the window is closed: nothing written or sent, the lead says why.
		expect(completionsFor(leads.windowClosed!)).toEqual([]);
		expect(sentTo(leads.windowClosed!)).toEqual([]);
		const closed = await hub.request('/api/leads?followUpStatus=window_closed', { key });
		expect(closed.body.leads).toEqual([
			expect.objectContaining({
				id: leads.windowClosed!.id,
				followUp: { status: 'window_closed', reason: 'outside_messaging_window', at: expect.any(String) },
			}),
		]);
	});

	it('a later run: never sends once the window closed, even while the model was writing, and records a failed send', async () => {
		// Runs start at the same second of every minute: the next one is a whole number of minutes after run 1's.
		const nextRun = await secondsBeforeNextRun();
		// Due when that run lists it (its window closes 10 s later), and the model answers only after the window closed.
		const windowEnd = nextRun + 10_000;
		stack.graph.failNextSends(1, { status: 500 });
		leads.sendFails = await seedLead('quiet for 2 h, send fails', { silentHours: 2 });
		leads.closesWhileWriting = await seedLead('window closing', { silentHours: (Date.now() - (windowEnd - 24 * HOUR)) / HOUR });
		holdUntil.set(leads.closesWhileWriting.text, windowEnd + 2_000);
		const windowClosedAt = (await leadNow(leads.windowClosed!)).followUp!.at;

		const raced = await eventually(
			'the run that lists the lead whose window is closing',
			async () => {
				const lead = await leadNow(leads.closesWhileWriting!);
				return lead.followUp ? lead : undefined;
			},
			3 * 60_000,
		);
		await stack.waitForIdle();

		// The model was asked (the lead was due when listed), but SkyBot Decision found the window closed before sending.
		expect(completionsFor(leads.closesWhileWriting!)).toHaveLength(1);
		expect(askedAt.get(leads.closesWhileWriting!.text)!).toBeLessThan(windowEnd);
		expect(sentTo(leads.closesWhileWriting!)).toEqual([]);
		expect(raced).toMatchObject({ followUpCount: 0, followUp: { status: 'window_closed', reason: 'outside_messaging_window' } });

		// Graph answered 500: the follow-up is recorded failed, not sent, not counted.
		expect(sentTo(leads.sendFails!)).toEqual([]);
		expect(await leadNow(leads.sendFails!)).toMatchObject({
			followUpCount: 0,
			lastContactedAt: null,
			followUp: { status: 'failed', reason: 'send_failed' },
		});

		// Nothing was sent twice, and a lead already recorded window_closed is not recorded again.
		expect(sentTo(leads.firstStep!)).toHaveLength(1);
		expect(sentTo(leads.secondStep!)).toHaveLength(1);
		expect((await leadNow(leads.windowClosed!)).followUp!.at).toBe(windowClosedAt);
		expect(sentTo(leads.tooSoon!)).toEqual([]);
	});

	it('the run after: tries the failed follow-up again while the window is open, and records a model failure', async () => {
		await secondsBeforeNextRun();
		// Listed before the retried lead (newer activity first), so the model's next answer, a 400, is its own.
		leads.modelFails = await seedLead('quiet for 2 h, the model fails', { silentHours: 2 });
		stack.openAi.failNext(1, { status: 400, message: 'Invalid request', code: 'invalid_value' });
		const retried = await eventually(
			'the failed follow-up to be sent again',
			async () => {
				const lead = await leadNow(leads.sendFails!);
				return lead.followUp?.status === 'sent' ? lead : undefined;
			},
			3 * 60_000,
		);
		await stack.waitForIdle();
		expect(retried.followUpCount).toBe(1);
		expect(sentTo(leads.sendFails!)).toHaveLength(1);
		expect(await leadNow(leads.modelFails!)).toMatchObject({ followUpCount: 0, followUp: { status: 'failed', reason: 'ai_failed' } });
		expect(sentTo(leads.modelFails!)).toEqual([]);
		expect(sentTo(leads.closesWhileWriting!)).toEqual([]);
		const listed = (await hub.request('/api/leads?followUpStatus=window_closed', { key })).body.leads as LeadResponse[];
		expect(listed.map((lead) => lead.id).sort()).toEqual([leads.windowClosed!.id, leads.closesWhileWriting!.id].sort());
	});
});

describe('youtube-comment-responder', () => {
	it("answers a new comment on the tenant's connected channel with the AI reply, through the hub", async () => {
		const tenant = await hub.createTenant({ plan: 'premium' });
		const owner = await hub.addUser(tenant.account.id, 'owner');
		const channelId = `UC${graphId().slice(0, 22).padEnd(22, 'x')}`;
		stack.google.addChannel(channelId, 'Atelier Lumière TV');
		// Connected first: the trigger's first poll, when n8n publishes the workflow, already reads the channel.
		const started = await hub.request('/api/social-accounts/youtube/auth-url', { token: owner.accessToken });
		expect([started.status, started.body.error]).toEqual([200, undefined]);
		const back = new URL(stack.google.consent(started.body.url, channelId).redirectUrl);
		expect((await hub.request(`${back.pathname}${back.search}`)).status).toBe(200);

		const response = await hub.request('/api/agents/from-template', {
			key: tenant.apiKey.key,
			body: {
				templateSlug: 'youtube-comment-responder',
				config: { channelId, openAiApiKey: stack.openAi.apiKey, openAiBaseUrl: stack.openAi.baseUrl },
			},
		});
		expect([response.status, response.body.error]).toEqual([201, undefined]);
		const agent = response.body.agent as Agent;
		const linked = await hub.request('/api/provider-accounts', {
			key: tenant.apiKey.key,
			body: { provider: 'youtube', externalId: channelId, agentId: agent.id },
		});
		expect(linked.status).toBe(200);
		const scenario = await hub.request(`/api/agents/${agent.id}/scenario`, {
			method: 'PUT',
			key: tenant.apiKey.key,
			body: { scenario: { defaultActions: { dm: { type: 'ai_reply' }, comment: { type: 'ai_reply' }, postback: { type: 'ai_reply' } } } },
		});
		expect(scenario.status).toBe(200);

		// A comment written after the trigger's first look (which only records where the channel stands).
		const polled = () => stack.google.requests.filter((request) => request.path === '/youtube/v3/commentThreads' && request.query.allThreadsRelatedToChannelId === channelId).length;
		await eventually('the first poll of the channel', async () => (polled() > 0 ? true : undefined));
		const text = `Vous livrez à Lyon ? (${agent.id})`;
		const comment = stack.google.addComment(channelId, { author: 'Bea', text });

		// The next poll comes at the next minute (n8n polls at most once a minute).
		const reply = await eventually(
			'the reply at YouTube',
			async () => stack.google.replies.find((candidate) => candidate.parentId === comment.commentId),
			150_000,
		);
		const completion = stack.openAi.completions.find((c) => c.request.messages.some((m) => m.content.includes(text)))!;
		expect(reply).toMatchObject({ channelId, text: completion.reply });
		const row = await interactionOf(comment.commentId);
		expect(row).toMatchObject({ status: 'replied', agent_id: agent.id, account_id: tenant.account.id, reply_external_id: reply.id });
	});
});
