import type { LeadTemperature } from '../../../../contracts/hub-api';
import type { InboundMessage } from '../../../../contracts/inbound-message';
import { isWithinBusinessHours } from './business-hours';
import { fillPlaceholders } from './reply-placeholders';
import { WordIndex, wordsOfKeyword } from './scenario-text';
import type { RuleConditions, Scenario, ScenarioKind } from './scenarios.schemas';

/** What the scenario is asked about one message. */
export interface ScenarioEvaluationInput {
	message: InboundMessage;
	/** The contact's lead, when the hub has one. */
	lead: { temperature: LeadTemperature | null } | null;
	/** Fills {{agent.companyName}} when the scenario names no companyName of its own. */
	agent: { companyName?: string };
	/** Business hours are read at this instant. */
	now: Date;
}

/**
 * What to do with the message. `ruleId`: the rule that matched; null when the kind's default action decided (which
 * is never a fixed reply or a handover: those are always rules).
 */
export type ScenarioDecision =
	| { action: 'fixed_reply'; text: string; ruleId: string }
	| { action: 'ai_reply' | 'ai_qualify'; instructions?: string; ruleId: string | null }
	| { action: 'no_reply'; ruleId: string | null }
	| { action: 'handover'; ruleId: string };

const DECIDED_KINDS = new Set<string>(['dm', 'comment', 'postback'] satisfies ScenarioKind[]);

/**
 * The scenario's decision for one message: the first rule whose conditions all hold, else the default action of the
 * message's kind. Pure: the same scenario and input always give the same decision, and nothing is read or written
 * elsewhere. Receipts (read, status) and echoes of the account's own messages are never answered, whatever the rules.
 *
 * The text keywords are matched against is the message's text, and for a postback the button's title (its payload is
 * what `postbackPayloads` match).
 */
export function evaluateScenario(scenario: Scenario, input: ScenarioEvaluationInput): ScenarioDecision {
	const { message } = input;
	if (!DECIDED_KINDS.has(message.kind) || message.isEcho) return { action: 'no_reply', ruleId: null };
	const kind = message.kind as ScenarioKind;
	let words: WordIndex | undefined;
	const context: MatchContext = {
		scenario,
		input,
		kind,
		// Cut into words once, and only if a rule gets as far as its keywords.
		words: () => (words ??= new WordIndex(kind === 'postback' ? (message.postback?.title ?? message.text ?? '') : (message.text ?? ''))),
	};

	const rule = scenario.rules.find((candidate) => matches(candidate.when, context));
	if (!rule) {
		const fallback = scenario.defaultActions[kind];
		return fallback.type === 'no_reply'
			? { action: 'no_reply', ruleId: null }
			: withInstructions({ action: fallback.type, ruleId: null }, fallback.instructions);
	}
	const then = rule.then;
	switch (then.type) {
		case 'fixed_reply':
			return {
				action: 'fixed_reply',
				ruleId: rule.id,
				text: fillPlaceholders(then.text, {
					contact: message.contact,
					companyName: scenario.companyName ?? input.agent.companyName,
				}),
			};
		case 'ai_reply':
		case 'ai_qualify':
			return withInstructions({ action: then.type, ruleId: rule.id }, then.instructions);
		case 'no_reply':
		case 'handover':
			return { action: then.type, ruleId: rule.id };
	}
}

interface MatchContext {
	scenario: Scenario;
	input: ScenarioEvaluationInput;
	kind: ScenarioKind;
	words: () => WordIndex;
}

/** Every condition the rule gives must hold; the cheap ones are checked first, the words last. */
function matches(when: RuleConditions, { scenario, input, kind, words }: MatchContext): boolean {
	if (when.kinds && !when.kinds.includes(kind)) return false;
	if (when.postbackPayloads) {
		const payload = kind === 'postback' ? input.message.postback?.payload : undefined;
		if (payload === undefined || !when.postbackPayloads.includes(payload)) return false;
	}
	if (when.leadTemperature && !when.leadTemperature.includes(input.lead?.temperature ?? null)) return false;
	if (when.businessHours) {
		// The schema refuses a businessHours condition without businessHours and a time zone; a scenario built by
		// hand without them has no hours to be inside.
		const inside =
			scenario.businessHours !== undefined &&
			scenario.timeZone !== undefined &&
			isWithinBusinessHours(scenario.businessHours, scenario.timeZone, input.now);
		if (inside !== when.businessHours.inside) return false;
	}
	if (when.keywords) {
		const index = words();
		if (!when.keywords.some((keyword) => index.contains(wordsOfKeyword(keyword)))) return false;
	}
	return true;
}

function withInstructions<D extends { action: 'ai_reply' | 'ai_qualify'; ruleId: string | null }>(
	decision: D,
	instructions: string | undefined,
): D & { instructions?: string } {
	return instructions === undefined ? decision : { ...decision, instructions };
}
