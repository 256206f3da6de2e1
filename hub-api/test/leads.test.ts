import { randomUUID } from 'node:crypto';
import type { UpsertLeadRequest } from '../../contracts/hub-api';
import { createManualClock, startTestHub, type TestHub } from './support';
import { expectDocumented } from './support/documented';

const clock = createManualClock('2026-03-10T09:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now });
});
afterAll(() => hub?.close());

function leadRequest(overrides: Partial<UpsertLeadRequest> = {}): UpsertLeadRequest {
	return {
		provider: 'instagram',
		contact: { externalId: `igsid-${randomUUID()}`, name: 'Léa Martin', handle: 'lea.m' },
		accountExternalId: '17841400000000001',
		conversationId: `conv-${randomUUID()}`,
		lastMessageAt: clock.now().toISOString(),
		lastMessageText: 'Bonjour, quel est le prix ?',
		...overrides,
	};
}

const upsert = (key: string, body: unknown) => hub.request('/api/leads', { key, body });
const rowsFor = (accountId: string) =>
	hub.dataSource.query('SELECT * FROM leads WHERE account_id = $1', [accountId]) as Promise<Record<string, unknown>[]>;

describe('POST /api/leads', () => {
	it('creates a lead (201) and returns it whole', async () => {
		const { account, agent, apiKey } = await hub.createTenant();
		const request = leadRequest({
			agentId: agent.id,
			contact: { externalId: 'igsid-1', name: 'Léa', handle: 'lea.m', phone: '+33612345678' },
			temperature: 'warm',
			summary: '- Veut un devis',
		});
		const response = await upsert(apiKey.key, request);

		expect(response.status).toBe(201);
		expectDocumented(response, 'post', '/api/leads');
		expect(response.body).toEqual({
			id: expect.any(String),
			accountId: account.id,
			agentId: agent.id,
			provider: 'instagram',
			accountExternalId: '17841400000000001',
			conversationId: request.conversationId,
			contact: { externalId: 'igsid-1', name: 'Léa', handle: 'lea.m', phone: '+33612345678' },
			temperature: 'warm',
			summary: '- Veut un devis',
			lastMessageText: 'Bonjour, quel est le prix ?',
			firstSeenAt: clock.now().toISOString(),
			lastMessageAt: clock.now().toISOString(),
			lastContactedAt: null,
			lastActivityAt: clock.now().toISOString(),
			idleDays: 0,
			followUpCount: 0,
			followUp: null,
			createdAt: clock.now().toISOString(),
			updatedAt: clock.now().toISOString(),
		});
	});

	it('updates the same lead on later calls (200): later facts fill in, nulls and absent fields erase nothing', async () => {
		const { account, apiKey } = await hub.createTenant();
		const first = leadRequest({ temperature: 'cold' });
		const created = await upsert(apiKey.key, first);
		clock.advance(60_000);
		const later = await upsert(apiKey.key, {
			provider: 'instagram',
			contact: { externalId: first.contact.externalId, name: null, phone: '+33612345678' },
			temperature: 'hot',
			summary: null,
			conversationId: null,
			lastMessageAt: clock.now().toISOString(),
			lastMessageText: 'Je peux vous appeler ?',
		});

		expect(later.status).toBe(200);
		expectDocumented(later, 'post', '/api/leads');
		expect(later.body).toMatchObject({
			id: created.body.id,
			contact: { name: 'Léa Martin', handle: 'lea.m', phone: '+33612345678' },
			conversationId: first.conversationId,
			accountExternalId: '17841400000000001',
			temperature: 'hot',
			lastMessageText: 'Je peux vous appeler ?',
			firstSeenAt: created.body.firstSeenAt,
			lastMessageAt: clock.now().toISOString(),
		});
		// A repeat of the same call changes nothing but updatedAt.
		const repeat = await upsert(apiKey.key, { provider: 'instagram', contact: { externalId: first.contact.externalId } });
		expect(repeat.status).toBe(200);
		expect({ ...repeat.body, updatedAt: undefined }).toEqual({ ...later.body, updatedAt: undefined });
		expect(await rowsFor(account.id)).toHaveLength(1);
	});

	it('never lets facts from an older message replace those of a newer one', async () => {
		const { apiKey } = await hub.createTenant();
		const newer = leadRequest({ temperature: 'hot', summary: 'newer', lastMessageText: 'newer' });
		await upsert(apiKey.key, newer);
		const olderAt = new Date(clock.now().getTime() - 3_600_000).toISOString();
		const response = await upsert(apiKey.key, {
			...newer,
			temperature: 'cold',
			summary: 'older',
			lastMessageText: 'older',
			lastMessageAt: olderAt,
		});

		expect(response.body).toMatchObject({
			temperature: 'hot',
			summary: 'newer',
			lastMessageText: 'newer',
			lastMessageAt: newer.lastMessageAt,
			firstSeenAt: olderAt,
		});
	});

	it('records follow-ups sent with contacted: true', async () => {
		const { apiKey } = await hub.createTenant();
		const request = leadRequest();
		await upsert(apiKey.key, request);
		clock.advance(3 * DAY);
		const followedUp = await upsert(apiKey.key, { provider: 'instagram', contact: request.contact, contacted: true });
		clock.advance(DAY);
		const again = await upsert(apiKey.key, { provider: 'instagram', contact: request.contact, contacted: true });

		expect(followedUp.body).toMatchObject({
			followUpCount: 1,
			lastContactedAt: followedUp.body.updatedAt,
			followUp: { status: 'sent', reason: null, at: followedUp.body.updatedAt },
		});
		expect(again.body).toMatchObject({
			followUpCount: 2,
			lastContactedAt: clock.now().toISOString(),
			lastActivityAt: clock.now().toISOString(),
			lastMessageAt: request.lastMessageAt,
		});
	});

	describe('follow-up state', () => {
		it('records a follow-up not sent and why, then one sent; a newer message from the lead clears it', async () => {
			const { apiKey } = await hub.createTenant();
			const request = leadRequest({ temperature: 'warm' });
			await upsert(apiKey.key, request);
			const key = { provider: 'instagram', contact: { externalId: request.contact.externalId } } as const;
			clock.advance(60 * 60_000);
			const failed = await upsert(apiKey.key, {
				...key,
				lastMessageAt: request.lastMessageAt,
				followUp: { status: 'failed', reason: 'send_failed' },
			});
			expect(failed.status).toBe(200);
			expectDocumented(failed, 'post', '/api/leads');
			expect(failed.body).toMatchObject({
				followUp: { status: 'failed', reason: 'send_failed', at: clock.now().toISOString() },
				followUpCount: 0,
				lastContactedAt: null,
			});
			// Upserts that say nothing about follow-ups (the qualifier, a repeat) keep it.
			expect((await upsert(apiKey.key, { ...key, temperature: 'hot' })).body.followUp).toEqual(failed.body.followUp);

			clock.advance(15 * 60_000);
			const sent = await upsert(apiKey.key, { ...key, contacted: true });
			expect(sent.body).toMatchObject({ followUpCount: 1, followUp: { status: 'sent', reason: null, at: clock.now().toISOString() } });

			clock.advance(60_000);
			const wrote = await upsert(apiKey.key, { ...key, lastMessageAt: clock.now().toISOString(), lastMessageText: 'Oui !' });
			expect(wrote.body).toMatchObject({ followUp: null, followUpCount: 1 });
		});

		it('ignores a follow-up outcome about an older message than the lead’s: the lead wrote again meanwhile', async () => {
			const { apiKey } = await hub.createTenant();
			const request = leadRequest();
			await upsert(apiKey.key, request);
			const olderAt = new Date(clock.now().getTime() - 25 * 3_600_000).toISOString();
			const late = await upsert(apiKey.key, {
				provider: 'instagram',
				contact: { externalId: request.contact.externalId },
				lastMessageAt: olderAt,
				followUp: { status: 'window_closed', reason: 'outside_messaging_window' },
			});
			expect(late.body).toMatchObject({ followUp: null, lastMessageAt: request.lastMessageAt });
		});

		it('creates a lead with its follow-up state', async () => {
			const { apiKey } = await hub.createTenant();
			const created = await upsert(apiKey.key, leadRequest({ followUp: { status: 'window_closed' } }));
			expect(created.status).toBe(201);
			expect(created.body.followUp).toEqual({ status: 'window_closed', reason: null, at: clock.now().toISOString() });
		});

		it('refuses a follow-up both sent and not sent, or recorded sent without contacted, listing every problem', async () => {
			const { account, apiKey } = await hub.createTenant();
			const both = await upsert(apiKey.key, leadRequest({ contacted: true, followUp: { status: 'skipped' } }));
			expect(both.status).toBe(422);
			expect(both.body.error.details).toEqual([
				expect.objectContaining({ path: 'body.followUp', message: expect.stringMatching(/either sent .* or not sent/) }),
			]);
			const wrong = await upsert(apiKey.key, { ...leadRequest({ temperature: 'tiède' as 'hot' }), followUp: { status: 'sent', reason: '' } });
			expect(wrong.status).toBe(422);
			expect(wrong.body.error.details.map((issue: { path: string }) => issue.path).sort()).toEqual([
				'body.followUp.reason',
				'body.followUp.status',
				'body.temperature',
			]);
			expect(await rowsFor(account.id)).toHaveLength(0);
		});
	});

	it('keeps one row under 20 concurrent upserts of one contact, merging every fact and counting every follow-up', async () => {
		const { account, apiKey } = await hub.createTenant();
		const externalId = `igsid-${randomUUID()}`;
		const responses = await Promise.all(
			Array.from({ length: 20 }, (_, index) =>
				upsert(apiKey.key, {
					provider: 'instagram',
					contact: { externalId, ...(index === 7 ? { phone: '+33798765432' } : {}) },
					...(index === 3 ? { temperature: 'warm' } : {}),
					contacted: index % 2 === 0,
				}),
			),
		);

		expect(responses.every((response) => [200, 201].includes(response.status))).toBe(true);
		expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
		expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
		const rows = await rowsFor(account.id);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ phone: '+33798765432', temperature: 'warm', follow_up_count: 10 });
	});

	it('keys leads per account and provider', async () => {
		const [first, second] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const request = leadRequest();
		expect((await upsert(first.apiKey.key, request)).status).toBe(201);
		expect((await upsert(second.apiKey.key, request)).status).toBe(201);
		expect((await upsert(first.apiKey.key, { ...request, provider: 'messenger' })).status).toBe(201);
	});

	it('needs accountId with the platform key, and ignores one sent with an account key', async () => {
		const [{ account, apiKey }, other] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		expect((await upsert(hub.platformKey, leadRequest())).status).toBe(422);
		const platform = await upsert(hub.platformKey, { ...leadRequest(), accountId: account.id });
		expect(platform.status).toBe(201);
		expect(platform.body.accountId).toBe(account.id);
		const massAssigned = await upsert(apiKey.key, { ...leadRequest(), accountId: other.account.id });
		expect(massAssigned.body.accountId).toBe(account.id);
		expect(await rowsFor(other.account.id)).toHaveLength(0);
	});

	it("refuses another account's agent with 404 and stores nothing", async () => {
		const [caller, other] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const response = await upsert(caller.apiKey.key, leadRequest({ agentId: other.agent.id }));
		expect(response.status).toBe(404);
		expect(response.body.error.code).toBe('agent_not_found');
		expect(await rowsFor(caller.account.id)).toHaveLength(0);
	});

	it('answers malformed bodies with 4xx and stores nothing', async () => {
		const { account, apiKey } = await hub.createTenant();
		const request = leadRequest();
		const invalid = [
			{ ...request, provider: 'myspace' },
			{ ...request, contact: undefined },
			{ ...request, contact: { externalId: '' } },
			{ ...request, contact: { ...request.contact, phone: '06 12 34 56 78' } },
			{ ...request, temperature: 'tiède' },
			{ ...request, lastMessageAt: 'yesterday' },
			{ ...request, contacted: 'yes' },
			{ ...request, agentId: 'not-a-uuid' },
		];
		for (const body of invalid) {
			const response = await upsert(apiKey.key, body);
			expect(response.status).toBe(422);
			expect(response.body.error.code).toBe('validation_failed');
		}
		const notJson = await hub.request('/api/leads', { key: apiKey.key, rawBody: '{"provider":' });
		expect(notJson.status).toBe(400);
		expect(await rowsFor(account.id)).toHaveLength(0);
	});

	describe('phone', () => {
		const withPhone = (contact: Partial<UpsertLeadRequest['contact']>) =>
			leadRequest({ contact: { externalId: `igsid-${randomUUID()}`, ...contact } });

		it.each([
			['already E.164', { phone: '+33612345678' }, '+33612345678'],
			['international, with spaces and the bracketed trunk 0', { phone: '+33 (0)6 12 34 56 78' }, '+33612345678'],
			['national, with its country', { phone: '06 12 34 56 78', phoneCountry: 'FR' }, '+33612345678'],
			['national elsewhere', { phone: '020 7946 0958', phoneCountry: 'GB' }, '+442079460958'],
			['international, whatever the country given', { phone: '+1 202-555-0143', phoneCountry: 'FR' }, '+12025550143'],
		])('stores a valid number in E.164: %s', async (_case, contact, stored) => {
			const { account, apiKey } = await hub.createTenant();
			const response = await upsert(apiKey.key, withPhone(contact));
			expect(response.status).toBe(201);
			expect(response.body.contact.phone).toBe(stored);
			expect((await rowsFor(account.id)).map((row) => row.phone)).toEqual([stored]);
		});

		it.each([
			// Lengths France uses, in a range it has not opened: only the full numbering metadata knows.
			['an unassigned range', { phone: '+33712345678' }],
			['no such calling code', { phone: '+99912345678' }],
			['too long', { phone: '+336123456789' }],
			['national, without its country', { phone: '06 12 34 56 78' }],
			['national, with the wrong country', { phone: '06 12 34 56 78', phoneCountry: 'GB' }],
			['a sentence around a number', { phone: 'appelez le +33612345678' }],
			['an extension E.164 cannot hold', { phone: '+33 6 12 34 56 78 ext. 12' }],
		])('refuses %s with a 422 naming contact.phone, and stores nothing', async (_case, contact) => {
			const { account, apiKey } = await hub.createTenant();
			const response = await upsert(apiKey.key, withPhone(contact));
			expect(response.status).toBe(422);
			expect(response.body.error).toMatchObject({
				code: 'validation_failed',
				details: [expect.objectContaining({ path: 'body.contact.phone', message: expect.stringMatching(/^Not a valid phone number/) })],
			});
			expect(await rowsFor(account.id)).toHaveLength(0);
		});

		it('refuses a country that is not an ISO 3166-1 alpha-2 code, naming contact.phoneCountry', async () => {
			const { apiKey } = await hub.createTenant();
			for (const phoneCountry of ['XX', 'fr', 'France']) {
				const response = await upsert(apiKey.key, withPhone({ phone: '06 12 34 56 78', phoneCountry }));
				expect(response.status).toBe(422);
				expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'body.contact.phoneCountry' })]);
			}
		});

		it('keeps the known phone when a later call sends none', async () => {
			const { apiKey } = await hub.createTenant();
			const first = withPhone({ phone: '06 12 34 56 78', phoneCountry: 'FR' });
			await upsert(apiKey.key, first);
			const later = await upsert(apiKey.key, { provider: 'instagram', contact: { externalId: first.contact.externalId, phone: null, phoneCountry: 'FR' } });
			expect(later.status).toBe(200);
			expect(later.body.contact.phone).toBe('+33612345678');
		});

		it('is documented with phoneCountry', async () => {
			const documented = (await hub.request('/api/docs/openapi.json')).body.paths['/api/leads'].post.requestBody.content[
				'application/json'
			].schema.properties.contact.properties;
			expect(documented.phone.description).toMatch(/E\.164/);
			expect(documented.phoneCountry).toMatchObject({ type: 'string', description: expect.stringMatching(/^ISO 3166-1 alpha-2/) });
		});
	});
});

describe('GET /api/leads', () => {
	/** Four leads of one tenant, one more of another, with activity spread over the last days. */
	async function seedLeads() {
		const tenant = await hub.createTenant();
		const other = await hub.createTenant();
		await upsert(other.apiKey.key, leadRequest({ temperature: 'hot' }));
		const start = clock.now().getTime();
		const at = (daysAgo: number) => new Date(start - daysAgo * DAY).toISOString();
		const seeds = [
			leadRequest({ temperature: 'hot', lastMessageAt: at(10) }),
			leadRequest({ temperature: 'warm', lastMessageAt: at(5), provider: 'messenger' }),
			leadRequest({ temperature: 'cold', lastMessageAt: at(2) }),
			leadRequest({ lastMessageAt: at(0) }),
		];
		const ids: string[] = [];
		for (const seed of seeds) ids.push((await upsert(tenant.apiKey.key, seed)).body.id);
		return { key: tenant.apiKey.key, accountId: tenant.account.id, ids, at };
	}
	const list = async (key: string, query = '') => {
		const response = await hub.request(`/api/leads${query}`, { key });
		expect(response.status).toBe(200);
		expectDocumented(response, 'get', '/api/leads');
		return response.body as { leads: { id: string; idleDays: number }[]; nextCursor: string | null };
	};
	const idsOf = (page: { leads: { id: string }[] }) => page.leads.map((lead) => lead.id);

	it("lists the caller's leads newest activity first, paged by cursor", async () => {
		const { key, ids } = await seedLeads();
		const first = await list(key, '?limit=3');
		expect(idsOf(first)).toEqual([ids[3], ids[2], ids[1]]);
		const second = await list(key, `?limit=3&cursor=${first.nextCursor}`);
		expect(idsOf(second)).toEqual([ids[0]]);
		expect(second.nextCursor).toBeNull();
		expect(second.leads[0]!.idleDays).toBe(10);
	});

	it('filters by agent', async () => {
		const { account, agent, apiKey } = await hub.createTenant();
		const [other] = (await hub.dataSource.query(
			`INSERT INTO agents (account_id, name) VALUES ($1, 'second agent') RETURNING id`,
			[account.id],
		)) as { id: string }[];
		const mine = await upsert(apiKey.key, leadRequest({ agentId: agent.id }));
		await upsert(apiKey.key, leadRequest({ agentId: other.id }));
		await upsert(apiKey.key, leadRequest());
		const listed = await hub.request(`/api/leads?agentId=${agent.id}`, { key: apiKey.key });
		expect(listed.body.leads.map((lead: { id: string }) => lead.id)).toEqual([mine.body.id]);
		expect((await hub.request(`/api/leads?agentId=${account.id}`, { key: apiKey.key })).body.leads).toEqual([]);
		expect((await hub.request('/api/leads?agentId=nope', { key: apiKey.key })).status).toBe(422);
	});

	it('filters by temperature, provider, idle time and follow-up count', async () => {
		const { key, ids, at } = await seedLeads();
		expect(idsOf(await list(key, '?temperature=hot'))).toEqual([ids[0]]);
		expect(idsOf(await list(key, '?temperature=hot,warm'))).toEqual([ids[1], ids[0]]);
		expect(idsOf(await list(key, '?provider=messenger'))).toEqual([ids[1]]);
		expect(idsOf(await list(key, '?idleDays=3'))).toEqual([ids[1], ids[0]]);
		expect(idsOf(await list(key, `?lastContactBefore=${encodeURIComponent(at(6))}`))).toEqual([ids[0]]);
		expect(idsOf(await list(key, `?idleDays=3&temperature=warm`))).toEqual([ids[1]]);

		// A follow-up sent now makes the lead active again and counts towards the sequence limit.
		const lead = await hub.request(`/api/leads/${ids[0]}`, { key });
		await upsert(key, { provider: 'instagram', contact: { externalId: lead.body.contact.externalId }, contacted: true });
		expect(idsOf(await list(key, '?idleDays=3'))).toEqual([ids[1]]);
		expect(idsOf(await list(key, '?followUpCountBelow=1'))).not.toContain(ids[0]);
		expect(idsOf(await list(key, '?followUpCountBelow=2'))).toContain(ids[0]);
	});

	describe('a follow-up sequence (followUp with followUpAfterHours)', () => {
		const HOUR = 60 * 60_000;
		/** Hot leads whose last message and last follow-up are `hoursAgo` before now (null: none). */
		async function seedSequence() {
			const { apiKey } = await hub.createTenant();
			const now = clock.now().getTime();
			const ago = (hours: number) => new Date(now - hours * HOUR);
			const lead = async (name: string, messageHoursAgo: number | null, contactedHoursAgo: number | null = null) => {
				const created = await upsert(
					apiKey.key,
					leadRequest({
						temperature: 'hot',
						contact: { externalId: `igsid-${name}-${randomUUID()}`, name },
						lastMessageAt: messageHoursAgo === null ? null : ago(messageHoursAgo).toISOString(),
					}),
				);
				if (contactedHoursAgo !== null) {
					await hub.dataSource.query('UPDATE leads SET last_contacted_at = $2, follow_up_count = 1 WHERE id = $1', [
						created.body.id,
						ago(contactedHoursAgo),
					]);
				}
				return created.body.id as string;
			};
			const ids = {
				quietHalfHour: await lead('quiet for 30 min', 0.5),
				quietHourAndHalf: await lead('quiet for 1 h 30', 1.5),
				secondStepOwed: await lead('first follow-up at 1 h 10, quiet for 21 h', 21, 21 - 1 - 1 / 6),
				secondStepSent: await lead('second follow-up at 20 h 05', 21, 21 - 20 - 1 / 12),
				closedNeverFollowedUp: await lead('quiet for 25 h', 25),
				closedAfterFirstStep: await lead('followed up at 1 h 10, quiet for 25 h', 25, 25 - 1 - 1 / 6),
				closedAlreadyRecorded: await lead('recorded window_closed', 26),
				finished: await lead('both follow-ups sent, quiet for 30 h', 30, 30 - 20.5),
				noMessage: await lead('never wrote', null),
			};
			const recorded = await hub.request(`/api/leads/${ids.closedAlreadyRecorded}`, { key: apiKey.key });
			await upsert(apiKey.key, {
				provider: 'instagram',
				contact: { externalId: recorded.body.contact.externalId },
				followUp: { status: 'window_closed', reason: 'outside_messaging_window' },
			});
			return { key: apiKey.key, ids };
		}
		const sorted = (ids: string[]) => [...ids].sort();

		it('lists the leads due a follow-up now, inside the window, and those whose window closed before the sequence ended', async () => {
			const { key, ids } = await seedSequence();
			const due = await list(key, '?followUp=due&followUpAfterHours=1,20');
			expect(sorted(idsOf(due))).toEqual(sorted([ids.quietHourAndHalf, ids.secondStepOwed]));
			// The steps in any order, and the other filters still apply.
			expect(sorted(idsOf(await list(key, '?followUp=due&followUpAfterHours=20,%201')))).toEqual(sorted(idsOf(due)));
			expect(idsOf(await list(key, '?followUp=due&followUpAfterHours=1,20&followUpCountBelow=1'))).toEqual([ids.quietHourAndHalf]);
			expect(idsOf(await list(key, '?followUp=due&followUpAfterHours=1,20&temperature=cold'))).toEqual([]);
			// Half an hour is a step too.
			expect(idsOf(await list(key, '?followUp=due&followUpAfterHours=0.5,20'))).toContain(ids.quietHalfHour);

			const closed = await list(key, '?followUp=window_closed&followUpAfterHours=1,20');
			expect(sorted(idsOf(closed))).toEqual(sorted([ids.closedNeverFollowedUp, ids.closedAfterFirstStep]));
			// A shorter window closes earlier: 21 hours of silence is past a 20-hour window.
			expect(idsOf(await list(key, '?followUp=window_closed&followUpAfterHours=1,19&windowHours=20'))).toContain(ids.secondStepOwed);

			const recorded = await list(key, '?followUpStatus=window_closed');
			expect(recorded.leads).toEqual([
				expect.objectContaining({
					id: ids.closedAlreadyRecorded,
					followUp: { status: 'window_closed', reason: 'outside_messaging_window', at: clock.now().toISOString() },
				}),
			]);
			expect(idsOf(await list(key, '?followUpStatus=sent,failed'))).toEqual([]);
		});

		it('owes a lead the next step once the clock reaches it, and nothing once the window closes', async () => {
			const { key, ids } = await seedSequence();
			clock.advance(3.5 * HOUR);
			const due = idsOf(await list(key, '?followUp=due&followUpAfterHours=1,20'));
			expect(due).toContain(ids.quietHalfHour);
			expect(due).not.toContain(ids.secondStepOwed);
			// 24 h 30 after their message: the second follow-up was never sent; the one that was is a sequence ended.
			const closed = idsOf(await list(key, '?followUp=window_closed&followUpAfterHours=1,20'));
			expect(closed).toContain(ids.secondStepOwed);
			expect(closed).not.toContain(ids.secondStepSent);
		});

		it('rejects a malformed sequence with 422 listing every problem', async () => {
			const { apiKey } = await hub.createTenant();
			const problems = async (query: string) => {
				const response = await hub.request(`/api/leads?${query}`, { key: apiKey.key });
				expect({ query, status: response.status }).toEqual({ query, status: 422 });
				return (response.body.error.details as { path: string }[]).map((issue) => issue.path).sort();
			};
			expect(await problems('followUp=due')).toEqual(['query.followUpAfterHours']);
			expect(await problems('followUpAfterHours=1,20')).toEqual(['query.followUpAfterHours']);
			expect(await problems('followUp=due&followUpAfterHours=1,24')).toEqual(['query.followUpAfterHours']);
			expect(await problems('followUp=due&followUpAfterHours=1,0')).toEqual(['query.followUpAfterHours.1']);
			expect(await problems('followUp=due&followUpAfterHours=1,abc')).toEqual(['query.followUpAfterHours.1']);
			expect(await problems('followUp=due&followUpAfterHours=1,2,3,4,5,6,7,8,9,10,11')).toEqual(['query.followUpAfterHours']);
			expect(await problems('followUp=due&followUpAfterHours=1&windowHours=0')).toEqual(['query.windowHours']);
			expect(await problems('followUpStatus=lost')).toEqual(['query.followUpStatus.0']);
			expect(await problems('followUp=soon&followUpAfterHours=30&limit=0')).toEqual([
				'query.followUp',
				'query.followUpAfterHours',
				'query.limit',
			]);
		});
	});

	it('rejects bad filters with 422', async () => {
		const { apiKey } = await hub.createTenant();
		for (const query of [
			'limit=0',
			'limit=1000',
			'temperature=tiede',
			'temperature=',
			'provider=myspace',
			'idleDays=-1',
			'idleDays=abc',
			'lastContactBefore=yesterday',
			'cursor=garbage',
			'format=xml',
			'temperature=hot&temperature=cold',
		]) {
			const response = await hub.request(`/api/leads?${query}`, { key: apiKey.key });
			expect({ query, status: response.status }).toEqual({ query, status: 422 });
		}
		const forged = await hub.request('/api/leads?cursor=garbage', { key: apiKey.key });
		expect(forged.body.error.details).toEqual([expect.objectContaining({ path: 'query.cursor', code: 'invalid_cursor' })]);
	});

	it('exports every matching lead as RFC 4180 CSV that spreadsheets cannot run as formulas', async () => {
		const { apiKey } = await hub.createTenant();
		const awkward = leadRequest({
			contact: { externalId: 'c-1', name: '=HYPERLINK("http://evil.example","clic")', handle: '@lea', phone: '+33612345678' },
			summary: '- Veut un devis, "urgent"\n- Budget 500 €',
			lastMessageText: '-2+3',
			temperature: 'hot',
		});
		await upsert(apiKey.key, awkward);
		await upsert(apiKey.key, leadRequest({ contact: { externalId: 'c-2', name: 'Hugo' }, temperature: 'cold' }));

		const response = await hub.request('/api/leads?format=csv&temperature=hot', { key: apiKey.key });
		expect(response.status).toBe(200);
		expectDocumented(response, 'get', '/api/leads');
		expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(response.headers.get('content-disposition')).toBe('attachment; filename=leads.csv');
		const text = response.body as string;
		const lines = text.split('\r\n');
		expect(lines[0]).toBe(
			'id,provider,contact_external_id,name,handle,phone,temperature,summary,last_message_text,conversation_id,' +
				'agent_id,first_seen_at,last_message_at,last_contacted_at,follow_up_count,follow_up_status,follow_up_reason,' +
				'follow_up_at,created_at,updated_at',
		);
		expect(text.endsWith('\r\n')).toBe(true);
		expect(text).not.toContain('Hugo');
		expect(text).toContain(`,c-1,"'=HYPERLINK(""http://evil.example"",""clic"")",'@lea,'+33612345678,hot,`);
		expect(text).toContain(`,"'- Veut un devis, ""urgent""\n- Budget 500 €",'-2+3,`);
	});

	it('exports more leads than one database page, and only a header when nothing matches', async () => {
		const { account, apiKey } = await hub.createTenant();
		await hub.dataSource.query(
			`INSERT INTO leads (account_id, provider, contact_external_id, first_seen_at)
			 SELECT $1, 'instagram', 'bulk-' || n, $2::timestamptz - n * interval '1 second' FROM generate_series(1, 1203) n`,
			[account.id, clock.now()],
		);
		const all = await hub.request('/api/leads?format=csv', { key: apiKey.key });
		const rows = (all.body as string).split('\r\n').filter((line) => line !== '');
		expect(rows).toHaveLength(1 + 1203);
		expect(new Set(rows).size).toBe(rows.length);

		const none = await hub.request('/api/leads?format=csv&temperature=hot', { key: apiKey.key });
		expect((none.body as string).split('\r\n')).toEqual([expect.stringMatching(/^id,provider,/), '']);
	});
});

describe('GET /api/leads/:id', () => {
	it("returns the caller's lead, and 404 for another account's or an unknown id", async () => {
		const [caller, other] = await Promise.all([hub.createTenant(), hub.createTenant()]);
		const own = (await upsert(caller.apiKey.key, leadRequest())).body;
		const theirs = (await upsert(other.apiKey.key, leadRequest())).body;

		const found = await hub.request(`/api/leads/${own.id}`, { key: caller.apiKey.key });
		expect(found.status).toBe(200);
		expectDocumented(found, 'get', '/api/leads/{id}');
		expect(found.body).toEqual(own);
		for (const id of [theirs.id, randomUUID()]) {
			const response = await hub.request(`/api/leads/${id}`, { key: caller.apiKey.key });
			expect(response.status).toBe(404);
			expect(response.body.error.code).toBe('lead_not_found');
		}
		expect((await hub.request('/api/leads/not-a-uuid', { key: caller.apiKey.key })).status).toBe(422);
		expect((await hub.request(`/api/leads/${own.id}?accountId=${caller.account.id}`, { key: hub.platformKey })).status).toBe(200);
		expect((await hub.request(`/api/leads/${own.id}?accountId=${other.account.id}`, { key: hub.platformKey })).status).toBe(404);
	});

	it('needs credentials', async () => {
		expect((await hub.request('/api/leads')).status).toBe(401);
		expect((await hub.request('/api/leads', { key: 'sk_not_a_key' })).status).toBe(401);
	});
});
