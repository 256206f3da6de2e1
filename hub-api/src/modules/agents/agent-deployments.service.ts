import type { EntityManager } from 'typeorm';
import type { Clock } from '../../clock';
import { HubError, notFound } from '../../errors';
import { N8nError, type N8nClient, type N8nWorkflowBody, n8nNotConfigured } from '../../n8n/n8n-client';
import type { Account } from '../accounts/account.entity';
import type { ApiKeysService } from '../api-keys/api-keys.service';
import { compareVersions, type Template } from '../templates/template-catalogue';
import {
	credentialFor,
	type InstallTarget,
	validateConfig,
	validateStoredConfig,
	withoutSecrets,
	workflowFor,
} from '../templates/template-instance';
import type { TemplatesService } from '../templates/templates.service';
import type { Agent, AgentStatus } from './agent.entity';
import type { AgentEvents } from './agent-events';
import type { AgentsRepository } from './agents.repository';
import type { AgentDetailView } from './agents.schemas';
import type { AgentsService } from './agents.service';

/** BILLING's per-plan agent limit: runs `create` in the transaction that counts the account's agents. */
export interface AgentLimit {
	withinAgentLimit<T>(account: Account, create: (manager: EntityManager) => Promise<T>): Promise<T>;
	/** 403 account_deactivated once the account's Stripe customer was deleted: none of its agents may run again. */
	assertNotDeactivated(accountId: string): Promise<void>;
}

export interface AgentDeploymentsDeps {
	repository: AgentsRepository;
	/** Reads the agent back after each operation, as the routes answer it. */
	agents: AgentsService;
	templates: TemplatesService;
	/** Null when the hub runs without N8N_URL / N8N_API_KEY: deployment routes answer 503 n8n_unavailable. */
	n8n: N8nClient | null;
	apiKeys: ApiKeysService;
	/** The hub's base URL as n8n reaches it, written into each agent's SkyBot Hub API credential. */
	hubUrl: () => string;
	/** SKYBOT_WEBHOOK_SECRET, with which the agent's workflow signs its execution reports (none: reports are refused). */
	webhookSecret: string | null;
	events: AgentEvents;
	clock: Clock;
	agentLimit: AgentLimit;
}

export interface DeployRequest {
	templateSlug: string;
	name?: string;
	config: Record<string, unknown>;
}

/** n8n tag names hold at most 24 characters: a prefix and the start of the id's hex (the name carries full ids). */
const tagFor = (prefix: 'acct' | 'agent', id: string) => `${prefix}-${id.replace(/-/g, '')}`.slice(0, 24);

const truncate = (text: string, length: number) => (text.length <= length ? text : `${text.slice(0, length - 1)}…`);

/** What an install created so far, undone in reverse order when a later step fails. */
interface Created {
	apiKeyId: string | null;
	credentials: Record<string, string>;
	workflowId: string | null;
	published: boolean;
}

/**
 * An operation runs for seconds (each n8n call is bounded by the client's timeout); an agent still DEPLOYING after this
 * was left so by a hub that stopped mid-operation, and may be retried or deleted.
 */
export const STALE_DEPLOYING_MS = 10 * 60_000;

const isGone = (error: unknown) => error instanceof N8nError && error.n8nStatus === 404;
/** For clean-ups: what n8n no longer has is as good as removed. */
const ignoreGone = (error: unknown) => {
	if (!isGone(error)) throw error;
};

/**
 * Agents installed from templates into n8n: install (credentials → workflow → tags → publish, compensated in reverse
 * on failure), retry, toggle, upgrade, rollback and delete. Operations on one agent exclude each other through its
 * status (DEPLOYING while one runs): a concurrent one gets 409 agent_busy.
 */
export class AgentDeploymentsService {
	constructor(private readonly deps: AgentDeploymentsDeps) {}

	private get repository() {
		return this.deps.repository;
	}

	private requireN8n(): N8nClient {
		if (!this.deps.n8n) throw n8nNotConfigured();
		return this.deps.n8n;
	}

	async deployFromTemplate(account: Account, request: DeployRequest): Promise<AgentDetailView> {
		const n8n = this.requireN8n();
		const template = this.deps.templates.get(request.templateSlug);
		if (template.manifest.premium && account.plan === 'freemium') {
			throw new HubError(403, 'template_requires_paid_plan', `${template.manifest.name} is a premium template: upgrade to install it`);
		}
		const config = validateConfig(template, request.config);
		const create = (manager?: EntityManager) =>
			this.repository.insert(
				{
					accountId: account.id,
					name: request.name ?? template.manifest.name,
					status: 'DEPLOYING',
					type: template.manifest.category,
					templateSlug: template.manifest.slug,
					templateVersion: template.manifest.version,
					config: withoutSecrets(template, config),
				},
				manager,
			);
		const agent = await this.deps.agentLimit.withinAgentLimit(account, create);
		this.publish(agent);
		await this.install(n8n, agent, template, config);
		return this.deps.agents.get(account.id, agent.id);
	}

	/**
	 * Re-deploys an agent left in ERROR, keeping its id: removes what a failed install may have left in n8n, then
	 * installs again. Secrets were never stored, so the configuration's secret fields must be sent again. An agent left
	 * DEPLOYING by a hub that stopped mid-operation (STALE_DEPLOYING_MS) can be retried the same way.
	 */
	async retry(accountId: string, id: string, configChanges: Record<string, unknown>): Promise<AgentDetailView> {
		const agent = await this.find(accountId, id);
		const n8n = this.requireN8n();
		const stale = this.isStale(agent);
		if ((agent.status !== 'ERROR' && !stale) || !agent.templateSlug) {
			throw new HubError(409, 'agent_not_in_error', `Only an agent in ERROR can be retried (this one is ${agent.status})`);
		}
		const template = this.deps.templates.get(agent.templateSlug);
		const config = validateConfig(template, { ...agent.config, ...configChanges });
		// A retry publishes the workflow again: not for an account whose agents billing stopped.
		await this.deps.agentLimit.assertNotDeactivated(accountId);
		const deploying = await this.claim(agent, [agent.status], stale ? this.staleBefore() : undefined);
		try {
			await this.removeFromN8n(n8n, deploying);
		} catch (error) {
			await this.fail(deploying, error, {});
			throw error;
		}
		const reset = await this.repository.update(agent.id, {
			n8nWorkflowId: null,
			n8nCredentialIds: {},
			hubApiKeyId: null,
			templateVersion: template.manifest.version,
			config: withoutSecrets(template, config),
		});
		this.publish(reset);
		await this.install(n8n, reset, template, config);
		return this.deps.agents.get(accountId, id);
	}

	/** ACTIVE ⇄ INACTIVE: publishes or unpublishes the agent's workflow. */
	async toggle(accountId: string, id: string): Promise<AgentDetailView> {
		const agent = await this.find(accountId, id);
		if (agent.status === 'DEPLOYING') throw busy();
		if (agent.status !== 'ACTIVE' && agent.status !== 'INACTIVE') {
			throw new HubError(409, 'agent_not_toggleable', `An agent in ${agent.status} cannot be toggled`);
		}
		const target: AgentStatus = agent.status === 'ACTIVE' ? 'INACTIVE' : 'ACTIVE';
		// Billing stopped the agents of a deactivated account; switching one off stays allowed, back on does not. (A
		// switch-on racing the deactivation holds the agent DEPLOYING, and billing's stop job retries until it is over.)
		if (target === 'ACTIVE') await this.deps.agentLimit.assertNotDeactivated(accountId);
		if (!agent.n8nWorkflowId) {
			// An agent of the shared pipeline: nothing of its own runs in n8n.
			this.publish(await this.repository.update(agent.id, { status: target }));
			return this.deps.agents.get(accountId, id);
		}
		const n8n = this.requireN8n();
		const claimed = await this.claim(agent, [agent.status]);
		await this.restoringOnFailure(claimed, agent.status, async () => {
			if (target === 'ACTIVE') await n8n.publishWorkflow(agent.n8nWorkflowId!);
			else await n8n.unpublishWorkflow(agent.n8nWorkflowId!);
		});
		this.publish(await this.repository.update(agent.id, { status: target }));
		return this.deps.agents.get(accountId, id);
	}

	/**
	 * BILLING, once the account's Stripe customer is deleted: stops every running agent of the account. Agents of the
	 * shared pipeline just become INACTIVE; an agent with its own workflow is unpublished in n8n first (a workflow n8n
	 * already lost counts as stopped). One agent failing (n8n down, or another operation on it still running) does not
	 * keep the others running, but the call then throws, so that the caller's job is retried: a retry stops only what
	 * is still running. An agent a stopped hub left DEPLOYING is taken over once stale, as delete does.
	 */
	async stopAllForAccount(accountId: string): Promise<{ stopped: number }> {
		const running = (await this.repository.listForAccount(accountId)).filter(
			(agent) => agent.status === 'ACTIVE' || agent.status === 'DEPLOYING',
		);
		const failures: { agentId: string; error: unknown }[] = [];
		for (const agent of running) {
			try {
				await this.stop(agent);
			} catch (error) {
				failures.push({ agentId: agent.id, error });
			}
		}
		if (failures.length > 0) {
			const reasons = failures.map(({ agentId, error }) => `${agentId}: ${error instanceof Error ? error.message : String(error)}`);
			throw new AggregateError(
				failures.map(({ error }) => error),
				`${failures.length} of ${running.length} agent(s) of account ${accountId} still running (${reasons.join('; ')})`,
			);
		}
		return { stopped: running.length };
	}

	/** ACTIVE (or stale DEPLOYING) → INACTIVE, unpublishing the agent's workflow; on failure the status is put back. */
	private async stop(agent: Agent): Promise<void> {
		const stale = this.isStale(agent);
		if (agent.status === 'DEPLOYING' && !stale) throw busy();
		const n8n = agent.n8nWorkflowId ? this.requireN8n() : null;
		const claimed = await this.claim(agent, [agent.status], stale ? this.staleBefore() : undefined);
		await this.restoringOnFailure(claimed, agent.status, async () => {
			if (n8n) await n8n.unpublishWorkflow(agent.n8nWorkflowId!).catch(ignoreGone);
		});
		this.publish(await this.repository.update(agent.id, { status: 'INACTIVE' }));
	}

	/**
	 * Unpublishes and deletes the workflow and the agent's credentials in n8n, revokes its hub key, and keeps the agent
	 * as DELETED history. Idempotent; what n8n already lost counts as deleted.
	 */
	async remove(accountId: string, id: string): Promise<void> {
		const agent = await this.find(accountId, id);
		if (agent.status === 'DELETED') return;
		if (agent.status === 'DEPLOYING' && !this.isStale(agent)) throw busy();
		const hasN8nParts = agent.n8nWorkflowId !== null || Object.keys(agent.n8nCredentialIds).length > 0;
		const n8n = hasN8nParts ? this.requireN8n() : null;
		const claimed = await this.claim(agent, [agent.status], agent.status === 'DEPLOYING' ? this.staleBefore() : undefined);
		await this.restoringOnFailure(claimed, agent.status, async () => {
			if (n8n) await this.removeFromN8n(n8n, agent);
		});
		if (agent.hubApiKeyId) await this.revokeKey(agent);
		const now = this.deps.clock();
		this.publish(await this.repository.update(agent.id, { status: 'DELETED', deletedAt: now, errorReason: null }));
	}

	/**
	 * Replaces the agent's workflow in n8n with the catalogue's newer template version (same workflow id, same
	 * credentials, same webhook path), republishing it if the agent is active. The previous workflow stays in the
	 * agent's versions for rollback.
	 */
	async upgrade(accountId: string, id: string): Promise<AgentDetailView> {
		const agent = await this.find(accountId, id);
		const template = this.manageableTemplate(agent);
		if (compareVersions(template.manifest.version, agent.templateVersion ?? '0.0.0') <= 0) {
			throw new HubError(409, 'agent_up_to_date', `The agent already runs version ${agent.templateVersion}`);
		}
		const missing = template.manifest.credentials.filter((spec) => !agent.n8nCredentialIds[spec.key]);
		if (missing.length > 0) {
			throw new HubError(
				409,
				'upgrade_needs_new_credentials',
				`Version ${template.manifest.version} needs credentials this agent does not have (${missing.map((spec) => spec.key).join(', ')}): install it as a new agent`,
			);
		}
		const config = validateStoredConfig(template, agent.config);
		const workflow = workflowBody(agent, template, config, agent.n8nCredentialIds);
		await this.replaceWorkflow(agent, workflow);
		const updated = await this.repository.update(agent.id, {
			status: agent.status,
			templateVersion: template.manifest.version,
			config,
			currentVersion: await this.repository.addVersion(
				agent.id,
				{ templateVersion: template.manifest.version, workflow },
				this.deps.clock(),
			),
		});
		this.publish(updated);
		return this.deps.agents.get(accountId, id);
	}

	/** Puts back the workflow of the version before the current one (kept in agent_versions). */
	async rollback(accountId: string, id: string): Promise<AgentDetailView> {
		const agent = await this.find(accountId, id);
		this.manageableTemplate(agent);
		const versions = await this.repository.listVersions(agent.id);
		const previous = versions.filter((version) => version.version < (agent.currentVersion ?? 0)).at(-1);
		if (!previous) throw new HubError(409, 'no_previous_version', 'The agent has no earlier version to roll back to');
		await this.replaceWorkflow(agent, previous.workflow);
		this.publish(
			await this.repository.update(agent.id, {
				status: agent.status,
				templateVersion: previous.templateVersion,
				currentVersion: previous.version,
			}),
		);
		return this.deps.agents.get(accountId, id);
	}

	private manageableTemplate(agent: Agent): Template {
		if (!agent.templateSlug || !agent.n8nWorkflowId) {
			throw new HubError(409, 'agent_not_from_template', 'Only agents installed from a template have versions');
		}
		if (agent.status === 'DEPLOYING') throw busy();
		if (agent.status !== 'ACTIVE' && agent.status !== 'INACTIVE') {
			throw new HubError(409, 'agent_not_deployed', `An agent in ${agent.status} cannot change version`);
		}
		return this.deps.templates.get(agent.templateSlug);
	}

	/** PUT the workflow (and republish when active); on failure puts the current version back and rethrows. */
	private async replaceWorkflow(agent: Agent, workflow: N8nWorkflowBody): Promise<void> {
		const n8n = this.requireN8n();
		const workflowId = agent.n8nWorkflowId!;
		const claimed = await this.claim(agent, [agent.status]);
		const current = (await this.repository.listVersions(agent.id)).find((v) => v.version === agent.currentVersion);
		await this.restoringOnFailure(claimed, agent.status, async () => {
			try {
				await n8n.updateWorkflow(workflowId, workflow);
				if (agent.status === 'ACTIVE') await n8n.publishWorkflow(workflowId);
			} catch (error) {
				// The update may have landed before the publish failed: best effort to leave n8n as it was.
				if (current) await n8n.updateWorkflow(workflowId, current.workflow).catch(() => {});
				throw error;
			}
		});
	}

	/** credentials → workflow → tags → publish → ACTIVE; on any failure, compensation then ERROR with the reason. */
	private async install(n8n: N8nClient, agent: Agent, template: Template, config: Record<string, unknown>) {
		const created: Created = { apiKeyId: null, credentials: {}, workflowId: null, published: false };
		try {
			const hubKey = await this.deps.apiKeys.create(
				// member: enough for the machine routes the workflow calls (quotas, interactions, leads), nothing more.
				{ scope: 'account', accountId: agent.accountId, role: 'member' },
				`agent ${agent.id}`,
			);
			created.apiKeyId = hubKey.id;
			await this.repository.update(agent.id, { hubApiKeyId: hubKey.id });
			const hub = { url: this.deps.hubUrl(), apiKey: hubKey.key, webhookSecret: this.deps.webhookSecret ?? undefined };
			for (const spec of template.manifest.credentials) {
				const { id } = await n8n.createCredential(credentialFor(template, spec, installTarget(agent, config), hub));
				created.credentials[spec.key] = id;
				// Remembered as soon as it exists, so a retry or a delete can find it even if the hub stops here.
				await this.repository.update(agent.id, { n8nCredentialIds: { ...created.credentials } });
			}
			const workflow = workflowBody(agent, template, config, created.credentials);
			const saved = await n8n.createWorkflow(workflow);
			created.workflowId = saved.id;
			await this.repository.update(agent.id, { n8nWorkflowId: saved.id });
			const tagIds = [
				await n8n.ensureTag(tagFor('acct', agent.accountId)),
				await n8n.ensureTag(tagFor('agent', agent.id)),
			];
			await n8n.setWorkflowTags(saved.id, tagIds);
			await n8n.publishWorkflow(saved.id);
			created.published = true;
			const now = this.deps.clock();
			const version = await this.repository.addVersion(
				agent.id,
				{ templateVersion: template.manifest.version, workflow },
				now,
			);
			this.publish(
				await this.repository.update(agent.id, {
					status: 'ACTIVE',
					currentVersion: version,
					deployedAt: now,
					errorReason: null,
				}),
			);
		} catch (error) {
			const left = await this.compensate(n8n, agent, created);
			await this.fail(agent, error, left);
			if (error instanceof HubError) {
				throw new HubError(error.status, error.code, error.message, { agentId: agent.id, status: 'ERROR' }, error);
			}
			throw error;
		}
	}

	/** Undoes an install in reverse order; returns what n8n still holds (it may be down), for a later retry. */
	private async compensate(
		n8n: N8nClient,
		agent: Agent,
		created: Created,
	): Promise<Pick<Agent, 'n8nWorkflowId' | 'n8nCredentialIds'>> {
		const left: Pick<Agent, 'n8nWorkflowId' | 'n8nCredentialIds'> = { n8nWorkflowId: null, n8nCredentialIds: {} };
		const attempt = async (undo: () => Promise<unknown>) => {
			try {
				await undo();
				return true;
			} catch (error) {
				return isGone(error);
			}
		};
		if (created.workflowId) {
			const workflowId = created.workflowId;
			if (created.published) await attempt(() => n8n.unpublishWorkflow(workflowId));
			if (!(await attempt(() => n8n.deleteWorkflow(workflowId)))) left.n8nWorkflowId = workflowId;
		}
		for (const [key, credentialId] of Object.entries(created.credentials).reverse()) {
			if (!(await attempt(() => n8n.deleteCredential(credentialId)))) left.n8nCredentialIds[key] = credentialId;
		}
		if (created.apiKeyId) await this.deps.apiKeys.revoke(agent.accountId, created.apiKeyId, 'owner');
		return left;
	}

	private async fail(agent: Agent, error: unknown, left: Partial<Pick<Agent, 'n8nWorkflowId' | 'n8nCredentialIds'>>) {
		const reason = error instanceof Error ? error.message : String(error);
		const leftovers = [left.n8nWorkflowId, ...Object.values(left.n8nCredentialIds ?? {})].filter(Boolean);
		this.publish(
			await this.repository.update(agent.id, {
				status: 'ERROR',
				errorReason: leftovers.length
					? `${reason} (n8n still holds ${leftovers.length} part(s) of this install; retry or delete removes them)`
					: reason,
				hubApiKeyId: null,
				...left,
			}),
		);
	}

	/** Unpublish (if needed) and delete the workflow, then the credentials; "already gone" is fine. */
	private async removeFromN8n(n8n: N8nClient, agent: Agent): Promise<void> {
		if (agent.n8nWorkflowId) {
			const workflowId = agent.n8nWorkflowId;
			await n8n.unpublishWorkflow(workflowId).catch(ignoreGone);
			await n8n.deleteWorkflow(workflowId).catch(ignoreGone);
		}
		for (const credentialId of Object.values(agent.n8nCredentialIds).reverse()) {
			await n8n.deleteCredential(credentialId).catch(ignoreGone);
		}
		if (agent.hubApiKeyId) await this.revokeKey(agent);
	}

	private async revokeKey(agent: Agent): Promise<void> {
		if (agent.hubApiKeyId) await this.deps.apiKeys.revoke(agent.accountId, agent.hubApiKeyId, 'owner');
	}

	/**
	 * Marks the agent DEPLOYING if it is still in one of `from` (and, taking over a stale operation, untouched since
	 * `untouchedSince`); 409 when another operation got there first.
	 */
	private async claim(agent: Agent, from: AgentStatus[], untouchedSince?: Date): Promise<Agent> {
		const claimed = await this.repository.transition(agent.id, from, 'DEPLOYING', untouchedSince);
		if (!claimed) throw busy();
		return claimed;
	}

	/** Operations on an agent last touched before this have stopped. */
	private staleBefore(): Date {
		return new Date(this.deps.clock().getTime() - STALE_DEPLOYING_MS);
	}

	private isStale(agent: Agent): boolean {
		return agent.status === 'DEPLOYING' && agent.updatedAt < this.staleBefore();
	}

	private async restoringOnFailure(agent: Agent, status: AgentStatus, work: () => Promise<void>): Promise<void> {
		try {
			await work();
		} catch (error) {
			await this.repository.update(agent.id, { status });
			throw error;
		}
	}

	private async find(accountId: string, id: string): Promise<Agent> {
		const agent = await this.repository.findForAccount(accountId, id);
		if (!agent) throw notFound('agent');
		return agent;
	}

	private publish(agent: Agent): void {
		this.deps.events.publishStatus({
			agentId: agent.id,
			accountId: agent.accountId,
			status: agent.status,
			errorReason: agent.errorReason,
			at: agent.updatedAt.toISOString(),
		});
	}
}

const busy = () => new HubError(409, 'agent_busy', 'Another operation on this agent is in progress; try again shortly');

const installTarget = (agent: Agent, config: Record<string, unknown>): InstallTarget => ({
	agentId: agent.id,
	agentName: agent.name,
	accountId: agent.accountId,
	config,
});

/** The template's workflow for this agent, named after it and its account, in the public API's shape. */
function workflowBody(
	agent: Agent,
	template: Template,
	config: Record<string, unknown>,
	credentialIds: Record<string, string>,
): N8nWorkflowBody {
	return {
		name: `${truncate(agent.name, 24)} · agent ${agent.id} · account ${agent.accountId}`,
		...workflowFor(template, installTarget(agent, config), credentialIds),
	};
}
