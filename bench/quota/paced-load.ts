/**
 * A fixed request rate, evenly spaced: request i is due at start + i / rate, whatever happened to the earlier ones
 * (an open loop), and its latency counts from when it was due, so a stall of the server or of this client shows in the
 * figures instead of delaying the requests that would have measured it.
 *
 * autocannon's `overallRate` is not that: each connection sends its share of a second back to back as soon as the
 * previous answer arrives, then waits for the next second, so "500 req/s" over 20 connections is a burst of 500
 * requests in the first ~100 ms of every second, 20 at a time, and its latencies are those of the burst.
 */
import { Agent, request } from 'node:http';

export interface PacedResult {
	requestsPerSecond: number;
	/** Milliseconds from when each request was due to the end of its answer. */
	p50: number;
	p99: number;
	failures: number;
	total: number;
}

/** Due requests are sent on a 1 ms timer, so a latency here includes up to ~1 ms of this client's own lag. */
const TICK_MS = 1;

export async function pacedLoad(options: {
	url: string;
	headers: Record<string, string>;
	body: () => string;
	rate: number;
	seconds: number;
}): Promise<PacedResult> {
	const { url, headers, body, rate, seconds } = options;
	const target = new URL(url);
	// Enough sockets that a slow answer never holds up the next due request (which would hide the stall).
	const agent = new Agent({ keepAlive: true, maxSockets: 256 });
	const total = Math.round(rate * seconds);
	const latencies = new Float64Array(total);
	let sent = 0;
	let finished = 0;
	let failures = 0;
	const startedAt = performance.now();
	const dueAt = (index: number) => startedAt + (index * 1000) / rate;

	await new Promise<void>((resolve) => {
		const settle = (index: number, ok: boolean) => {
			latencies[index] = performance.now() - dueAt(index);
			if (!ok) failures += 1;
			finished += 1;
			if (finished === total) resolve();
		};
		const send = (index: number) => {
			const payload = body();
			const outgoing = request(
				{
					agent,
					host: target.hostname,
					port: target.port,
					path: target.pathname,
					method: 'POST',
					headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
				},
				(response) => {
					response.resume();
					response.on('end', () => settle(index, response.statusCode === 200));
				},
			);
			outgoing.on('error', () => settle(index, false));
			outgoing.end(payload);
		};
		const sendDue = () => {
			const now = performance.now();
			while (sent < total && dueAt(sent) <= now) send(sent++);
			if (sent < total) setTimeout(sendDue, TICK_MS);
		};
		sendDue();
	});
	const elapsedSeconds = (performance.now() - startedAt) / 1000;
	agent.destroy();

	const sorted = latencies.sort();
	const percentile = (share: number) => sorted[Math.min(total - 1, Math.ceil(share * total) - 1)]!;
	return { requestsPerSecond: total / elapsedSeconds, p50: percentile(0.5), p99: percentile(0.99), failures, total };
}
