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
	'agent_versions',
	'agents',
	'api_keys',
	'auth_sessions',
	'billing_customers',
	'billing_events',
	'billing_subscriptions',
	'execution_daily_totals',
	'executions',
	'interactions',
	'leads',
	'provider_accounts',
	'refresh_tokens',
	'users',
];

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
});
