import { createConnection, createServer } from 'node:net';

/** Asks the OS for a free TCP port on loopback. */
export function findFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** True when nothing listens on `port` (on any address). */
export function isPortFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen(port, () => server.close(() => resolve(true)));
	});
}

/**
 * Opens a TCP connection, optionally writes `probe` and resolves with the first chunk received ('' when no probe).
 * Rejects on refusal or when nothing happens within `timeoutMs`.
 */
export function tcpExchange(host: string, port: number, probe?: string, timeoutMs = 3000): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = createConnection({ host, port });
		const fail = (error: Error) => {
			socket.destroy();
			reject(error);
		};
		socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
		socket.once('error', fail);
		socket.once('connect', () => {
			if (probe === undefined) {
				socket.end();
				resolve('');
				return;
			}
			socket.write(probe);
		});
		socket.once('data', (data) => {
			socket.end();
			resolve(data.toString('utf8'));
		});
	});
}

/**
 * Checks that a Redis server answers at `redisUrl` by sending PING (and AUTH first when the URL has a password).
 * Resolves when the server answers, rejects with the reason otherwise.
 */
export async function pingRedis(redisUrl: string): Promise<void> {
	const url = new URL(redisUrl);
	const host = url.hostname || '127.0.0.1';
	const port = Number(url.port || 6379);
	const password = decodeURIComponent(url.password);
	const username = decodeURIComponent(url.username);
	const auth = password
		? username
			? respCommand(['AUTH', username, password])
			: respCommand(['AUTH', password])
		: '';
	const reply = await tcpExchange(host, port, `${auth}${respCommand(['PING'])}`);
	if (reply.startsWith('-')) throw new Error(`Redis answered ${reply.trim()}`);
}

function respCommand(parts: readonly string[]): string {
	return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
}

export interface WaitOptions {
	/** What is awaited, for the timeout message ("n8n to answer /healthz/readiness"). */
	description: string;
	timeoutMs: number;
	intervalMs?: number;
	/** Stops waiting early (e.g. the process being waited for has exited); its message becomes the error. */
	abortReason?: () => string | undefined;
}

/** Polls `check` until it returns a value other than undefined; rejects on timeout or abort. */
export async function waitFor<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
	const deadline = Date.now() + options.timeoutMs;
	let lastError = '';
	for (;;) {
		const aborted = options.abortReason?.();
		if (aborted) throw new Error(aborted);
		try {
			const value = await check();
			if (value !== undefined) return value;
		} catch (error) {
			lastError = (error as Error).message;
		}
		if (Date.now() >= deadline) {
			throw new Error(
				`Timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.description}` +
					(lastError ? ` (last error: ${lastError})` : ''),
			);
		}
		await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
	}
}

/** GETs `url` and resolves with the status (0 when the connection fails), never throwing. */
export async function httpStatus(url: string): Promise<number> {
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
		await response.arrayBuffer();
		return response.status;
	} catch {
		return 0;
	}
}
