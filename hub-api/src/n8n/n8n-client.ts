import { HubError } from '../errors';
import { type N8nApiError, N8nPublicApi } from '../../../n8n-public-api/client';

export type { N8nWorkflow, N8nWorkflowBody } from '../../../n8n-public-api/client';

/**
 * An n8n failure as the routes answer it: n8n unreachable or too slow → 503 `n8n_unavailable`; n8n refusing the API
 * key → 502 `n8n_auth_failed`; n8n rejecting the call or failing → 502 `n8n_error` with n8n's message. `n8nStatus`
 * keeps n8n's own status so callers can treat "already gone" (404) as success when cleaning up.
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

/**
 * The hub's client for n8n's public API: the shared one (n8n-public-api/client.ts: credentials, workflows,
 * publication and tags, each call bounded by a timeout), every failure thrown as an N8nError.
 */
export class N8nClient extends N8nPublicApi {
	protected override toError(error: N8nApiError): N8nError {
		const what = `n8n ${error.method} ${error.path.split('?')[0]}`;
		if (error.status === 0) {
			const why = error.timedOut ? `did not answer within ${this.timeoutMs} ms` : 'is not reachable';
			return new N8nError(503, 'n8n_unavailable', `n8n ${why} (${what})`, 0, error);
		}
		if (error.status === 401 || error.status === 403) {
			const message = `n8n refused the hub's API key (${what}: ${error.n8nMessage})`;
			return new N8nError(502, 'n8n_auth_failed', message, error.status, error);
		}
		return new N8nError(502, 'n8n_error', `${what} failed with ${error.status}: ${error.n8nMessage}`, error.status, error);
	}
}
