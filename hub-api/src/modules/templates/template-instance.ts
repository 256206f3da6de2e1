import type { ErrorObject } from 'ajv';
import { HubError, type ValidationIssue, validationFailed } from '../../errors';
import { type PlaceholderValue, substitute } from './placeholders';
import type { CredentialSpec, Template } from './template-catalogue';

/**
 * Installing a template for one agent: the placeholder words and what each means, the configuration's validation,
 * and the credentials and workflow a template becomes. The catalogue checks templates against the same words when it
 * loads them, so a word is defined once, here. (Sending the result to n8n is the agent deployments' job.)
 */

/** Who a template is installed for. */
export interface InstallTarget {
	agentId: string;
	agentName: string;
	accountId: string;
	/** The validated configuration, secrets included (they go into credential data only). */
	config: Record<string, unknown>;
}

/** What only credential data may carry: how n8n reaches the hub, with the agent's own key and report secret. */
export interface HubAccess {
	url: string;
	apiKey: string;
	webhookSecret?: string;
}

/** Where a placeholder stands: the workflow JSON (visible in n8n and kept in version history) or credential data. */
export type PlaceholderSite = 'workflow' | 'credential';

interface Resolution {
	target: InstallTarget;
	hub?: HubAccess;
	/** n8n ids of the credentials created so far, by manifest key. */
	credentialIds: Record<string, string>;
}

/** The production webhook path of an agent's trigger: `/webhook/skybot/<agentId>/meta` on n8n. */
export const agentWebhookPath = (agentId: string) => `skybot/${agentId}/meta`;

/** The name of an agent's credential in n8n: the manifest's name and the agent, so each install has its own. */
export const credentialName = (name: string, agentId: string) => `${name} · agent ${agentId}`;

/** The fixed words. `credentialOnly`: secrets and the hub's address, never written into the workflow JSON. */
const WORDS: Record<string, { credentialOnly?: true; resolve: (r: Resolution) => PlaceholderValue }> = {
	'agent.id': { resolve: (r) => r.target.agentId },
	'agent.name': { resolve: (r) => r.target.agentName },
	'agent.webhookPath': { resolve: (r) => agentWebhookPath(r.target.agentId) },
	'account.id': { resolve: (r) => r.target.accountId },
	'hub.url': { credentialOnly: true, resolve: (r) => r.hub?.url },
	'hub.apiKey': { credentialOnly: true, resolve: (r) => r.hub?.apiKey },
	'hub.webhookSecret': { credentialOnly: true, resolve: (r) => r.hub?.webhookSecret },
};

/**
 * Besides the fixed words: `config.<field>` (a field of the configuration schema; a secret one in credential data
 * only) and, in the workflow, `credentials.<key>.id` / `credentials.<key>.name` of a credential the manifest declares.
 * Returns why `path` may not stand at `site`, or null when it may.
 */
export function placeholderProblem(
	path: string,
	site: PlaceholderSite,
	template: { configFields: ReadonlySet<string>; secretFields: ReadonlySet<string>; credentialKeys: ReadonlySet<string> },
): 'unknown' | 'secret' | null {
	const word = WORDS[path];
	if (word) return word.credentialOnly && site === 'workflow' ? 'unknown' : null;
	const [head, name = '', part, ...rest] = path.split('.');
	if (head === 'config' && part === undefined && template.configFields.has(name)) {
		return site === 'workflow' && template.secretFields.has(name) ? 'secret' : null;
	}
	const credentialPart = part === 'id' || part === 'name';
	if (head === 'credentials' && site === 'workflow' && template.credentialKeys.has(name) && credentialPart && !rest.length) {
		return null;
	}
	return 'unknown';
}

function resolve(path: string, resolution: Resolution, template: Template): PlaceholderValue {
	const word = WORDS[path];
	if (word) return word.resolve(resolution);
	const [head, name, part] = path.split('.');
	if (head === 'config') return resolution.target.config[name!] as PlaceholderValue;
	if (head === 'credentials' && part === 'id') return resolution.credentialIds[name!];
	if (head === 'credentials' && part === 'name') {
		const spec = template.manifest.credentials.find((credential) => credential.key === name);
		return spec && credentialName(spec.name, resolution.target.agentId);
	}
	// The catalogue refused every other path when it loaded the template.
	throw new Error(`Unknown template placeholder {{skybot:${path}}}`);
}

/** One credential of the template, ready for n8n: its data filled from the configuration and the hub's access. */
export function credentialFor(template: Template, spec: CredentialSpec, target: InstallTarget, hub: HubAccess) {
	const resolution: Resolution = { target, hub, credentialIds: {} };
	return {
		name: credentialName(spec.name, target.agentId),
		type: spec.type,
		data: substitute(spec.data, (path) => resolve(path, resolution, template)),
	};
}

/** The template's workflow for this agent, every placeholder replaced (`credentialIds`: n8n ids by manifest key). */
export function workflowFor(template: Template, target: InstallTarget, credentialIds: Record<string, string>) {
	const resolution: Resolution = { target, credentialIds };
	const filled = substitute(template.workflow, (path) => resolve(path, resolution, template));
	return { nodes: filled.nodes, connections: filled.connections, settings: filled.settings ?? {} };
}

const toIssue = (issue: ErrorObject): ValidationIssue => {
	const missing = issue.keyword === 'required' ? `.${String(issue.params.missingProperty)}` : '';
	const extra = issue.keyword === 'additionalProperties' ? `.${String(issue.params.additionalProperty)}` : '';
	return {
		path: `body.config${issue.instancePath.replace(/\//g, '.')}${missing}${extra}`,
		message: issue.message ?? 'is invalid',
		code: issue.keyword,
	};
};

/** A validated copy of a client's configuration, the schema's defaults filled in; 422 with every problem otherwise. */
export function validateConfig(template: Template, config: Record<string, unknown>): Record<string, unknown> {
	const copy = structuredClone(config);
	if (!template.validateConfig(copy)) throw validationFailed((template.validateConfig.errors ?? []).map(toIssue));
	return copy;
}

/**
 * A stored configuration (secrets were never kept) checked against `template`, e.g. a newer version: a copy with the
 * new defaults filled in, or 409 config_incompatible listing every problem.
 */
export function validateStoredConfig(template: Template, config: Record<string, unknown>): Record<string, unknown> {
	const copy = { ...config };
	if (!template.validateStoredConfig(copy)) {
		throw new HubError(409, 'config_incompatible', 'The stored configuration does not fit the new version', {
			issues: (template.validateStoredConfig.errors ?? []).map(toIssue),
		});
	}
	return copy;
}

/** What the hub keeps of a configuration: everything but the secret (writeOnly) fields. */
export function withoutSecrets(template: Template, config: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(config).filter(([field]) => !template.secretFields.has(field)));
}
