import type { Scenario } from './scenarios.schemas';

/** Freezes a value and everything in it: DEFAULT_SCENARIO is one object shared by every caller. */
function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null) {
		for (const item of Object.values(value)) deepFreeze(item);
		Object.freeze(value);
	}
	return value;
}

/** The defaults of a scenario's settings (scenarios.schemas.ts fills them in from here). */
export const SCENARIO_DEFAULTS = {
	burstWindowSeconds: 8,
	floodWindowMinutes: 5,
	defaultActions: { dm: { type: 'ai_reply' }, comment: { type: 'no_reply' }, postback: { type: 'ai_reply' } },
} as const;

/**
 * The scenario of an agent that has none saved: DMs and postbacks (the button's title or payload standing as the
 * message) get an AI reply, comments no reply. Plain data, without zod: the service and the evaluator use it without
 * loading the schemas, which must be built after the OpenAPI extension of zod (http/openapi.ts) that only the HTTP
 * layer loads.
 */
export const DEFAULT_SCENARIO: Scenario = deepFreeze({
	burstWindowSeconds: SCENARIO_DEFAULTS.burstWindowSeconds,
	floodWindowMinutes: SCENARIO_DEFAULTS.floodWindowMinutes,
	rules: [],
	defaultActions: {
		dm: { ...SCENARIO_DEFAULTS.defaultActions.dm },
		comment: { ...SCENARIO_DEFAULTS.defaultActions.comment },
		postback: { ...SCENARIO_DEFAULTS.defaultActions.postback },
	},
});
