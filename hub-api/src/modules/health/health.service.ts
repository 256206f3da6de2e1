import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';

export type CheckStatus = 'ok' | 'down';

export interface Readiness {
	ready: boolean;
	checks: { postgres: CheckStatus; redis: CheckStatus };
}

/** A readiness probe must answer quickly even when a dependency hangs rather than refuses. */
const CHECK_TIMEOUT_MS = 1_000;

async function probe(check: () => Promise<unknown>): Promise<CheckStatus> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
	});
	try {
		await Promise.race([check(), timeout]);
		return 'ok';
	} catch {
		return 'down';
	} finally {
		clearTimeout(timer);
	}
}

export class HealthService {
	constructor(private readonly dataSource: DataSource, private readonly redis: Redis) {}

	async readiness(): Promise<Readiness> {
		const [postgres, redis] = await Promise.all([
			probe(() => this.dataSource.query('SELECT 1')),
			probe(() => this.redis.ping()),
		]);
		return { ready: postgres === 'ok' && redis === 'ok', checks: { postgres, redis } };
	}
}
