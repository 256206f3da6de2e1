import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ConversationHandlerEvent } from '../src/hub-events';
import { createManualClock, logPipelineMessage, type PipelineMessage, startTestHub, type TestHub, type TestUser } from './support';
import { expectDocumented } from './support/documented';

const clock = createManualClock('2026-03-10T09:00:00.000Z');
const MINUTE = 60_000;
/** HANDOVER_IDLE_RELEASE of these hubs: the default. */
const IDLE = 30 * MINUTE;
/** Short, so a test sees the sweep of idle handovers without waiting long (the clock is moved by hand). */
const SWEEP_MS = 50;
let hub: TestHub;
const sockets: Socket[] = [];

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now, conversations: { sweepIntervalMs: SWEEP_MS } });
});
afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await hub?.close();
});

interface Tenant {
	accountId: string;
	/** The account's owner-role API key (what n8n holds). */
	key: string;
	apiKeyId: string;
	member: TestUser;
	viewer: TestUser;
}

async function tenant(on = hub): Promise<Tenant> {
	const { account, apiKey } = await on.createTenant();
	const [member, viewer] = [await on.addUser(account.id, 'member'), await on.addUser(account.id, 'viewer')];
	return { accountId: account.id, key: apiKey.key, apiKeyId: apiKey.id, member, viewer };
}

type Message = Omit<PipelineMessage, 'at'> & { at?: Date };

/** Logs one message as the pipeline does, at the test clock's time unless it says otherwise; text "Bonjour". */
const logMessage = (key: string, message: Message, on = hub) =>
	logPipelineMessage(on, key, { text: 'Bonjour', ...message, at: message.at ?? clock.now() });

/** A conversation with one logged message: its hub row as listed. */
async function conversationOf(t: Tenant, conversationId = `conv-${randomUUID()}`) {
	await logMessage(t.key, { conversationId, reply: 'Bonjour ! Comment puis-je aider ?' });
	const page = await hub.request('/api/conversations', { key: t.key });
	const found = page.body.conversations.find((row: { conversationId: string }) => row.conversationId === conversationId);
	if (!found) throw new Error(`conversation ${conversationId} not listed`);
	return found as { id: string; conversationId: string };
}

const change = (id: string, action: 'handover' | 'release', credentials: { key?: string; token?: string }, body?: unknown) =>
	hub.request(`/api/conversations/${id}/${action}`, { method: 'POST', body, ...credentials });

const handlerOf = (key: string, conversationId: string, on = hub) =>
	on.request(`/api/conversations/handler?provider=instagram&conversationId=${encodeURIComponent(conversationId)}`, {
		key,
	});

/** A socket of the account (a person's access token) with every conversation:handler event it hears. */
async function listen(token: string, on = hub) {
	const socket = io(on.url, { auth: { token }, transports: ['websocket'], reconnection: false });
	sockets.push(socket);
	const events: ConversationHandlerEvent[] = [];
	socket.on('conversation:handler', (event: ConversationHandlerEvent) => events.push(event));
	await new Promise<void>((resolve, reject) => {
		socket.on('connect', () => resolve());
		socket.on('connect_error', reject);
	});
	return events;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

describe('conversations from logged messages', () => {
	it('creates one conversation per (provider, conversation) with its last message, its reply and its lead', async () => {
		const t = await tenant();
		const conversationId = `conv-${randomUUID()}`;
		const contact = `igsid-${randomUUID()}`;
		const first = clock.now();
		await logMessage(t.key, { conversationId, contact, text: 'Bonjour', reply: 'Bonjour !', at: first });
		clock.advance(MINUTE);
		const second = clock.now();
		const duplicateId = `mid-${randomUUID()}`;
		await logMessage(t.key, { conversationId, contact, text: 'Le prix ?', messageId: duplicateId, at: second });
		// A redelivery of the same message and a read receipt change nothing.
		clock.advance(MINUTE);
		await logMessage(t.key, { conversationId, contact, text: 'Le prix ?', messageId: duplicateId, at: second });
		await logMessage(t.key, { conversationId, contact, kind: 'read', text: undefined, at: clock.now(), status: 'ignored' });

		const listed = await hub.request('/api/conversations', { token: t.viewer.accessToken });
		expect(listed.status).toBe(200);
		expectDocumented(listed, 'get', '/api/conversations');
		expect(listed.body).toEqual({
			conversations: [
				{
					id: expect.any(String),
					accountId: t.accountId,
					provider: 'instagram',
					conversationId,
					contact: { externalId: contact, name: 'Léa' },
					handler: 'ai',
					handlerVersion: 0,
					handlerChange: null,
					idleReleaseAt: null,
					lastMessage: {
						interactionId: expect.any(String),
						kind: 'dm',
						status: 'skipped',
						text: 'Le prix ?',
						reply: null,
						at: second.toISOString(),
					},
					lead: null,
					lastMessageAt: second.toISOString(),
					lastActivityAt: second.toISOString(),
					createdAt: first.toISOString(),
					updatedAt: second.toISOString(),
				},
			],
			nextCursor: null,
		});
		const rows = await hub.dataSource.query('SELECT count(*)::int AS n FROM conversations WHERE account_id = $1', [
			t.accountId,
		]);
		expect(rows).toEqual([{ n: 1 }]);

		const lead = await hub.request('/api/leads', {
			key: t.key,
			body: { provider: 'instagram', contact: { externalId: contact, name: 'Léa Martin', phone: '+33612345678' }, temperature: 'hot' },
		});
		expect(lead.status).toBe(201);
		const withLead = await hub.request(`/api/conversations/${listed.body.conversations[0].id}`, { key: t.key });
		expect(withLead.status).toBe(200);
		expectDocumented(withLead, 'get', '/api/conversations/{id}');
		expect(withLead.body).toMatchObject({
			contact: { externalId: contact, name: 'Léa Martin' },
			lead: { id: lead.body.id, name: 'Léa Martin', handle: null, phone: '+33612345678', temperature: 'hot', summary: null },
		});
	});

	it('lists newest activity first, page by page, and filters by handler', async () => {
		const t = await tenant();
		const ids: string[] = [];
		for (let index = 0; index < 3; index += 1) {
			ids.push((await conversationOf(t)).id);
			clock.advance(1_000);
		}
		const handedOver = await change(ids[0]!, 'handover', { key: t.key });
		expect(handedOver.status).toBe(200);

		const first = await hub.request('/api/conversations?limit=2', { key: t.key });
		expect(first.body.conversations.map((row: { id: string }) => row.id)).toEqual([ids[0], ids[2]]);
		expect(first.body.nextCursor).toEqual(expect.any(String));
		const second = await hub.request(`/api/conversations?limit=2&cursor=${first.body.nextCursor}`, { key: t.key });
		expect(second.body).toEqual({ conversations: [expect.objectContaining({ id: ids[1] })], nextCursor: null });

		const human = await hub.request('/api/conversations?handler=human', { key: t.key });
		expect(human.body.conversations.map((row: { id: string }) => row.id)).toEqual([ids[0]]);
		const ai = await hub.request('/api/conversations?handler=ai', { key: t.key });
		expect(ai.body.conversations.map((row: { id: string }) => row.id)).toEqual([ids[2], ids[1]]);
	});

	it("lists a conversation's messages oldest first, each with the reply that was sent", async () => {
		const t = await tenant();
		const conversationId = `conv-${randomUUID()}`;
		const start = clock.now().getTime();
		const at = (minutes: number) => new Date(start - 10 * MINUTE + minutes * MINUTE);
		// Logged out of order (executions finish in any order): listed in message order.
		await logMessage(t.key, { conversationId, text: 'Deux', at: at(2), status: 'failed', reply: 'never sent' });
		await logMessage(t.key, { conversationId, text: 'Un', at: at(1), reply: 'Réponse un' });
		await logMessage(t.key, { conversationId, text: 'Trois', at: at(3) });
		await logMessage(t.key, { conversationId: `conv-${randomUUID()}`, text: 'Another conversation' });
		const [conversation] = (await hub.request('/api/conversations', { key: t.key })).body.conversations.filter(
			(row: { conversationId: string }) => row.conversationId === conversationId,
		);

		const first = await hub.request(`/api/conversations/${conversation.id}/messages?limit=2`, { token: t.viewer.accessToken });
		expect(first.status).toBe(200);
		expectDocumented(first, 'get', '/api/conversations/{id}/messages');
		expect(first.body.messages).toEqual([
			{
				id: expect.any(String),
				messageId: expect.any(String),
				kind: 'dm',
				text: 'Un',
				contactName: 'Léa',
				at: at(1).toISOString(),
				status: 'replied',
				reason: null,
				reply: { text: 'Réponse un', externalId: expect.stringMatching(/^reply-/), at: clock.now().toISOString() },
			},
			expect.objectContaining({ text: 'Deux', status: 'failed', reply: null }),
		]);
		const rest = await hub.request(`/api/conversations/${conversation.id}/messages?limit=2&cursor=${first.body.nextCursor}`, {
			key: t.key,
		});
		expect(rest.body).toEqual({ messages: [expect.objectContaining({ text: 'Trois', reply: null })], nextCursor: null });
	});
});

describe('handover and release', () => {
	it('hands over and releases, recording who and when; a repeat changes nothing', async () => {
		const t = await tenant();
		const { id, conversationId } = await conversationOf(t);
		const events = await listen(t.viewer.accessToken);
		expect((await handlerOf(t.key, conversationId)).body).toEqual({ handler: 'ai', id });

		const taken = await change(id, 'handover', { token: t.member.accessToken });
		expect(taken.status).toBe(200);
		expectDocumented(taken, 'post', '/api/conversations/{id}/handover');
		expect(taken.body).toMatchObject({
			changed: true,
			conversation: {
				id,
				handler: 'human',
				handlerVersion: 1,
				handlerChange: { at: clock.now().toISOString(), reason: 'handover', by: { userId: t.member.user.id, apiKeyId: null } },
				idleReleaseAt: new Date(clock.now().getTime() + IDLE).toISOString(),
			},
		});
		const handler = await handlerOf(t.key, conversationId);
		expectDocumented(handler, 'get', '/api/conversations/handler');
		expect(handler.body).toEqual({ handler: 'human', id });

		const again = await change(id, 'handover', { key: t.key });
		expect(again.body).toMatchObject({ changed: false, conversation: { handler: 'human', handlerVersion: 1 } });
		expect(again.body.conversation.handlerChange.by).toEqual({ userId: t.member.user.id, apiKeyId: null });

		clock.advance(MINUTE);
		const released = await change(id, 'release', { key: t.key }, {});
		expect(released.status).toBe(200);
		expectDocumented(released, 'post', '/api/conversations/{id}/release');
		expect(released.body).toMatchObject({
			changed: true,
			conversation: {
				handler: 'ai',
				handlerVersion: 2,
				handlerChange: { at: clock.now().toISOString(), reason: 'release', by: { userId: null, apiKeyId: t.apiKeyId } },
				idleReleaseAt: null,
			},
		});
		expect((await change(id, 'release', { token: t.member.accessToken })).body.changed).toBe(false);
		expect((await handlerOf(t.key, conversationId)).body).toEqual({ handler: 'ai', id });

		await until(() => events.length === 2, 'two events');
		expect(events).toEqual([
			{
				accountId: t.accountId,
				id,
				provider: 'instagram',
				conversationId,
				handler: 'human',
				version: 1,
				reason: 'handover',
				changedBy: { userId: t.member.user.id, apiKeyId: null },
				at: new Date(clock.now().getTime() - MINUTE).toISOString(),
			},
			expect.objectContaining({ handler: 'ai', version: 2, reason: 'release', changedBy: { userId: null, apiKeyId: t.apiKeyId } }),
		]);
	});

	it('answers the AI for a conversation the hub does not know', async () => {
		const t = await tenant();
		const answer = await handlerOf(t.key, `never-seen-${randomUUID()}`);
		expect(answer.status).toBe(200);
		expectDocumented(answer, 'get', '/api/conversations/handler');
		expect(answer.body).toEqual({ handler: 'ai', id: null });
	});

	it('lets the platform key act for an account it names, and only there', async () => {
		const [t, other] = [await tenant(), await tenant()];
		const { id, conversationId } = await conversationOf(t);
		const withoutAccount = await change(id, 'handover', { key: hub.platformKey });
		expect([withoutAccount.status, withoutAccount.body.error.details]).toEqual([
			422,
			[expect.objectContaining({ path: 'accountId', code: 'required' })],
		]);
		const wrongAccount = await change(id, 'handover', { key: hub.platformKey }, { accountId: other.accountId });
		expect([wrongAccount.status, wrongAccount.body.error.code]).toEqual([404, 'conversation_not_found']);
		const taken = await change(id, 'handover', { key: hub.platformKey }, { accountId: t.accountId });
		expect(taken.body).toMatchObject({ changed: true, conversation: { handler: 'human' } });
		const platformCheck = await hub.request(
			`/api/conversations/handler?provider=instagram&conversationId=${conversationId}&accountId=${t.accountId}`,
			{ key: hub.platformKey },
		);
		expect(platformCheck.body).toEqual({ handler: 'human', id });
	});

	it('refuses a viewer (403) and changes nothing', async () => {
		const t = await tenant();
		const { id } = await conversationOf(t);
		for (const action of ['handover', 'release'] as const) {
			const refused = await change(id, action, { token: t.viewer.accessToken });
			expect([refused.status, refused.body.error.code]).toEqual([403, 'insufficient_role']);
			expectDocumented(refused, 'post', `/api/conversations/{id}/${action}`);
		}
		const viewerKey = await hub.request('/api/api-keys', {
			token: (await hub.addUser(t.accountId, 'owner')).accessToken,
			body: { name: 'read only', role: 'viewer' },
		});
		expect((await change(id, 'handover', { key: viewerKey.body.apiKey.key })).status).toBe(403);
		expect((await hub.request(`/api/conversations/${id}`, { key: t.key })).body.handlerVersion).toBe(0);
	});

	it("answers 404 for another account's conversation, on every route, and does not tell it exists", async () => {
		const [owner, intruder] = [await tenant(), await tenant()];
		const { id, conversationId } = await conversationOf(owner);
		for (const [method, path] of [
			['GET', `/api/conversations/${id}`],
			['GET', `/api/conversations/${id}/messages`],
			['POST', `/api/conversations/${id}/handover`],
			['POST', `/api/conversations/${id}/release`],
		]) {
			for (const credentials of [{ key: intruder.key }, { token: intruder.member.accessToken }]) {
				const response = await hub.request(path!, { method, ...credentials });
				expect([path, response.status, response.body.error.code]).toEqual([path, 404, 'conversation_not_found']);
			}
		}
		expect((await handlerOf(intruder.key, conversationId)).body).toEqual({ handler: 'ai', id: null });
		expect((await hub.request('/api/conversations', { key: intruder.key })).body.conversations).toEqual([]);
		expect((await hub.request(`/api/conversations/${id}`, { key: owner.key })).body.handlerVersion).toBe(0);
	});

	it.each([
		['a malformed id', '/api/conversations/not-a-uuid', 'params.id'],
		['a malformed id (messages)', '/api/conversations/42/messages', 'params.id'],
		['an unknown handler', '/api/conversations?handler=robot', 'query.handler'],
		['a limit out of range', '/api/conversations?limit=0', 'query.limit'],
		['a forged cursor', '/api/conversations?cursor=bm90LWEtY3Vyc29y', 'query.cursor'],
		['a check without provider', '/api/conversations/handler?conversationId=c', 'query.provider'],
		['a check with an unknown provider', '/api/conversations/handler?provider=myspace&conversationId=c', 'query.provider'],
		['a check without conversation', '/api/conversations/handler?provider=instagram', 'query.conversationId'],
	])('answers 422 to %s', async (_case, path, field) => {
		const t = await tenant();
		const response = await hub.request(path, { key: t.key });
		expect(response.status).toBe(422);
		expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
	});

	it('answers 422 to a malformed id or body on handover', async () => {
		const t = await tenant();
		const { id } = await conversationOf(t);
		const badId = await change('nope', 'handover', { key: t.key });
		expect([badId.status, badId.body.error.details[0].path]).toEqual([422, 'params.id']);
		const badBody = await hub.request(`/api/conversations/${id}/handover`, { method: 'POST', key: t.key, rawBody: '[]' });
		expect(badBody.status).toBe(422);
		const badAccount = await change(id, 'handover', { key: hub.platformKey }, { accountId: 'not-a-uuid' });
		expect([badAccount.status, badAccount.body.error.details[0].path]).toEqual([422, 'body.accountId']);
	});

	it('ends concurrent handovers and releases in one consistent state, each change counted and heard once', async () => {
		const t = await tenant();
		const { id, conversationId } = await conversationOf(t);
		const events = await listen(t.viewer.accessToken);
		const people = [t.member, await hub.addUser(t.accountId, 'admin'), await hub.addUser(t.accountId, 'owner')];
		const answers = await Promise.all(
			Array.from({ length: 24 }, (_, index) =>
				change(id, index % 2 === 0 ? 'handover' : 'release', { token: people[index % people.length]!.accessToken }),
			),
		);
		expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
		const changes = answers.filter((answer) => answer.body.changed).length;
		expect(changes).toBeGreaterThanOrEqual(1);

		const [row] = await hub.dataSource.query(
			'SELECT handler, handler_version, handler_change_reason FROM conversations WHERE id = $1',
			[id],
		);
		expect(row.handler_version).toBe(changes);
		expect(row.handler_change_reason).toBe(row.handler === 'human' ? 'handover' : 'release');
		await until(() => events.length === changes, `${changes} events`);
		// Ordered by version, the changes alternate from the AI's first one, and the last is the state stored.
		const ordered = [...events].sort((a, b) => a.version - b.version);
		expect(ordered.map((event) => event.version)).toEqual(Array.from({ length: changes }, (_, index) => index + 1));
		expect(ordered.map((event) => event.handler)).toEqual(ordered.map((_, index) => (index % 2 === 0 ? 'human' : 'ai')));
		expect(ordered.at(-1)!.handler).toBe(row.handler);
		expect((await handlerOf(t.key, conversationId)).body.handler).toBe(row.handler);
	});
});

describe('idle release', () => {
	it('gives a handover back to the AI after HANDOVER_IDLE_RELEASE without activity; messages keep it', async () => {
		const t = await tenant();
		const { id, conversationId } = await conversationOf(t);
		const events = await listen(t.viewer.accessToken);
		await change(id, 'handover', { token: t.member.accessToken });

		clock.advance(IDLE - MINUTE);
		// A message from the contact is activity: the person keeps the conversation for another full idle time.
		await logMessage(t.key, { conversationId, text: 'Vous êtes là ?' });
		const lastMessageAt = clock.now().getTime();
		clock.advance(IDLE - 1_000);
		expect((await handlerOf(t.key, conversationId)).body).toEqual({ handler: 'human', id });

		clock.advance(1_000);
		expect((await handlerOf(t.key, conversationId)).body).toEqual({ handler: 'ai', id });
		await until(() => events.length === 2, 'the release event');
		expect(events[1]).toEqual({
			accountId: t.accountId,
			id,
			provider: 'instagram',
			conversationId,
			handler: 'ai',
			version: 2,
			reason: 'idle',
			changedBy: { userId: null, apiKeyId: null },
			// Dated when it went idle, whoever noticed first.
			at: new Date(lastMessageAt + IDLE).toISOString(),
		});
		const stored = await hub.request(`/api/conversations/${id}`, { key: t.key });
		expect(stored.body).toMatchObject({
			handler: 'ai',
			handlerVersion: 2,
			handlerChange: { reason: 'idle', by: { userId: null, apiKeyId: null } },
			idleReleaseAt: null,
		});
	});

	it('does not let a message after the idle time revive the handover', async () => {
		const t = await tenant();
		const { id, conversationId } = await conversationOf(t);
		await change(id, 'handover', { key: t.key });
		clock.advance(IDLE + MINUTE);
		await logMessage(t.key, { conversationId, text: 'Allô ?' });
		expect((await handlerOf(t.key, conversationId)).body).toEqual({ handler: 'ai', id });
		const [row] = await hub.dataSource.query('SELECT handler, handler_version FROM conversations WHERE id = $1', [id]);
		expect(row).toEqual({ handler: 'ai', handler_version: 2 });
		// Handing over again starts a new handover.
		expect((await change(id, 'handover', { key: t.key })).body).toMatchObject({ changed: true, conversation: { handlerVersion: 3 } });
	});

	it('is released by the sweep, with its live event, when nobody reads the conversation', async () => {
		const t = await tenant();
		const { id } = await conversationOf(t);
		const events = await listen(t.viewer.accessToken);
		await change(id, 'handover', { token: t.member.accessToken });
		await until(() => events.length === 1, 'the handover event');
		clock.advance(IDLE);
		await until(() => events.length === 2, 'the sweep release');
		expect(events[1]).toMatchObject({ id, handler: 'ai', reason: 'idle', version: 2 });
		const [row] = await hub.dataSource.query('SELECT handler FROM conversations WHERE id = $1', [id]);
		expect(row.handler).toBe('ai');
	});

	it('is released once across replicas sweeping the same database', async () => {
		const replica = await startTestHub({
			clock: clock.now,
			database: { name: 'shared', url: hub.databaseUrl, drop: async () => {} },
			conversations: { sweepIntervalMs: SWEEP_MS },
		});
		try {
			const t = await tenant();
			const { id } = await conversationOf(t);
			const [here, there] = [await listen(t.viewer.accessToken), await listen(t.viewer.accessToken, replica)];
			await change(id, 'handover', { key: t.key });
			await until(() => here.length === 1, 'the handover event');
			clock.advance(IDLE);
			await until(() => here.length + there.length === 2, 'the release, on either replica');
			// Several more sweeps of both replicas find nothing left to release.
			await new Promise((resolve) => setTimeout(resolve, SWEEP_MS * 6));
			expect([...here, ...there].filter((event) => event.reason === 'idle')).toEqual([
				expect.objectContaining({ id, version: 2 }),
			]);
		} finally {
			await replica.close();
		}
	});
});
