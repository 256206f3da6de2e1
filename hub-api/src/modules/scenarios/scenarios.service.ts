import type { Clock } from '../../clock';
import { HubError, notFound } from '../../errors';
import type { AgentsRepository } from '../agents/agents.repository';
import type { ScenariosRepository, StoredScenario } from './scenarios.repository';
import { DEFAULT_SCENARIO } from './default-scenario';
import type { AgentScenarioView, Scenario, ScenarioAuthor } from './scenarios.schemas';

/** An agent's scenario in force and its version (0: the default scenario, none saved). */
export interface ScenarioInForce {
	scenario: Scenario;
	version: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toView = (stored: StoredScenario): AgentScenarioView => ({
	agentId: stored.agentId,
	version: stored.version,
	default: false,
	scenario: stored.scenario,
	createdAt: stored.createdAt.toISOString(),
	createdBy: stored.createdBy,
});

const defaultView = (agentId: string): AgentScenarioView => ({
	agentId,
	version: 0,
	default: true,
	scenario: DEFAULT_SCENARIO,
	createdAt: null,
	createdBy: null,
});

/**
 * Each agent's scenario, kept in the hub and versioned: a save never changes a version, it adds the next one, and
 * the newest is in force. The pipeline's admission reads it with forAgent for every message it decides.
 */
export class ScenariosService {
	constructor(
		private readonly repository: ScenariosRepository,
		private readonly agents: AgentsRepository,
		private readonly clock: Clock,
	) {}

	/** The scenario in force for the agent of `accountId` (the default, version 0, when none is saved); 404 otherwise. */
	async get(accountId: string, agentId: string): Promise<AgentScenarioView> {
		await this.agentOf(accountId, agentId);
		const stored = await this.repository.latest(agentId);
		return stored ? toView(stored) : defaultView(agentId);
	}

	/**
	 * Saves a validated scenario as the agent's next version, in force from now on. A deleted agent (kept as
	 * history) gets no new scenario: 409.
	 */
	async put(accountId: string, agentId: string, scenario: Scenario, by: ScenarioAuthor): Promise<AgentScenarioView> {
		const agent = await this.agentOf(accountId, agentId);
		if (agent.status === 'DELETED') {
			throw new HubError(409, 'agent_deleted', 'A deleted agent cannot be given a scenario');
		}
		return toView(await this.repository.append(agentId, scenario, by, this.clock()));
	}

	/**
	 * What the pipeline's admission calls for each message: the scenario in force for the routed agent. No agent
	 * (the route names none), or one with no saved scenario, runs the default scenario, version 0. Not scoped to an
	 * account: the caller has already routed the message to its agent.
	 *
	 * The stored scenario is returned as saved: it was produced by the schema when it was saved (defaults filled in),
	 * and a change of the format comes with a migration of the stored rows.
	 */
	async forAgent(agentId: string | null): Promise<ScenarioInForce> {
		// An id that is not a uuid cannot name an agent (and would make PostgreSQL fail the query).
		const stored = agentId !== null && UUID.test(agentId) ? await this.repository.latest(agentId) : null;
		return stored ? { scenario: stored.scenario, version: stored.version } : { scenario: DEFAULT_SCENARIO, version: 0 };
	}

	private async agentOf(accountId: string, agentId: string) {
		const agent = await this.agents.findForAccount(accountId, agentId);
		if (!agent) throw notFound('agent');
		return agent;
	}
}
