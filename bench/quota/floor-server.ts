/**
 * The floor of the quota benchmark: a bare Express endpoint that parses the same JSON body and does one Redis INCR,
 * the least any shared, atomic counter over HTTP can cost, with the hub's own Express and ioredis. Started by run.ts as
 * its own process, like the hub.
 *   PORT=… REDIS_URL=… FLOOR_KEY=… node bench/quota/floor-server.ts
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import express from 'express';
import type RedisClient from 'ioredis';

// The Redis client the hub itself resolves (hub-api's ioredis), so the floor differs from the hub by its work alone.
// Run from the repository root, as run.ts does.
const Redis = createRequire(join(process.cwd(), 'hub-api', 'package.json'))('ioredis').default as typeof RedisClient;

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const key = process.env.FLOOR_KEY ?? 'skybot:bench:floor';
const app = express();
// Its own side of the latency, in the buckets the bench reads from the hub's histogram (cumulative, as Prometheus
// counts them) and measured from the same point, before the body is parsed: a clock read and a listener per request.
const LE_SECONDS = ['0.005', '0.01', '0.025', '+Inf'];
const answeredWithin: Record<string, number> = Object.fromEntries(LE_SECONDS.map((le) => [le, 0]));
app.use((_req, res, next) => {
	const startedAt = performance.now();
	res.on('finish', () => {
		const seconds = (performance.now() - startedAt) / 1000;
		for (const le of LE_SECONDS) if (le === '+Inf' || seconds <= Number(le)) answeredWithin[le]! += 1;
	});
	next();
});
app.use(express.json());
app.post('/incr', async (_req, res) => {
	res.json({ used: await redis.incr(key) });
});
app.get('/latency', (_req, res) => {
	res.json(answeredWithin);
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
	process.stdout.write(`listening ${JSON.stringify(server.address())}\n`);
});
process.on('SIGTERM', () => {
	server.close();
	redis.disconnect();
});
