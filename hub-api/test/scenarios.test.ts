/**
 * GET and PUT /api/agents/:id/scenario, and ScenariosService.forAgent (what the pipeline's admission reads), on a
 * real, freshly migrated database.
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../src/clock';
import { createDatabaseServices } from '../src/services';
import { startTestHub, type TestHub, type TestUser } from './support';
import { expectDocumented } from './support/documented';

const PATH = '/api/agents/{id}/scenario';
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(() => hub?.close());

interface Tenant {
	accountId: string;
	agentId: string;
	/** The account's owner-role API key. */
	key: string;
	apiKeyId: string;
	member: TestUser;
	viewer: TestUser;
}

async function tenant(): Promise<Tenant> {
	const { account, agent, apiKey } = await hub.createTenant();
	const [member, viewer] = [await hub.addUser(account.id, 'member'), await hub.addUser(account.id, 'viewer')];
	return { accountId: account.id, agentId: agent.id, key: apiKey.key, apiKeyId: apiKey.id, member, viewer };
}

type Credentials = { key: string } | { token: string };
const getScenario = (agentId: string, as: Credentials, query = '') =>
	hub.request(`/api/agents/${agentId}/scenario${query}`, as);
const putScenario = (agentId: string, as: Credentials, body: unknown, query = '') =>
	hub.request(`/api/agents/${agentId}/scenario${query}`, { method: 'PUT', body, ...as });

const DEFAULTS = {
	burstWindowSeconds: 8,
	floodWindowMinutes: 5,
	rules: [],
	defaultActions: { dm: { type: 'ai_reply' }, comment: { type: 'no_reply' }, postback: { type: 'ai_reply' } },
};

/** A scenario a shop would write: a comment keyword → private reply, hours, a handover keyword. */
const SHOP = {
	language: 'fr',
	timeZone: 'europe/paris',
	companyName: 'Café Lumière',
	businessHours: { monday: ['09:00-18:00'], tuesday: ['09:00-18:00'] },
	rules: [
		{
			id: 'comment-price',
			when: { kinds: ['comment'], keywords: ['prix', 'tarif'] },
			then: { type: 'fixed_reply', text: 'Bonjour {{contact.firstName | !}} Nos tarifs arrivent en privé.' },
		},
		{ id: 'human', when: { keywords: ['conseiller', 'humain'] }, then: { type: 'handover' } },
		{ id: 'closed', when: { businessHours: { inside: false } }, then: { type: 'ai_reply', instructions: 'Say we are closed.' } },
	],
};

const storedVersions = async (agentId: string) =>
	(await hub.dataSource.query(`SELECT version FROM agent_scenarios WHERE agent_id = $1 ORDER BY version`, [agentId])).map(
		(row: { version: number }) => row.version,
	);

describe('GET /api/agents/:id/scenario', () => {
	it('answers the default scenario, version 0, for an agent that has none saved', async () => {
		const t = await tenant();
		const response = await getScenario(t.agentId, { token: t.viewer.accessToken });
		expect(response.status).toBe(200);
		expect(response.body).toEqual({
			agentId: t.agentId,
			version: 0,
			default: true,
			scenario: DEFAULTS,
			createdAt: null,
			createdBy: null,
		});
		expectDocumented(response, 'get', PATH);
	});
});

describe('PUT /api/agents/:id/scenario', () => {
	it('saves version 1, filled in and in canonical form, and GET answers it from then on', async () => {
		const t = await tenant();
		const saved = await putScenario(t.agentId, { token: t.member.accessToken }, { scenario: SHOP });
		expect(saved.status).toBe(200);
		expectDocumented(saved, 'put', PATH);
		expect(saved.body).toEqual({
			agentId: t.agentId,
			version: 1,
			default: false,
			scenario: {
				...DEFAULTS,
				...SHOP,
				timeZone: 'Europe/Paris',
				rules: SHOP.rules.map((rule) => ({ ...rule })),
			},
			createdAt: expect.any(String),
			createdBy: { userId: t.member.user.id, apiKeyId: null },
		});

		const read = await getScenario(t.agentId, { token: t.viewer.accessToken });
		expect(read.status).toBe(200);
		expect(read.body).toEqual(saved.body);
		expectDocumented(read, 'get', PATH);
	});

	it('adds a version on every save, leaving the earlier ones unchanged; the newest is in force', async () => {
		const t = await tenant();
		const first = await putScenario(t.agentId, { key: t.key }, { scenario: SHOP });
		const second = await putScenario(t.agentId, { key: t.key }, { scenario: { rules: [] } });
		const third = await putScenario(t.agentId, { token: t.member.accessToken }, { scenario: { burstWindowSeconds: 0 } });
		expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
		expect([first.body.version, second.body.version, third.body.version]).toEqual([1, 2, 3]);
		expect(second.body.createdBy).toEqual({ userId: null, apiKeyId: t.apiKeyId });

		const read = await getScenario(t.agentId, { key: t.key });
		expect(read.body).toMatchObject({ version: 3, scenario: { ...DEFAULTS, burstWindowSeconds: 0 } });
		expect(await storedVersions(t.agentId)).toEqual([1, 2, 3]);
		const [v1] = await hub.dataSource.query(`SELECT scenario FROM agent_scenarios WHERE agent_id = $1 AND version = 1`, [
			t.agentId,
		]);
		expect(v1.scenario).toEqual(first.body.scenario);
	});

	it('numbers saves made at the same time one after the other, none lost', async () => {
		const t = await tenant();
		const saves = await Promise.all(
			Array.from({ length: 6 }, (_, index) => putScenario(t.agentId, { key: t.key }, { scenario: { floodWindowMinutes: index } })),
		);
		expect(saves.map((save) => save.status)).toEqual(Array(6).fill(200));
		expect(saves.map((save) => save.body.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
		expect(await storedVersions(t.agentId)).toEqual([1, 2, 3, 4, 5, 6]);
	});

	it('keeps versions immutable in the database itself', async () => {
		const t = await tenant();
		await putScenario(t.agentId, { key: t.key }, { scenario: SHOP });
		await expect(
			hub.dataSource.query(`UPDATE agent_scenarios SET scenario = '{}' WHERE agent_id = $1`, [t.agentId]),
		).rejects.toThrow(/immutable/);
		await expect(
			hub.dataSource.query(`UPDATE agent_scenarios SET version = 7 WHERE agent_id = $1`, [t.agentId]),
		).rejects.toThrow(/immutable/);
		expect(await storedVersions(t.agentId)).toEqual([1]);
	});

	it('refuses a malformed scenario with 422 listing every problem, and stores nothing', async () => {
		const t = await tenant();
		const response = await putScenario(t.agentId, { key: t.key }, {
			scenario: {
				timeZone: 'Mars/Olympus',
				businessHours: { monday: ['18:00-09:00', '9:00-12:00'] },
				burstWindowSeconds: 90,
				context: 'x'.repeat(4001),
				rules: [
					{ id: 'price', when: { keywords: ['', 'prix'] }, then: { type: 'fixed_reply', text: 'Hi {{contact.email}}' } },
					{ id: 'price', when: { businessHours: { inside: true }, kinds: ['sms'] }, then: { type: 'ai_reply' } },
					{ id: 'x', then: { type: 'teleport' } },
				],
				defaultActions: { dm: { type: 'handover' } },
			},
		});
		expect(response.status).toBe(422);
		expectDocumented(response, 'put', PATH);
		expect(response.body.error.code).toBe('validation_failed');
		expect(response.body.error.details.map((issue: { path: string }) => issue.path)).toEqual([
			'body.scenario.timeZone',
			'body.scenario.businessHours.monday.0',
			'body.scenario.businessHours.monday.1',
			'body.scenario.context',
			'body.scenario.burstWindowSeconds',
			'body.scenario.rules.0.when.keywords.0',
			'body.scenario.rules.0.then.text',
			'body.scenario.rules.1.when.kinds.0',
			'body.scenario.rules.2.then.type',
			'body.scenario.defaultActions.dm.type',
			'body.scenario.rules.1.id',
		]);
		for (const issue of response.body.error.details) {
			expect(issue).toEqual({ path: expect.any(String), message: expect.any(String), code: expect.any(String) });
		}
		expect(await storedVersions(t.agentId)).toEqual([]);
	});

	it('refuses a reply naming an unknown placeholder field at save time, keeping the version in force', async () => {
		const t = await tenant();
		await putScenario(t.agentId, { key: t.key }, { scenario: SHOP });
		const response = await putScenario(t.agentId, { key: t.key }, {
			scenario: { rules: [{ id: 'hello', then: { type: 'fixed_reply', text: 'Hello {{contact.email}}, {{contact.name}}' } }] },
		});
		expect(response.status).toBe(422);
		expect(response.body.error.details).toEqual([
			{
				path: 'body.scenario.rules.0.then.text',
				code: 'custom',
				message: expect.stringContaining('unknown field "contact.email"'),
			},
		]);
		expect((await getScenario(t.agentId, { key: t.key })).body.version).toBe(1);
	});

	it('refuses a body without a scenario, and a scenario that is not an object', async () => {
		const t = await tenant();
		for (const body of [{}, { scenario: [] }, { scenario: 'rules' }, { rules: [] }]) {
			const response = await putScenario(t.agentId, { key: t.key }, body);
			expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), 422]);
			expect(response.body.error.details[0].path).toBe('body.scenario');
		}
	});

	it('answers malformed JSON with 400', async () => {
		const t = await tenant();
		const response = await hub.request(`/api/agents/${t.agentId}/scenario`, {
			method: 'PUT',
			rawBody: '{"scenario": {"rules": [',
			key: t.key,
		});
		expect(response.status).toBe(400);
		expect(response.body.error.code).toBe('invalid_json');
		expectDocumented(response, 'put', PATH);
	});

	it('refuses a deleted agent (409), whose scenario can still be read', async () => {
		const t = await tenant();
		await putScenario(t.agentId, { key: t.key }, { scenario: SHOP });
		await hub.dataSource.query(`UPDATE agents SET status = 'DELETED', deleted_at = now() WHERE id = $1`, [t.agentId]);
		const response = await putScenario(t.agentId, { key: t.key }, { scenario: {} });
		expect(response.status).toBe(409);
		expect(response.body.error.code).toBe('agent_deleted');
		expectDocumented(response, 'put', PATH);
		expect((await getScenario(t.agentId, { key: t.key })).body.version).toBe(1);
	});
});

describe('who may read and save', () => {
	it('a viewer reads but cannot save (403); a member and the owner key can', async () => {
		const t = await tenant();
		const refused = await putScenario(t.agentId, { token: t.viewer.accessToken }, { scenario: SHOP });
		expect(refused.status).toBe(403);
		expect(refused.body.error.code).toBe('insufficient_role');
		expectDocumented(refused, 'put', PATH);
		expect(await storedVersions(t.agentId)).toEqual([]);
		expect((await getScenario(t.agentId, { token: t.viewer.accessToken })).status).toBe(200);
		expect((await putScenario(t.agentId, { token: t.member.accessToken }, { scenario: SHOP })).status).toBe(200);
	});

	it("another account's agent is not found (404), for reading and saving, and is left unchanged", async () => {
		const [mine, theirs] = [await tenant(), await tenant()];
		await putScenario(theirs.agentId, { key: theirs.key }, { scenario: SHOP });
		for (const response of [
			await getScenario(theirs.agentId, { key: mine.key }),
			await getScenario(theirs.agentId, { token: mine.member.accessToken }),
			await putScenario(theirs.agentId, { key: mine.key }, { scenario: {} }),
			await putScenario(theirs.agentId, { token: mine.member.accessToken }, { scenario: {} }),
			await getScenario(randomUUID(), { key: mine.key }),
		]) {
			expect(response.status).toBe(404);
			expect(response.body.error.code).toBe('agent_not_found');
		}
		expectDocumented(await getScenario(theirs.agentId, { key: mine.key }), 'get', PATH);
		expect(await storedVersions(theirs.agentId)).toEqual([1]);
	});

	it('an id that is not a uuid answers 422', async () => {
		const t = await tenant();
		const response = await getScenario('not-an-id', { key: t.key });
		expect(response.status).toBe(422);
		expectDocumented(response, 'get', PATH);
	});

	it('the platform key names the account with ?accountId=, and must', async () => {
		const t = await tenant();
		const saved = await putScenario(t.agentId, { key: hub.platformKey }, { scenario: SHOP }, `?accountId=${t.accountId}`);
		expect(saved.status).toBe(200);
		expect(saved.body.createdBy).toEqual({ userId: null, apiKeyId: expect.any(String) });
		expect((await getScenario(t.agentId, { key: hub.platformKey }, `?accountId=${t.accountId}`)).body.version).toBe(1);
		const unnamed = await getScenario(t.agentId, { key: hub.platformKey });
		expect(unnamed.status).toBe(422);
		const elsewhere = await getScenario(t.agentId, { key: hub.platformKey }, `?accountId=${(await tenant()).accountId}`);
		expect(elsewhere.status).toBe(404);
	});
});

describe('ScenariosService.forAgent (the admission reads it for every message)', () => {
	const scenarios = () => createDatabaseServices(hub.dataSource, systemClock).scenarios;

	it('answers the newest version of the agent', async () => {
		const t = await tenant();
		await putScenario(t.agentId, { key: t.key }, { scenario: SHOP });
		const newest = await putScenario(t.agentId, { key: t.key }, { scenario: { ...SHOP, floodWindowMinutes: 10 } });
		expect(await scenarios().forAgent(t.agentId)).toEqual({ scenario: newest.body.scenario, version: 2 });
	});

	it('answers the default scenario, version 0, for no agent, an agent with none, or an id naming nothing', async () => {
		const t = await tenant();
		for (const agentId of [null, t.agentId, randomUUID(), 'not-a-uuid']) {
			expect([agentId, await scenarios().forAgent(agentId)]).toEqual([agentId, { scenario: DEFAULTS, version: 0 }]);
		}
	});
});
