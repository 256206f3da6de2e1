/**
 * The one client of n8n's public API (`/api/v1`, header X-N8N-API-KEY), for the hub (agent deployments) and the scripts
 * (bootstrap of the pinned n8n). It imports nothing, so that both load it as they are: the hub compiles it with tsc to
 * CommonJS, the scripts run it as TypeScript under Node (this folder's package.json says it is an ES module).
 *
 * Every failure is an N8nApiError with n8n's status (0 when no answer came: `timedOut`, or n8n not reachable) and
 * n8n's own message. A subclass turns it into its own error type by overriding `toError` (the hub answers a HubError);
 * the retries below look at n8n's answer before that.
 */

export type N8nMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An n8n call that did not succeed. */
export class N8nApiError extends Error {
	/** n8n's HTTP status; 0 when no answer came. */
	readonly status: number;
	/** No answer within the call's timeout (status 0); otherwise n8n could not be reached at all. */
	readonly timedOut: boolean;
	readonly method: N8nMethod;
	/** As called, below the base URL (query included). */
	readonly path: string;
	/** The message n8n answered with, or why no answer came. */
	readonly n8nMessage: string;

	constructor(failure: N8nFailure, context?: string) {
		const what = failure.status === 0 ? failure.n8nMessage : `failed with ${failure.status}: ${failure.n8nMessage}`;
		super(`${context ? `${context}: ` : ''}n8n ${failure.method} ${failure.path} ${what}`, { cause: failure.cause });
		this.name = 'N8nApiError';
		this.status = failure.status;
		this.timedOut = failure.timedOut ?? false;
		this.method = failure.method;
		this.path = failure.path;
		this.n8nMessage = failure.n8nMessage;
	}

	/** The same error, its message saying what was being done, e.g. `publishing workflow "Inbound pipeline"`. */
	during(context: string): N8nApiError {
		return new N8nApiError(this, context);
	}
}

interface N8nFailure {
	method: N8nMethod;
	path: string;
	status: number;
	n8nMessage: string;
	timedOut?: boolean;
	cause?: unknown;
}

export interface N8nRequest {
	method: N8nMethod;
	/** Below the base URL, e.g. `/rest/login`. */
	path: string;
	/** Sent as JSON. */
	body?: unknown;
	headers?: Record<string, string>;
	/** Gives up after this long (status 0, `timedOut`); without it the call waits as long as the connection lives. */
	timeoutMs?: number;
}

/**
 * One JSON call to n8n (its public API or its internal `/rest` API): the parsed body and the headers of a 2xx answer;
 * anything else throws N8nApiError.
 */
export async function n8nRequest<T>(baseUrl: string, request: N8nRequest): Promise<{ body: T; headers: Headers }> {
	const { method, path, body, timeoutMs } = request;
	let response: Response;
	try {
		response = await fetch(`${baseUrl}${path}`, {
			method,
			headers: {
				accept: 'application/json',
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...request.headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
		});
	} catch (error) {
		const timedOut = (error as Error).name === 'TimeoutError';
		const why = timedOut ? `gave no answer within ${timeoutMs} ms` : `is not reachable at ${baseUrl} (${(error as Error).message})`;
		throw new N8nApiError({ method, path, status: 0, n8nMessage: why, timedOut, cause: error });
	}
	const text = await response.text().catch(() => '');
	let parsed: unknown;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		parsed = undefined;
	}
	if (!response.ok) {
		const message = (parsed as { message?: unknown } | undefined)?.message;
		const n8nMessage = typeof message === 'string' ? message : text.slice(0, 300) || response.statusText;
		throw new N8nApiError({ method, path, status: response.status, n8nMessage });
	}
	return { body: parsed as T, headers: response.headers };
}

export interface N8nPublicApiOptions {
	/** Where n8n listens, e.g. `http://127.0.0.1:5678`. */
	baseUrl: string;
	apiKey: string;
	/** Per call (default 15 s); n8n answers these calls in milliseconds when healthy. */
	timeoutMs?: number;
}

export interface N8nCredentialBody {
	name: string;
	/** n8n credential type, e.g. `skyBotHubApi`, `openAiApi`. */
	type: string;
	data: Record<string, unknown>;
}

export interface N8nCredential {
	id: string;
	name: string;
	type: string;
}

/** A workflow as the public API takes it: any other field is refused. */
export interface N8nWorkflowBody {
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	settings: Record<string, unknown>;
	staticData?: unknown;
}

export interface N8nWorkflow {
	id: string;
	name: string;
	active: boolean;
	nodes: unknown[];
	connections: Record<string, unknown>;
	/** Archived workflows are still listed. */
	isArchived?: boolean;
}

/** n8n's largest page. */
const PAGE_LIMIT = 250;
const DELETE_ATTEMPTS = 20;
const DELETE_SERVER_ERROR_RETRIES = 2;
const DELETE_RETRY_DELAY_MS = 250;

type Outcome<T> = { ok: true; body: T } | { ok: false; error: N8nApiError };

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class N8nPublicApi {
	protected readonly timeoutMs: number;
	private readonly apiUrl: string;
	private readonly apiKey: string;

	constructor(options: N8nPublicApiOptions) {
		this.apiUrl = `${options.baseUrl.replace(/\/+$/, '')}/api/v1`;
		this.apiKey = options.apiKey;
		this.timeoutMs = options.timeoutMs ?? 15_000;
	}

	/** False when n8n refuses the API key (401 / 403); any other failure throws. */
	async acceptsApiKey(): Promise<boolean> {
		const outcome = await this.tryCall('GET', '/workflows?limit=1');
		if (outcome.ok) return true;
		if (outcome.error.status === 401 || outcome.error.status === 403) return false;
		throw this.toError(outcome.error);
	}

	/** Needs the key's `credential:list` scope (403 without it). */
	listCredentials(): Promise<N8nCredential[]> {
		return this.listAll('/credentials');
	}

	createCredential(credential: N8nCredentialBody): Promise<N8nCredential> {
		return this.call('POST', '/credentials', credential);
	}

	updateCredential(id: string, credential: N8nCredentialBody): Promise<N8nCredential> {
		return this.call('PATCH', `/credentials/${encodeURIComponent(id)}`, credential);
	}

	async deleteCredential(id: string): Promise<void> {
		await this.call('DELETE', `/credentials/${encodeURIComponent(id)}`);
	}

	listWorkflows(): Promise<N8nWorkflow[]> {
		return this.listAll('/workflows?excludePinnedData=true');
	}

	createWorkflow(workflow: N8nWorkflowBody): Promise<N8nWorkflow> {
		return this.call('POST', '/workflows', workflow);
	}

	/** Replaces the workflow's draft; the published version changes only when published again. */
	updateWorkflow(id: string, workflow: N8nWorkflowBody): Promise<N8nWorkflow> {
		return this.call('PUT', `/workflows/${encodeURIComponent(id)}`, workflow);
	}

	getWorkflow(id: string): Promise<N8nWorkflow> {
		return this.call('GET', `/workflows/${encodeURIComponent(id)}?excludePinnedData=true`);
	}

	/**
	 * n8n refuses to delete a published workflow: unpublish first. Unpublishing completes in the background, and
	 * until it has, n8n answers 409 ("still being unpublished"): that answer is retried for a few seconds. A 5xx is
	 * retried twice: the pinned n8n answered 500 "Internal server error" to the DELETE right after unpublishing a
	 * schedule-triggered workflow in 2 of 23 end-to-end runs, and a DELETE may be repeated: if the first did land, the
	 * next answers 404, which every caller counts as gone.
	 */
	async deleteWorkflow(id: string): Promise<void> {
		let serverErrors = 0;
		for (let attempt = 1; ; attempt++) {
			const outcome = await this.tryCall('DELETE', `/workflows/${encodeURIComponent(id)}`);
			if (outcome.ok) return;
			const { status } = outcome.error;
			const stillUnpublishing = status === 409 && attempt < DELETE_ATTEMPTS;
			const transient = status >= 500 && ++serverErrors <= DELETE_SERVER_ERROR_RETRIES;
			if (!stillUnpublishing && !transient) throw this.toError(outcome.error);
			await delay(DELETE_RETRY_DELAY_MS);
		}
	}

	publishWorkflow(id: string): Promise<N8nWorkflow> {
		return this.call('POST', `/workflows/${encodeURIComponent(id)}/publish`, {});
	}

	unpublishWorkflow(id: string): Promise<N8nWorkflow> {
		return this.call('POST', `/workflows/${encodeURIComponent(id)}/unpublish`);
	}

	/** The id of the tag with this name, created if missing (n8n tag names are unique, at most 24 characters). */
	async ensureTag(name: string): Promise<string> {
		const existing = await this.findTag(name);
		if (existing) return existing;
		const created = await this.tryCall<{ id: string }>('POST', '/tags', { name });
		if (created.ok) return created.body.id;
		// 409: another deployment created it meanwhile.
		const createdMeanwhile = created.error.status === 409 ? await this.findTag(name) : undefined;
		if (createdMeanwhile) return createdMeanwhile;
		throw this.toError(created.error);
	}

	async setWorkflowTags(id: string, tagIds: string[]): Promise<void> {
		await this.call('PUT', `/workflows/${encodeURIComponent(id)}/tags`, tagIds.map((tagId) => ({ id: tagId })));
	}

	/** What a failed call throws: the N8nApiError itself here; a subclass may answer its own error type. */
	protected toError(error: N8nApiError): Error {
		return error;
	}

	private async findTag(name: string): Promise<string | undefined> {
		for await (const page of this.pages<{ id: string; name: string }>('/tags')) {
			const found = page.find((tag) => tag.name === name);
			if (found) return found.id;
		}
		return undefined;
	}

	private async listAll<T>(path: string): Promise<T[]> {
		const items: T[] = [];
		for await (const page of this.pages<T>(path)) items.push(...page);
		return items;
	}

	/** n8n's cursor pagination: `{data, nextCursor}` until nextCursor is null. */
	private async *pages<T>(path: string): AsyncGenerator<T[]> {
		const separator = path.includes('?') ? '&' : '?';
		let cursor: string | null | undefined;
		do {
			const page = await this.call<{ data: T[]; nextCursor?: string | null }>(
				'GET',
				`${path}${separator}limit=${PAGE_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
			);
			yield page.data;
			cursor = page.nextCursor;
		} while (cursor);
	}

	private async call<T>(method: N8nMethod, path: string, body?: unknown): Promise<T> {
		const outcome = await this.tryCall<T>(method, path, body);
		if (!outcome.ok) throw this.toError(outcome.error);
		return outcome.body;
	}

	/** One call; n8n's refusal (or silence) is returned, not thrown, for the retries to look at. */
	private async tryCall<T>(method: N8nMethod, path: string, body?: unknown): Promise<Outcome<T>> {
		try {
			const response = await n8nRequest<T>(this.apiUrl, {
				method,
				path,
				body,
				headers: { 'x-n8n-api-key': this.apiKey },
				timeoutMs: this.timeoutMs,
			});
			return { ok: true, body: response.body };
		} catch (error) {
			if (error instanceof N8nApiError) return { ok: false, error };
			throw error;
		}
	}
}
