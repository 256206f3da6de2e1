import type { AdmissionRoute } from '../../../../contracts/hub-api';
import type { InboundMessage } from '../../../../contracts/inbound-message';
import type { LeadsService } from '../leads/leads.service';
import { evaluateScenario } from '../scenarios/evaluate-scenario';
import type { ScenariosService } from '../scenarios/scenarios.service';

export type { ScenarioDecision } from '../scenarios/evaluate-scenario';
import type { ScenarioDecision } from '../scenarios/evaluate-scenario';

/** The agent's settings the admission applies around the scenario's decision. */
export interface PipelineSettings {
	floodWindowMinutes: number;
	/** 0: every message is answered on its own. */
	burstWindowSeconds: number;
	companyName?: string;
	prompt?: string;
	context?: string;
	language?: string;
}

export interface ScenarioChoice {
	/** The scenario version that decided (0: the built-in default scenario). */
	version: number;
	decision: ScenarioDecision;
	settings: PipelineSettings;
}

/** Where the admission gets each message's scenario decision from. */
export interface ScenarioSource {
	choose(route: AdmissionRoute, message: InboundMessage, now: Date): Promise<ScenarioChoice>;
}

/**
 * The agent's scenario from the hub (GET/PUT /api/agents/:id/scenario), evaluated for each message with the contact's
 * lead temperature. An agent without a saved scenario (version 0, the built-in default) takes the deployment's burst
 * window (PIPELINE_BURST_WINDOW_SECONDS); a saved scenario its own.
 */
export function agentScenarios(
	scenarios: Pick<ScenariosService, 'forAgent'>,
	leads: Pick<LeadsService, 'temperatureOf'>,
	defaultBurstWindowSeconds: number,
): ScenarioSource {
	return {
		choose: async (route, message, now) => {
			const [{ scenario, version }, temperature] = await Promise.all([
				scenarios.forAgent(route.agentId),
				leads.temperatureOf(route.accountId, message.provider, message.contact.externalId),
			]);
			return {
				version,
				decision: evaluateScenario(scenario, { message, lead: { temperature }, agent: {}, now }),
				settings: {
					floodWindowMinutes: scenario.floodWindowMinutes,
					burstWindowSeconds: version === 0 ? defaultBurstWindowSeconds : scenario.burstWindowSeconds,
					companyName: scenario.companyName,
					prompt: scenario.prompt,
					context: scenario.context,
					language: scenario.language,
				},
			};
		},
	};
}
