/**
 * Analytics benchmark: how fast GET /api/analytics/overview and GET /api/agents/:id/stats answer, and how much memory
 * the hub process uses, with 100 k and then 1 M execution rows (one account, 100 agents, 90 days of history).
 *
 *   npm run build:hub && npm run bench -- analytics          (from the repository root)
 *   BENCH_DATABASE_URL=postgres://…/postgres BENCH_REQUESTS=300 npm run bench -- analytics
 *
 * It creates a throwaway database, migrates it with the built hub CLI, seeds rows with generate_series in SQL,
 * starts the built hub as a child process (the process measured), times sequential requests (one client) and
 * concurrent ones (8 clients), reads the hub's peak RSS (VmHWM in /proc/<pid>/status), and drops the database.
 * It reports numbers; it passes or fails nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { builtHub, createThrowawayDatabase, redisUrl, root, runNode, say, withClient } from '../support.ts';

const requestsPerCase = Number(process.env.BENCH_REQUESTS ?? 200);
const AGENTS = 100;
const PHASES = [100_000, 1_000_000];
const CONCURRENT_CLIENTS = 8;

/** Seeds executions numbered [from, to] spread uniformly over the last 90 days; ~5 % errors, ~13 % skipped. */
const SEED_SQL = `
	INSERT INTO executions (account_id, agent_id, n8n_execution_id, status, started_at, latency_ms, model,
		prompt_tokens, completion_tokens, cost_usd, provider, message_id, message_key, conversation_id, contact_id)
	SELECT $1, fleet.ids[1 + g % ${AGENTS}], 'bench-' || g,
		CASE WHEN g % 20 = 0 THEN 'error' WHEN g % 7 = 0 THEN 'skipped' ELSE 'success' END,
		now() - random() * interval '90 days',
		200 + (random() * 3000)::int, 'gpt-4o-mini',
		100 + g % 400, 20 + g % 80, ((100 + g % 400) * 0.00000015 + (20 + g % 80) * 0.0000006)::numeric(12, 6),
		'instagram', 'mid.' || g, 'mid.' || g, 'conv-' || g % 50000, 'contact-' || g % 50000
	FROM generate_series($2::int, $3::int) AS g,
		(SELECT array_agg(id ORDER BY name) AS ids FROM agents WHERE account_id = $1) AS fleet`;

function percentile(sorted: number[], p: number): number {
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
	return sorted[index] ?? NaN;
}

async function timeRequests(url: string, key: string, total: number, clients: number): Promise<{ p50: number; p95: number }> {
	const samples: number[] = [];
	let issued = 0;
	const worker = async () => {
		while (issued < total) {
			issued += 1;
			const started = performance.now();
			const response = await fetch(url, { headers: { 'x-api-key': key } });
			await response.arrayBuffer();
			if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
			samples.push(performance.now() - started);
		}
	};
	await Promise.all(Array.from({ length: clients }, worker));
	samples.sort((a, b) => a - b);
	return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}

/** VmHWM: the peak resident set size of the process so far, in MiB. */
function peakRssMiB(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
	return Math.round((kib / 1024) * 10) / 10;
}

function startHub(main: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [main], {
			cwd: root,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		const onData = (chunk: Buffer) => {
			output += chunk;
			const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
			if (match) {
				child.stdout?.off('data', onData);
				resolve({ child, url: match[1]! });
			}
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
		child.on('exit', (code) => reject(new Error(`the hub exited (${code}): ${output}`)));
	});
}

async function main(): Promise<void> {
	const hubFiles = builtHub();
	const { name, url, drop } = await createThrowawayDatabase();
	const env: NodeJS.ProcessEnv = {
		...process.env,
		DATABASE_URL: url,
		REDIS_URL: redisUrl,
		REDIS_NAMESPACE: name,
		PORT: '0',
		LOG_LEVEL: 'info',
		JWT_SECRET: randomBytes(32).toString('base64url'),
		// The benchmark measures the analytics queries, not the per-key rate limit.
		RATE_LIMIT_PER_MINUTE: '1000000',
	};
	let hub: ChildProcess | undefined;
	try {
		await runNode([hubFiles.cli, 'migrate'], env);
		const tenant = JSON.parse(await runNode([hubFiles.cli, 'create-account', '--name', 'bench', '--plan', 'ultra'], env));
		const accountId: string = tenant.account.id;
		const key: string = tenant.apiKey.key;
		const agentId: string = tenant.agent.id;
		await withClient(url, (client) =>
			client.query(
				`INSERT INTO agents (account_id, name) SELECT $1, 'agent-' || lpad(g::text, 3, '0') FROM generate_series(2, ${AGENTS}) g`,
				[accountId],
			),
		);

		const started = await startHub(hubFiles.main, env);
		hub = started.child;
		const cases = [
			['overview', `${started.url}/api/analytics/overview`],
			['stats 7d', `${started.url}/api/agents/${agentId}/stats?period=7d`],
			['stats 3m', `${started.url}/api/agents/${agentId}/stats?period=3m`],
			['costs 4w', `${started.url}/api/analytics/costs?period=4w`],
		] as const;

		say(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM`);
		say(`hub: pid ${hub.pid}, ${started.url}; ${requestsPerCase} requests per case after 20 warm-up requests`);
		let seeded = 0;
		for (const rows of PHASES) {
			const seedStarted = performance.now();
			await withClient(url, async (client) => {
				await client.query(SEED_SQL, [accountId, seeded + 1, rows]);
				// Fresh visibility map and statistics, as autovacuum would leave them, so plans are index-only scans.
				await client.query('VACUUM ANALYZE executions');
			});
			seeded = rows;
			say(`\n${rows.toLocaleString('en')} executions (${AGENTS} agents, one account, 90 days), seeded in ${Math.round((performance.now() - seedStarted) / 1000)} s`);
			say('case          sequential p50 / p95 (ms)   8 clients p50 / p95 (ms)');
			for (const [label, caseUrl] of cases) {
				await timeRequests(caseUrl, key, 20, 1);
				const sequential = await timeRequests(caseUrl, key, requestsPerCase, 1);
				const concurrent = await timeRequests(caseUrl, key, requestsPerCase, CONCURRENT_CLIENTS);
				say(
					`${label.padEnd(14)}${`${sequential.p50.toFixed(1)} / ${sequential.p95.toFixed(1)}`.padEnd(28)}${concurrent.p50.toFixed(1)} / ${concurrent.p95.toFixed(1)}`,
				);
			}
			say(`hub peak RSS (VmHWM) so far: ${peakRssMiB(hub.pid!)} MiB`);
		}
	} finally {
		hub?.kill('SIGTERM');
		await new Promise((resolve) => setTimeout(resolve, 500));
		await drop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
