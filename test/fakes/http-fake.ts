/**
 * The plumbing every fake provider shares: a node:http server on 127.0.0.1 port 0 that records each request
 * (parsed) before a provider-specific handler answers it. Fakes throw `FakeHttpError` with the provider's own
 * error body; anything else a handler throws becomes a 500 so a bug in a fake is never mistaken for a pass.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	/** Path without the query string. */
	path: string;
	query: Record<string, string>;
	/** The query string without `?` (for repeated keys such as `fields[]=a&fields[]=b`, which `query` keeps one of). */
	rawQuery: string;
	headers: IncomingHttpHeaders;
	rawBody: string;
	/** The body parsed as JSON when it parses, otherwise undefined. */
	json: unknown;
	/** Status the fake answered with (filled in once answered). */
	status?: number;
	/** Body the fake answered with (filled in once answered). */
	response?: unknown;
	/** True when the fake performed the request and then closed the connection without answering (a reply with `dropAnswer`). */
	dropped?: boolean;
}

export interface FakeReply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
	/**
	 * Destroy the socket instead of answering: the handler has done its work (a write is stored) but the client never
	 * hears back, as when a connection dies after the provider committed. A client retry must not duplicate the write.
	 */
	dropAnswer?: boolean;
}

export class FakeHttpError extends Error {
	readonly status: number;
	readonly body: unknown;
	readonly headers?: Record<string, string>;

	constructor(status: number, body: unknown, headers?: Record<string, string>) {
		super(`fake answered ${status}: ${JSON.stringify(body)}`);
		this.status = status;
		this.body = body;
		this.headers = headers;
	}
}

export interface FakeServer {
	/** Base URL without a trailing slash, e.g. http://127.0.0.1:43121 */
	url: string;
	/** Every request received, accepted or rejected, in arrival order. */
	requests: RecordedRequest[];
	close(): Promise<void>;
}

/** Bodies above this size are refused with 413 before parsing: fakes are not meant to buffer megabytes. */
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new FakeHttpError(413, { error: { message: 'Request body too large' } }));
				request.destroy();
				return;
			}
			chunks.push(chunk);
		});
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function parseJson(raw: string): unknown {
	if (raw === '') return undefined;
	try {
		return JSON.parse(raw) as unknown;
	} catch {
		return undefined;
	}
}

function send(response: ServerResponse, reply: FakeReply): void {
	const payload = JSON.stringify(reply.body);
	response.writeHead(reply.status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(payload),
		...reply.headers,
	});
	response.end(payload);
}

export async function startFakeServer(
	handle: (request: RecordedRequest) => FakeReply | Promise<FakeReply>,
): Promise<FakeServer> {
	const requests: RecordedRequest[] = [];
	const server = createServer((incoming, response) => {
		void (async () => {
			const url = new URL(incoming.url ?? '/', 'http://fake.local');
			const recorded: RecordedRequest = {
				method: incoming.method ?? 'GET',
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				rawQuery: url.search.replace(/^\?/, ''),
				headers: incoming.headers,
				rawBody: '',
				json: undefined,
			};
			requests.push(recorded);
			let reply: FakeReply;
			try {
				recorded.rawBody = await readBody(incoming);
				recorded.json = parseJson(recorded.rawBody);
				reply = await handle(recorded);
			} catch (error) {
				reply =
					error instanceof FakeHttpError
						? { status: error.status, body: error.body, headers: error.headers }
						: { status: 500, body: { error: { message: `fake server bug: ${String(error)}` } } };
			}
			if (reply.dropAnswer) {
				recorded.dropped = true;
				response.socket?.destroy();
				return;
			}
			recorded.status = reply.status;
			recorded.response = reply.body;
			if (!response.destroyed) send(response, reply);
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.closeAllConnections();
				server.close((error) => (error ? reject(error) : resolve()));
			}),
	};
}

/** The media type of a request, lower-cased and without parameters (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(request: RecordedRequest): string {
	return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(request: RecordedRequest): string | undefined {
	const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
	return match?.[1];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A scripted failure queue: `failNext(n, …)` makes the next n matching calls answer with that error. */
export class FailureQueue<T> {
	private pending: { remaining: number; failure: T }[] = [];

	push(count: number, failure: T): void {
		if (!Number.isInteger(count) || count < 1) throw new Error(`failure count must be a positive integer, got ${count}`);
		this.pending.push({ remaining: count, failure });
	}

	/** The failure for this call, if one is scheduled (and counts it down). */
	take(): T | undefined {
		const head = this.pending[0];
		if (!head) return undefined;
		head.remaining -= 1;
		if (head.remaining === 0) this.pending.shift();
		return head.failure;
	}

	clear(): void {
		this.pending = [];
	}
}

/** The most events (epoch ms) that fall within any one window of `windowMs` (a sliding window, not calendar seconds). */
export function peakPerWindow(times: readonly number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let peak = 0;
	let start = 0;
	for (let end = 0; end < sorted.length; end += 1) {
		while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
		peak = Math.max(peak, end - start + 1);
	}
	return peak;
}
