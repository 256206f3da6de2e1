import { N8nApiError, N8nPublicApi, n8nRequest } from '../../n8n-public-api/client.ts';
import type { N8nOwner } from './owner.ts';
import { readStateFile, updateStateFile } from '../lib/state-file.ts';
import { userFolderStateFile } from './server.ts';
import type { UserFolderState } from './server.ts';
import { bindCredentials, bindSubWorkflows, calleesFirst, findWorkflowFiles, readWorkflowFile, toPublicApiWorkflow } from './workflows.ts';
import type { CredentialBindings } from './workflows.ts';

/**
 * Bounds every call against a hung n8n. Far above what the calls take (n8n answers in milliseconds; a freshly started
 * one on a loaded machine in seconds), so that a slow n8n still gets bootstrapped.
 */
const CALL_TIMEOUT_MS = 120_000;

/** A credential to create or update on n8n, matched by name and type. */
export interface CredentialSpec {
	name: string;
	/** n8n credential type, e.g. `skyBotHubApi`, `skyBotMetaAppApi`, `openAiApi`. */
	type: string;
	data: Record<string, unknown>;
}

export interface BootstrapN8nOptions {
	/** Base URL of the running n8n (as returned by startN8n). */
	url: string;
	/** The user folder the instance runs with; the API key and credential ids are remembered there. */
	userFolder: string;
	owner: N8nOwner;
	/** Credentials to create or update; workflows' references to their types are bound to them. */
	credentials?: CredentialSpec[];
	/** Imports every `*.workflow.json` under this folder (recursively)… */
	workflowsDir?: string;
	/**
	 * …that this accepts (default: all). `npm start` leaves out workflows/templates/: templates are installed per
	 * client by the hub, and publishing them next to the pipeline would claim the same webhook paths.
	 */
	includeWorkflow?: (file: string) => boolean;
	/** Label of the API key this library creates (default `skybot-bootstrap`). */
	apiKeyLabel?: string;
}

export interface BootstrappedWorkflow {
	name: string;
	id: string;
	active: boolean;
	file: string;
	/** Credential types the workflow references that no given credential provides. */
	unboundCredentialTypes: string[];
}

export interface BootstrapResult {
	/** Public API key (X-N8N-API-KEY) of the owner; the same on every run while it keeps working. */
	apiKey: string;
	credentials: { name: string; type: string; id: string }[];
	workflows: BootstrappedWorkflow[];
}

/**
 * Makes a running n8n match the repository: an owner API key, the given credentials and every workflow under
 * `workflowsDir`, published. Idempotent: a rerun reuses the stored API key (recreating it only if n8n no longer
 * accepts it), updates credentials and workflows found by name instead of duplicating them, and republishes.
 * Failures from n8n throw N8nApiError with the status and n8n's message.
 */
export async function bootstrapN8n(options: BootstrapN8nOptions): Promise<BootstrapResult> {
	const stateFile = userFolderStateFile(options.userFolder);
	const apiKey = await ensureApiKey(options, stateFile);
	const n8n = new N8nPublicApi({ baseUrl: options.url, apiKey, timeoutMs: CALL_TIMEOUT_MS });

	const credentials = await upsertCredentials(n8n, options.credentials ?? [], stateFile);
	const bindings: CredentialBindings = {};
	for (const credential of credentials) bindings[credential.type] = { id: credential.id, name: credential.name };

	const workflows: BootstrappedWorkflow[] = [];
	if (options.workflowsDir) {
		const files = findWorkflowFiles(options.workflowsDir).filter(options.includeWorkflow ?? (() => true));
		const parsed = calleesFirst(files.map((file) => ({ file, workflow: readWorkflowFile(file) })));
		assertUniqueNames(parsed);
		const existing = await n8n.listWorkflows();
		const idByName = new Map(existing.filter((workflow) => !workflow.isArchived).map((w) => [w.name, w.id]));
		for (const { file, workflow } of parsed) {
			const { workflow: bound, unboundTypes } = bindCredentials(bindSubWorkflows(workflow, idByName), bindings);
			const body = toPublicApiWorkflow(bound);
			const knownId = idByName.get(workflow.name);
			const saved = await withContext(`${knownId ? 'updating' : 'creating'} workflow "${workflow.name}" (${file})`, () =>
				knownId ? n8n.updateWorkflow(knownId, body) : n8n.createWorkflow(body),
			);
			const published = await withContext(`publishing workflow "${workflow.name}" (${file})`, () =>
				n8n.publishWorkflow(saved.id),
			);
			// Workflows published after this one may call it.
			idByName.set(workflow.name, saved.id);
			workflows.push({
				name: workflow.name,
				id: saved.id,
				active: published.active === true,
				file,
				unboundCredentialTypes: unboundTypes,
			});
		}
	}
	return { apiKey, credentials, workflows };
}

/** Reuses the stored API key when n8n still accepts it; otherwise logs in as the owner and creates a new one. */
async function ensureApiKey(options: BootstrapN8nOptions, stateFile: string): Promise<string> {
	const state = readStateFile<UserFolderState>(stateFile);
	if (state.apiKey) {
		const storedKey = new N8nPublicApi({ baseUrl: options.url, apiKey: state.apiKey, timeoutMs: CALL_TIMEOUT_MS });
		if (await storedKey.acceptsApiKey()) return state.apiKey;
	}

	// n8n's public API cannot create API keys: its internal REST API can, for the logged-in owner.
	const cookie = await login(options.url, options.owner);
	const rest = <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) =>
		n8nRequest<{ data: T }>(options.url, {
			method,
			path: `/rest${path}`,
			body,
			headers: { cookie },
			timeoutMs: CALL_TIMEOUT_MS,
		}).then((response) => response.body.data);
	if (state.apiKeyId) {
		// The stored key no longer works; drop its record so keys do not pile up. Already gone is fine.
		await rest('DELETE', `/api-keys/${state.apiKeyId}`).catch(() => undefined);
	}
	const scopes = await rest<string[]>('GET', '/api-keys/scopes');
	const created = await rest<{ id: string; rawApiKey: string }>('POST', '/api-keys', {
		label: options.apiKeyLabel ?? 'skybot-bootstrap',
		scopes,
		expiresAt: null,
	});
	updateStateFile<UserFolderState>(stateFile, { apiKey: created.rawApiKey, apiKeyId: created.id });
	return created.rawApiKey;
}

/** POST /rest/login; returns the `n8n-auth` cookie for the internal REST API. */
async function login(url: string, owner: N8nOwner): Promise<string> {
	const { headers } = await n8nRequest(url, {
		method: 'POST',
		path: '/rest/login',
		body: { emailOrLdapLoginId: owner.email, password: owner.password },
		timeoutMs: CALL_TIMEOUT_MS,
	});
	const cookie = headers
		.getSetCookie()
		.map((setCookie) => setCookie.split(';')[0])
		.find((pair) => pair.startsWith('n8n-auth='));
	if (!cookie) {
		throw new N8nApiError({ method: 'POST', path: '/rest/login', status: 200, n8nMessage: 'the response set no n8n-auth cookie' });
	}
	return cookie;
}

/**
 * Creates each credential, or updates the one with the same name and type. Existing ones are found by listing
 * (`credential:list` scope); ids are also remembered in the state file as a fallback for keys without that scope.
 */
async function upsertCredentials(
	n8n: N8nPublicApi,
	specs: CredentialSpec[],
	stateFile: string,
): Promise<BootstrapResult['credentials']> {
	if (specs.length === 0) return [];
	const remembered = readStateFile<UserFolderState>(stateFile).credentialIds ?? {};
	let listed: { id: string; name: string; type: string }[] | undefined;
	try {
		listed = await n8n.listCredentials();
	} catch (error) {
		if (!(error instanceof N8nApiError && error.status === 403)) throw error;
	}
	const results: BootstrapResult['credentials'] = [];
	for (const spec of specs) {
		const existingId = listed
			? listed.find((credential) => credential.name === spec.name && credential.type === spec.type)?.id
			: remembered[spec.name];
		let id: string | undefined;
		if (existingId) {
			id = await withContext(`updating credential "${spec.name}"`, () =>
				n8n.updateCredential(existingId, spec),
			).then(
				(updated) => updated.id ?? existingId,
				(error: unknown) => {
					if (error instanceof N8nApiError && error.status === 404) return undefined; // deleted meanwhile
					throw error;
				},
			);
		}
		id ??= (await withContext(`creating credential "${spec.name}"`, () => n8n.createCredential(spec))).id;
		results.push({ name: spec.name, type: spec.type, id });
		remembered[spec.name] = id;
	}
	updateStateFile<UserFolderState>(stateFile, { credentialIds: remembered });
	return results;
}

function assertUniqueNames(parsed: { file: string; workflow: { name: string } }[]): void {
	const fileByName = new Map<string, string>();
	for (const { file, workflow } of parsed) {
		const other = fileByName.get(workflow.name);
		if (other) throw new Error(`Two workflow files are both named "${workflow.name}": ${other} and ${file}`);
		fileByName.set(workflow.name, file);
	}
}

/** Prefixes an N8nApiError's message with what was being done, keeping its status. */
async function withContext<T>(doing: string, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		if (error instanceof N8nApiError) throw error.during(doing);
		throw error;
	}
}
