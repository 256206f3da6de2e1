import { createTestDatabase, startTestHub, withAdminClient } from './support';

const backendsOf = async (databaseName: string) =>
	withAdminClient(async (client) => {
		const { rows } = await client.query('SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1', [databaseName]);
		return rows[0].count as number;
	});

describe('start-up', () => {
	it('stops with the cause and closes its PostgreSQL connections when the app cannot be built (no templates directory)', async () => {
		const database = await createTestDatabase();
		try {
			await expect(startTestHub({ database, deploy: { templatesDir: '/nonexistent/skybot-templates' } })).rejects.toThrow(
				'Templates directory not found',
			);
			// A closed connection's backend ends just after the client lets go: wait for it, never for a leaked one.
			let backends = await backendsOf(database.name);
			for (let attempt = 0; backends > 0 && attempt < 50; attempt += 1) {
				await new Promise((resolve) => setTimeout(resolve, 100));
				backends = await backendsOf(database.name);
			}
			expect(backends).toBe(0);
		} finally {
			await database.drop();
		}
	});
});
