import type { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { createDataSource } from '../src/db/data-source';
import { createTestDatabase, type TestDatabase } from './support';

let database: TestDatabase;

beforeAll(async () => {
	database = await createTestDatabase({ migrate: false });
});
afterAll(() => database?.drop());

const HUB_TABLES = [
	'account_plan_changes',
	'accounts',
	'agent_logs',
	'agent_scenarios',
	'agent_versions',
	'agents',
	'api_keys',
	'auth_sessions',
	'billing_customers',
	'billing_events',
	'billing_subscriptions',
	'conversations',
	'execution_daily_totals',
	'executions',
	'interactions',
	'leads',
	'provider_accounts',
	'refresh_tokens',
	'social_accounts',
	'users',
];

/** Reverts the newest migrations down to and including `name`: the database as it was before that one. */
async function revertThrough(dataSource: DataSource, name: string): Promise<void> {
	for (;;) {
		const [last] = (await dataSource.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`)) as { name: string }[];
		if (!last) throw new Error(`${name} was never applied`);
		await dataSource.undoLastMigration();
		if (last.name === name) return;
	}
}

describe('migrations', () => {
	it('apply, revert completely and apply again cleanly', async () => {
		const dataSource = createDataSource(database.url);
		await dataSource.initialize();
		const tables = async () =>
			(
				(await dataSource.query(
					`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
				)) as { table_name: string }[]
			).map((row) => row.table_name);
		const types = async () =>
			(await dataSource.query(`SELECT typname FROM pg_type WHERE typname = 'account_plan'`)) as unknown[];
		try {
			expect((await dataSource.runMigrations()).map((migration) => migration.name)).toEqual(
				migrations.map((migration) => migration.name),
			);
			expect(await tables()).toEqual(HUB_TABLES);

			for (let index = 0; index < migrations.length; index += 1) await dataSource.undoLastMigration();
			expect(await tables()).toEqual([]);
			expect(await types()).toEqual([]);
			expect(await dataSource.showMigrations()).toBe(true);

			expect(await dataSource.runMigrations()).toHaveLength(migrations.length);
			expect(await tables()).toEqual(HUB_TABLES);
			expect(await dataSource.showMigrations()).toBe(false);
		} finally {
			await dataSource.destroy();
		}
	});

	it('gives the interactions logged before conversations existed their conversation', async () => {
		const dataSource = createDataSource(database.url);
		await dataSource.initialize();
		try {
			await dataSource.runMigrations();
			await revertThrough(dataSource, 'CreateConversations1763830000000');
			const [{ id: accountId }] = await dataSource.query(`INSERT INTO accounts (name) VALUES ('before') RETURNING id`);
			const log = (messageId: string, conversationId: string, at: string) =>
				dataSource.query(
					`INSERT INTO interactions (account_id, provider, kind, message_id, conversation_id, contact_external_id,
						status, message_timestamp, created_at)
					VALUES ($1, 'instagram', 'dm', $2, $3, 'contact-' || $3, 'replied', $4, $4)`,
					[accountId, messageId, conversationId, at],
				);
			await log('m1', 'c1', '2026-03-01T10:00:00Z');
			await log('m2', 'c1', '2026-03-01T11:00:00Z');
			await log('m3', 'c2', '2026-03-02T10:00:00Z');
			await dataSource.runMigrations();
			expect(
				await dataSource.query(
					`SELECT conversation_id, contact_external_id, handler, handler_version, last_message_at, created_at
					FROM conversations ORDER BY conversation_id`,
				),
			).toEqual([
				{
					conversation_id: 'c1',
					contact_external_id: 'contact-c1',
					handler: 'ai',
					handler_version: 0,
					last_message_at: new Date('2026-03-01T11:00:00Z'),
					created_at: new Date('2026-03-01T10:00:00Z'),
				},
				expect.objectContaining({ conversation_id: 'c2', last_message_at: new Date('2026-03-02T10:00:00Z') }),
			]);
		} finally {
			await dataSource.destroy();
		}
	});

	it('records the leads followed up before follow-up states existed as sent, unless they wrote since', async () => {
		const dataSource = createDataSource(database.url);
		await dataSource.initialize();
		try {
			await dataSource.runMigrations();
			await revertThrough(dataSource, 'LeadFollowUpState1763860000000');
			const [{ id: accountId }] = await dataSource.query(`INSERT INTO accounts (name) VALUES ('leads before') RETURNING id`);
			const lead = (contact: string, lastMessageAt: string, lastContactedAt: string | null) =>
				dataSource.query(
					`INSERT INTO leads (account_id, provider, contact_external_id, first_seen_at, last_message_at,
						last_contacted_at, follow_up_count)
					VALUES ($1, 'instagram', $2, $3, $3, $4, $5)`,
					[accountId, contact, lastMessageAt, lastContactedAt, lastContactedAt ? 1 : 0],
				);
			await lead('followed-up', '2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z');
			await lead('wrote-since', '2026-03-01T12:00:00Z', '2026-03-01T11:00:00Z');
			await lead('never', '2026-03-01T10:00:00Z', null);
			await dataSource.runMigrations();
			expect(
				await dataSource.query(
					`SELECT contact_external_id, follow_up_status, follow_up_reason, follow_up_at FROM leads
					WHERE account_id = $1 ORDER BY contact_external_id`,
					[accountId],
				),
			).toEqual([
				{ contact_external_id: 'followed-up', follow_up_status: 'sent', follow_up_reason: null, follow_up_at: new Date('2026-03-01T11:00:00Z') },
				{ contact_external_id: 'never', follow_up_status: null, follow_up_reason: null, follow_up_at: null },
				{ contact_external_id: 'wrote-since', follow_up_status: null, follow_up_reason: null, follow_up_at: null },
			]);
		} finally {
			await dataSource.destroy();
		}
	});

	it('rolls up cache hits and cost saved per day, and after undoing that migration the totals trigger works as before', async () => {
		const dataSource = createDataSource(database.url);
		await dataSource.initialize();
		try {
			await dataSource.runMigrations();
			const [{ id: accountId }] = await dataSource.query(`INSERT INTO accounts (name) VALUES ('savings') RETURNING id`);
			const [{ id: agentId }] = await dataSource.query(`INSERT INTO agents (account_id, name) VALUES ($1, 'a') RETURNING id`, [
				accountId,
			]);
			const execute = (id: string, columns: string, values: string) =>
				dataSource.query(
					`INSERT INTO executions (account_id, agent_id, n8n_execution_id, status, started_at, prompt_tokens,
						completion_tokens, cost_usd${columns})
					VALUES ($1, $2, $3, 'success', '2026-03-01T10:00:00Z', 10, 5, 0.001${values})`,
					[accountId, agentId, id],
				);
			const totals = () =>
				dataSource.query(`SELECT * FROM execution_daily_totals WHERE agent_id = $1`, [agentId]) as Promise<
					Record<string, unknown>[]
				>;
			await execute('hit', ', cache_hit, cost_saved_usd', ', true, 0.004');
			await execute('miss', '', '');
			expect(await totals()).toEqual([
				expect.objectContaining({ executions: 2, cost_usd: '0.002000', cache_hits: 1, cost_saved_usd: '0.004000' }),
			]);
			// A cost saved without a hit is refused: it would count savings no cached answer made.
			await expect(execute('bogus', ', cost_saved_usd', ', 0.5')).rejects.toThrow(/executions_cost_saved_check/);

			// That migration and every later one undone.
			await revertThrough(dataSource, 'AnswerCacheSavings1763850000000');
			await execute('after-undo', '', '');
			expect(await totals()).toEqual([
				{
					agent_id: agentId,
					account_id: accountId,
					day: expect.any(Date),
					executions: 3,
					prompt_tokens: '30',
					completion_tokens: '15',
					cost_usd: '0.003000',
				},
			]);
		} finally {
			await dataSource.destroy();
		}
	});
});
