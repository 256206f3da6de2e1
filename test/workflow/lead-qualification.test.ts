/**
 * The lead steps executed in-process by n8n-core against a real hub (fresh PostgreSQL database, real Redis) and
 * the fake OpenAI: an inbound message is routed, classified, searched for a phone number and summarised, then
 * upserted as a lead; and the scheduled follow-up lists quiet leads, writes a follow-up and records it on the lead.
 */
import { join } from 'node:path';

import type { InboundMessage } from '../../contracts/inbound-message';
import { startTestHub, type TestHub } from '../../hub-api/test/support';
import { graphId } from '../fakes/meta-webhook';
import { type ChatCompletionRequest, defaultReply, type FakeOpenAi, startFakeOpenAi } from '../fakes/openai';
import { readWorkflowJson, runWorkflow } from '../support/n8n-in-process';

const qualification = readWorkflowJson(join(__dirname, 'fixtures', 'lead-qualification.workflow.json'));
const followUp = readWorkflowJson(join(__dirname, 'fixtures', 'lead-follow-up.workflow.json'));
const DAY = 24 * 60 * 60 * 1000;

let hub: TestHub;
let openai: FakeOpenAi;

/** What the fake model answers to each SkyBot AI prompt; tests replace single answers. */
const answers = {
	classify: '{"temperature": "hot", "reason": "Demande un rendez-vous et laisse son numéro."}',
	phone: 'NONE',
	summary: '{"points": ["Veut un cours de poterie", "Disponible le samedi", "Attend un appel"]}',
	followUp: 'Bonjour Léa, avez-vous eu le temps de réfléchir à notre atelier ? Un créneau samedi vous irait ?',
};

function scriptedModel(request: ChatCompletionRequest): string {
	const instructions = request.messages[0]?.content ?? '';
	if (instructions.startsWith('Classify this prospect')) return answers.classify;
	if (instructions.startsWith("Extract the customer's phone number")) return answers.phone;
	if (instructions.startsWith('Summarise the conversation')) return answers.summary;
	if (instructions.includes('Write a follow-up message')) return answers.followUp;
	return defaultReply(request);
}

beforeAll(async () => {
	[hub, openai] = await Promise.all([startTestHub(), startFakeOpenAi({ reply: scriptedModel })]);
});
afterAll(async () => {
	await Promise.all([hub?.close(), openai?.close()]);
});

function credentials(hubKey = hub.platformKey) {
	return {
		skyBotHubApi: { baseUrl: hub.url, apiKey: hubKey },
		openAiApi: { apiKey: openai.apiKey, url: openai.baseUrl },
	};
}

async function instagramTenant() {
	const accountExternalId = graphId();
	const tenant = await hub.createTenant({ externalAccount: { provider: 'instagram', externalId: accountExternalId } });
	return { ...tenant, accountExternalId };
}

function inbound(accountExternalId: string, text: string, contactId = graphId()): InboundMessage {
	return {
		provider: 'instagram',
		kind: 'dm',
		messageId: `mid.${graphId()}`,
		accountExternalId,
		conversationId: `instagram:${accountExternalId}:${contactId}`,
		contact: { externalId: contactId, name: 'Léa Martin' },
		text,
		timestamp: new Date().toISOString(),
	};
}

const completionsAbout = (text: string) =>
	openai.completions.filter((completion) => completion.request.messages.some((message) => message.content === text));
const promptOf = (completion: { request: ChatCompletionRequest }) => completion.request.messages[0]!.content;

async function leadsOf(key: string) {
	const response = await hub.request('/api/leads', { key });
	expect(response.status).toBe(200);
	return response.body.leads as Record<string, unknown>[];
}

describe('lead qualification workflow', () => {
	it('classifies, finds the phone without asking the model, summarises and upserts the lead', async () => {
		const tenant = await instagramTenant();
		const message = inbound(tenant.accountExternalId, 'Bonjour, je voudrais réserver samedi, rappelez-moi au 06 12 34 56 78');

		const result = await runWorkflow({ workflowJson: qualification, triggerItems: [message], credentials: credentials() });

		expect(result.error).toBeUndefined();
		const calls = completionsAbout(message.text!);
		expect(calls.map(promptOf).map((prompt) => prompt.split('\n')[0])).toEqual([
			expect.stringMatching(/^Classify this prospect of Atelier Lumière/),
			expect.stringMatching(/^Summarise the conversation/),
		]);
		expect(calls.map((call) => call.request.response_format)).toEqual([{ type: 'json_object' }, { type: 'json_object' }]);

		const [item] = result.outputsOf('Upsert lead');
		expect(item).toMatchObject({
			classification: { temperature: 'hot', reason: 'Demande un rendez-vous et laisse son numéro.', model: 'gpt-4o-mini' },
			phone: { number: '+33612345678', raw: '06 12 34 56 78', source: 'text', promptTokens: 0, costUsd: 0 },
			summary: { points: ['Veut un cours de poterie', 'Disponible le samedi', 'Attend un appel'] },
			lead: { accountId: tenant.account.id, temperature: 'hot' },
		});
		expect((item!.classification as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
		expect(await leadsOf(tenant.apiKey.key)).toEqual([
			expect.objectContaining({
				agentId: tenant.agent.id,
				provider: 'instagram',
				accountExternalId: tenant.accountExternalId,
				conversationId: message.conversationId,
				contact: { externalId: message.contact.externalId, name: 'Léa Martin', handle: null, phone: '+33612345678' },
				temperature: 'hot',
				summary: '- Veut un cours de poterie\n- Disponible le samedi\n- Attend un appel',
				lastMessageText: message.text,
				lastMessageAt: message.timestamp,
				followUpCount: 0,
			}),
		]);
	});

	it('asks the model for a number written in words, validates its answer, and keeps what a later message does not know', async () => {
		const tenant = await instagramTenant();
		const first = inbound(tenant.accountExternalId, 'Mon numéro : zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit');
		answers.phone = '+33 6 12 34 56 78';
		try {
			await runWorkflow({ workflowJson: qualification, triggerItems: [first], credentials: credentials() });
		} finally {
			answers.phone = 'NONE';
		}
		const [phoneCall] = completionsAbout(first.text!).filter((call) => promptOf(call).startsWith('Extract'));
		expect(promptOf(phoneCall!)).toContain('France number (+33)');

		// A later message from the same contact, without a number and judged warm: the lead keeps the phone.
		const later = { ...inbound(tenant.accountExternalId, 'Je vais réfléchir', first.contact.externalId), conversationId: first.conversationId };
		answers.classify = '{"temperature": "warm", "reason": "Hésite encore."}';
		try {
			const result = await runWorkflow({ workflowJson: qualification, triggerItems: [later], credentials: credentials() });
			expect(result.outputsOf('Upsert lead')[0]).toMatchObject({ phone: { number: null, source: 'ai' } });
		} finally {
			answers.classify = '{"temperature": "hot", "reason": "Demande un rendez-vous et laisse son numéro."}';
		}

		const leads = await leadsOf(tenant.apiKey.key);
		expect(leads).toHaveLength(1);
		expect(leads[0]).toMatchObject({
			contact: expect.objectContaining({ phone: '+33612345678' }),
			temperature: 'warm',
			lastMessageText: 'Je vais réfléchir',
		});
	});

	it('keeps the lead when the hub refuses the phone found: saved without it, with a warning', async () => {
		const tenant = await instagramTenant();
		// A French mobile's length, so the node's pattern pass takes it, in a range France has not opened: the hub refuses it.
		const message = inbound(tenant.accountExternalId, 'Rappelez-moi au 07 12 34 56 78 svp');

		const result = await runWorkflow({ workflowJson: qualification, triggerItems: [message], credentials: credentials() });

		expect(result.error).toBeUndefined();
		const [item] = result.outputsOf('Upsert lead');
		expect(item).toMatchObject({ phone: { number: '+33712345678', source: 'text' }, lead: { contact: { phone: null } } });
		expect(result.outputsOf('Upsert lead', 1)).toEqual([]);
		expect(result.runData['Upsert lead']![0]!.hints).toEqual([
			expect.objectContaining({ message: expect.stringMatching(/refused the phone number \+33712345678 as invalid; the lead was saved without it$/) }),
		]);
		expect(await leadsOf(tenant.apiKey.key)).toEqual([
			expect.objectContaining({ contact: expect.objectContaining({ phone: null }), temperature: 'hot', lastMessageText: message.text }),
		]);
	});

	it('sends an unparseable classification down the error output with a clear message, and stores no lead', async () => {
		const tenant = await instagramTenant();
		const message = inbound(tenant.accountExternalId, 'Salut');
		answers.classify = 'Hot lead! Definitely hot.';
		let result: Awaited<ReturnType<typeof runWorkflow>>;
		try {
			result = await runWorkflow({ workflowJson: qualification, triggerItems: [message], credentials: credentials() });
		} finally {
			answers.classify = '{"temperature": "hot", "reason": "Demande un rendez-vous et laisse son numéro."}';
		}

		expect(result.error).toBeUndefined();
		const [failed] = result.outputsOf('Classification failed') as { error: { message: string }; messageId: string }[];
		expect(failed!.error.message).toBe('The model\'s classification is not JSON: "Hot lead! Definitely hot."');
		expect(failed!.messageId).toBe(message.messageId);
		expect(result.executedNodes).not.toContain('Upsert lead');
		expect(await leadsOf(tenant.apiKey.key)).toEqual([]);
	});

	it('sends a message without text down the error output without asking the model, and qualifies the others', async () => {
		const tenant = await instagramTenant();
		const blank = inbound(tenant.accountExternalId, '   ');
		const message = inbound(tenant.accountExternalId, 'Bonjour, il reste de la place samedi ?');

		const result = await runWorkflow({ workflowJson: qualification, triggerItems: [blank, message], credentials: credentials() });

		expect(result.error).toBeUndefined();
		const failed = result.outputsOf('Classification failed') as { error: { message: string }; messageId: string }[];
		expect(failed).toEqual([
			expect.objectContaining({ messageId: blank.messageId, error: expect.objectContaining({ message: 'There is no conversation to classify' }) }),
		]);
		expect(completionsAbout(blank.text!)).toEqual([]);
		expect(result.outputsOf('Upsert lead').map((item) => item.messageId)).toEqual([message.messageId]);
	});

	it("sends the AI API's own error down the error output, with its status and code", async () => {
		const tenant = await instagramTenant();
		const message = inbound(tenant.accountExternalId, 'Bonjour, vous faites des cours ?');
		// Classify's default Max Retries is 2: the third 429 is the item's error.
		openai.failNext(3, { status: 429, message: 'Rate limit reached for gpt-4o-mini', code: 'rate_limit_exceeded', retryAfterMs: 10 });

		const result = await runWorkflow({ workflowJson: qualification, triggerItems: [message], credentials: credentials() });

		expect(result.error).toBeUndefined();
		const [failed] = result.outputsOf('Classification failed') as { error: Record<string, unknown>; messageId: string }[];
		expect(failed).toMatchObject({
			messageId: message.messageId,
			error: { message: 'AI API error 429: Rate limit reached for gpt-4o-mini', httpStatus: 429, code: 'rate_limit_exceeded' },
		});
		expect(await leadsOf(tenant.apiKey.key)).toEqual([]);
	});

	it('sends items that are no lead, or that the hub refuses, down the error output', async () => {
		const [tenant, other] = await Promise.all([instagramTenant(), hub.createTenant()]);
		const notALead = { ...inbound(tenant.accountExternalId, 'Bonjour'), provider: 'myspace' };
		const foreignAgent = { ...inbound(tenant.accountExternalId, 'Bonjour'), route: { agentId: other.agent.id } };
		const skipRouting = { 'Inbound message': { main: [[{ node: 'Classify', type: 'main' as const, index: 0 }]] } };

		const result = await runWorkflow({
			workflowJson: { ...qualification, connections: { ...qualification.connections, ...skipRouting } },
			triggerItems: [notALead, foreignAgent],
			credentials: credentials(tenant.apiKey.key),
		});

		expect(result.error).toBeUndefined();
		const failures = result.outputsOf('Lead failed') as { error: { message: string; httpStatus?: number }; messageId: string }[];
		expect(failures.map((failure) => failure.messageId)).toEqual([notALead.messageId, foreignAgent.messageId]);
		expect(failures[0]!.error.message).toMatch(/^Provider must be one of instagram/);
		expect(failures[1]!.error).toMatchObject({ message: 'agent not found', httpStatus: 404 });
		expect(await leadsOf(tenant.apiKey.key)).toEqual([]);
	});
});

describe('scheduled follow-up workflow', () => {
	it('follows up quiet warm and hot leads once, and records each follow-up on its lead', async () => {
		const tenant = await hub.createTenant();
		const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
		const seed = async (temperature: 'hot' | 'warm' | 'cold', lastMessageAt: string, text: string) =>
			(
				await hub.request('/api/leads', {
					key: tenant.apiKey.key,
					body: {
						provider: 'messenger',
						contact: { externalId: graphId(), name: text },
						accountExternalId: 'page-1',
						conversationId: `messenger:page-1:${graphId()}`,
						temperature,
						lastMessageAt,
						lastMessageText: text,
					},
				})
			).body as { id: string; contact: { externalId: string } };
		const quietWarm = await seed('warm', daysAgo(5), 'Je reviens vers vous la semaine prochaine');
		await seed('hot', daysAgo(0), 'Vous êtes dispo demain ?');
		await seed('cold', daysAgo(10), 'Non merci');
		const followedUpTwice = await seed('hot', daysAgo(20), 'Combien ?');
		for (let sent = 0; sent < 2; sent++) {
			await hub.request('/api/leads', {
				key: tenant.apiKey.key,
				body: { provider: 'messenger', contact: { externalId: followedUpTwice.contact.externalId }, contacted: true },
			});
		}
		await hub.dataSource.query(`UPDATE leads SET last_contacted_at = $2 WHERE id = $1`, [followedUpTwice.id, daysAgo(7)]);

		const run = () =>
			runWorkflow({
				workflowJson: followUp,
				triggerItems: [{ accountId: tenant.account.id }],
				credentials: credentials(),
			});
		const result = await run();

		expect(result.error).toBeUndefined();
		const [listed, ...others] = result.outputsOf('List quiet leads');
		expect(others).toEqual([]);
		expect(listed).toMatchObject({
			provider: 'messenger',
			accountExternalId: 'page-1',
			contact: { externalId: quietWarm.contact.externalId },
			route: { accountId: tenant.account.id },
			lead: { id: quietWarm.id, idleDays: 5 },
		});
		const [call] = completionsAbout('Je reviens vers vous la semaine prochaine');
		expect(promptOf(call!)).toContain('has not written for 5 days');
		const [recorded] = result.outputsOf('Record follow-up');
		expect(recorded).toMatchObject({
			ai: { text: answers.followUp, model: 'gpt-4o-mini' },
			lead: { id: quietWarm.id, followUpCount: 1, temperature: 'warm', idleDays: 0 },
		});

		// The follow-up made the lead active again: the next run has nobody to follow up.
		const next = await run();
		expect(next.outputsOf('List quiet leads')).toEqual([]);
		expect(next.executedNodes).not.toContain('Write follow-up');
	});

	it('takes a cut-off finer than days from an n8n date expression', async () => {
		const tenant = await hub.createTenant();
		const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
		const seed = async (lastMessageAt: string) =>
			(
				await hub.request('/api/leads', {
					key: tenant.apiKey.key,
					body: { provider: 'messenger', contact: { externalId: graphId() }, temperature: 'hot', lastMessageAt, lastMessageText: 'Dispo ?' },
				})
			).body as { id: string };
		const quietForADay = await seed(hoursAgo(22));
		await seed(hoursAgo(1));
		const listOnly = {
			...followUp,
			nodes: followUp.nodes.map((node) =>
				node.name === 'List quiet leads'
					? { ...node, parameters: { ...node.parameters, filters: { lastContactBefore: '={{ $now.minus({ hours: 20 }) }}' } } }
					: node,
			),
			connections: { Schedule: followUp.connections.Schedule! },
		};

		const result = await runWorkflow({ workflowJson: listOnly, triggerItems: [{ accountId: tenant.account.id }], credentials: credentials() });

		expect(result.error).toBeUndefined();
		expect(result.outputsOf('List quiet leads').map((item) => (item.lead as { id: string }).id)).toEqual([quietForADay.id]);
	});
});
