import { HubError } from '../errors';

/**
 * The hub's client for n8n's public API (`/api/v1`, header X-N8N-API-KEY): credentials, workflows, publication and
 * tags, each call bounded by a timeout. Every failure is a HubError the routes can answer as is:
 * n8n unreachable or too slow → 503 `n8n_unavailable`; n8n refusing the API key → 502 `n8n_auth_failed`;
 * n8n rejecting the call or failing → 502 `n8n_error` with n8n's message. `n8nStatus` keeps n8n's own status so
 * callers can treat "already gone" (404) as success when cleaning up.
 */
export class N8nError extends HubError {
	/** n8n's HTTP status; 0 when n8n could not be reached. */
	readonly n8nStatus: number;

	constructor(status: number, code: string, message: string, n8nStatus: number, cause?: unknown) {
		super(status, code, message, undefined, cause);
		this.name = 'N8nError';
		this.n8nStatus = n8nStatus;
	}
}

export const n8nNotConfigured = () =>
	new HubError(503, 'n8n_unavailable', 'Deployments are disabled: the hub has no N8N_URL and N8N_API_KEY');

export interface N8nClientOptions {
	baseUrl: string;
	apiKey: string;
	/** Per call; n8n answers these calls in milliseconds when healthy. */
	timeoutMs?: number;
}

export interface N8nWorkflowBody {
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	settings: Record<string, unknown>;
}

export interface N8nWorkflow {
	id: string;
	name: string;
	active: boolean;
	nodes: unknown[];
	connections: Record<string, unknown>;
}

const DELETE_ATTEMPTS = 20;
const DELETE_SERVER_ERROR_RETRIES = 2;
const DELETE_RETRY_DELAY_MS = 250;

export class N8nClient {
	private readonly baseUrl: string;
	private readonly apiKey: string;
	private readonly timeoutMs: number;

	constructor(options: N8nClientOptions) {
		this.baseUrl = options.baseUrl.replace(/\/+$/, '');
		this.apiKey = options.apiKey;
		this.timeoutMs = options.timeoutMs ?? 15_000;
	}

	createCredential(credential: { name: string; type: string; data: Record<string, unknown> }): Promise<{ id: string }> {
		return this.call('POST', '/credentials', credential);
	}

	async deleteCredential(id: string): Promise<void> {
		await this.call('DELETE', `/credentials/${encodeURIComponent(id)}`);
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
			try {
				await this.call('DELETE', `/workflows/${encodeURIComponent(id)}`);
				return;
			} catch (error) {
				const n8nStatus = error instanceof N8nError ? error.n8nStatus : 0;
				const stillUnpublishing = n8nStatus === 409 && attempt < DELETE_ATTEMPTS;
				const transient = n8nStatus >= 500 && ++serverErrors <= DELETE_SERVER_ERROR_RETRIES;
				if (!stillUnpublishing && !transient) throw error;
				await new Promise((resolve) => setTimeout(resolve, DELETE_RETRY_DELAY_MS));
			}
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
		try {
			return (await this.call<{ id: string }>('POST', '/tags', { name })).id;
		} catch (error) {
			// Another deployment created it meanwhile.
			if (error instanceof N8nError && error.n8nStatus === 409) {
				const created = await this.findTag(name);
				if (created) return created;
			}
			throw error;
		}
	}

	async setWorkflowTags(id: string, tagIds: string[]): Promise<void> {
		await this.call('PUT', `/workflows/${encodeURIComponent(id)}/tags`, tagIds.map((tagId) => ({ id: tagId })));
	}

	private async findTag(name: string): Promise<string | undefined> {
		let cursor: string | null | undefined;
		do {
			const page = await this.call<{ data: { id: string; name: string }[]; nextCursor?: string | null }>(
				'GET',
				`/tags?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
			);
			const found = page.data.find((tag) => tag.name === name);
			if (found) return found.id;
			cursor = page.nextCursor;
		} while (cursor);
		return undefined;
	}

	private async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
		const what = `n8n ${method} ${path.split('?')[0]}`;
		let response: Response;
		try {
			response = await fetch(`${this.baseUrl}/api/v1${path}`, {
				method,
				headers: {
					accept: 'application/json',
					'x-n8n-api-key': this.apiKey,
					...(body === undefined ? {} : { 'content-type': 'application/json' }),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(this.timeoutMs),
			});
		} catch (error) {
			const timedOut = (error as Error).name === 'TimeoutError';
			throw new N8nError(
				503,
				'n8n_unavailable',
				`n8n ${timedOut ? `did not answer within ${this.timeoutMs} ms` : 'is not reachable'} (${what})`,
				0,
				error,
			);
		}
		const text = await response.text().catch(() => '');
		let parsed: unknown;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			parsed = undefined;
		}
		if (response.ok) return parsed as T;
		const n8nMessage = (parsed as { message?: unknown } | undefined)?.message;
		const detail = typeof n8nMessage === 'string' ? n8nMessage : text.slice(0, 300) || response.statusText;
		if (response.status === 401 || response.status === 403) {
			throw new N8nError(502, 'n8n_auth_failed', `n8n refused the hub's API key (${what}: ${detail})`, response.status);
		}
		throw new N8nError(502, 'n8n_error', `${what} failed with ${response.status}: ${detail}`, response.status);
	}
}
