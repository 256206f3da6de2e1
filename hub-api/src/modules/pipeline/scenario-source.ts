import type { AdmissionRoute } from '../../../../contracts/hub-api';
import type { InboundMessage } from '../../../../contracts/inbound-message';

/** What the agent's scenario decided for one message (rule id null: the scenario's default action). */
export type ScenarioDecision =
	| { action: 'fixed_reply'; text: string; ruleId: string | null }
	| { action: 'ai_reply' | 'ai_qualify'; instructions?: string; ruleId: string | null }
	| { action: 'no_reply'; ruleId: string | null }
	| { action: 'handover'; ruleId: string | null };

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

/** Anti-flood's window when the agent's scenario sets none: one reply per conversation per 5 minutes. */
export const DEFAULT_FLOOD_WINDOW_MINUTES = 5;

/**
 * The built-in scenario, for a provider account with no agent (or an agent without a scenario): the model answers DMs
 * and button taps; comments are left alone (answering them is a scenario's keyword rule).
 */
export function builtInScenario(burstWindowSeconds: number): ScenarioSource {
	return {
		choose: async (_route, message) => ({
			version: 0,
			decision: message.kind === 'comment' ? { action: 'no_reply', ruleId: null } : { action: 'ai_reply', ruleId: null },
			settings: { floodWindowMinutes: DEFAULT_FLOOD_WINDOW_MINUTES, burstWindowSeconds },
		}),
	};
}
