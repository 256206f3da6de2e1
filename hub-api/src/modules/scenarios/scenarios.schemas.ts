import { z } from 'zod';
import { LEAD_TEMPERATURES } from '../../../../contracts/hub-api';
import type { Expect } from '../../contract-check';
import { SCENARIO_DEFAULTS } from './default-scenario';
import { canonicalTimeZone, isTimeZone, parseTimeRange, type Weekday } from './business-hours';
import { placeholderProblems } from './reply-placeholders';
import { wordsOf } from './scenario-text';

/**
 * A scenario: what an agent does with each inbound message, decided before any model call. Ordered rules, the first
 * whose conditions all hold wins; a message no rule matches gets its kind's default action. The schema below is
 * the one definition of the format: it validates PUT /api/agents/:id/scenario (every problem in one 422), gives the
 * types the evaluator reads, and documents the format in OpenAPI. docs/scenarios.md explains it for people.
 *
 * Objects are strict: an unknown key is refused rather than dropped, because dropping a misspelt condition
 * ("keyword") would leave a rule that matches every message.
 *
 * Like every module's schemas, these are built once zod has its OpenAPI extension (http/openapi.ts): import their
 * values from the HTTP layer or tests, and only types from services (the default scenario is in default-scenario.ts).
 */

/** Every bound of the format, in one place (and in docs/scenarios.md). */
export const SCENARIO_LIMITS = {
	rules: 100,
	ruleIdLength: 64,
	ruleNameLength: 200,
	keywordsPerRule: 50,
	keywordLength: 100,
	payloadsPerRule: 50,
	/** Meta's own limit for a button's payload. */
	payloadLength: 1000,
	replyTextLength: 2000,
	instructionsLength: 2000,
	companyNameLength: 200,
	contextLength: 4000,
	promptLength: 4000,
	rangesPerDay: 12,
	maxBurstWindowSeconds: 60,
	/** One day. */
	maxFloodWindowMinutes: 1440,
} as const;

/** The kinds of message a scenario decides for (receipts and echoes are never answered). */
export const SCENARIO_KINDS = ['dm', 'comment', 'postback'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

const L = SCENARIO_LIMITS;

const ruleId = z
	.string()
	.max(L.ruleIdLength)
	.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug: lower-case letters and digits, words joined by single hyphens');

const keyword = z
	.string()
	.trim()
	.min(1, 'an empty keyword matches nothing')
	.max(L.keywordLength)
	.refine(
		(text) => text === '' || wordsOf(text).length > 0,
		'matches nothing: a keyword needs a word, a number or a symbol, not only punctuation',
	);

const addProblems = (problems: string[], ctx: z.RefinementCtx) => {
	for (const message of problems) ctx.addIssue({ code: 'custom', message });
};

const replyText = z
	.string()
	.trim()
	.min(1)
	.max(L.replyTextLength)
	.superRefine((text, ctx) => addProblems(placeholderProblems(text), ctx))
	.describe('The reply; placeholders {{contact.name}}, {{contact.firstName}}, {{contact.handle}}, {{agent.companyName}}');

const instructions = z
	.string()
	.trim()
	.min(1)
	.max(L.instructionsLength)
	.describe("Added to the agent's prompt for this message");

const aiReply = z.strictObject({ type: z.literal('ai_reply'), instructions: instructions.optional() });
const aiQualify = z.strictObject({ type: z.literal('ai_qualify'), instructions: instructions.optional() });
const noReply = z.strictObject({ type: z.literal('no_reply') });

/** What a rule does. */
export const scenarioAction = z.discriminatedUnion('type', [
	z.strictObject({ type: z.literal('fixed_reply'), text: replyText }),
	aiReply,
	aiQualify,
	noReply,
	z.strictObject({ type: z.literal('handover') }).describe('A person takes the conversation over; the AI stops'),
]);
export type ScenarioAction = z.output<typeof scenarioAction>;

/**
 * What a message no rule matches gets. A fixed reply or a handover for every message of a kind is a rule without
 * keywords (`when: { kinds: [...] }`), so a decision made by a default never names a rule, and never sends a text.
 */
export const defaultScenarioAction = z.discriminatedUnion('type', [aiReply, aiQualify, noReply]);
export type DefaultScenarioAction = z.output<typeof defaultScenarioAction>;

/** All conditions given must hold; a rule without any matches every message. */
export const ruleConditions = z.strictObject({
	keywords: z
		.array(keyword)
		.min(1)
		.max(L.keywordsPerRule)
		.optional()
		.describe(
			'Any of these words or phrases, case- and accent-insensitive, as whole words; for a postback, in its title',
		),
	postbackPayloads: z
		.array(z.string().min(1).max(L.payloadLength))
		.min(1)
		.max(L.payloadsPerRule)
		.optional()
		.describe("Any of these button payloads, exactly (postbacks only)"),
	kinds: z.array(z.enum(SCENARIO_KINDS)).min(1).max(SCENARIO_KINDS.length).optional(),
	businessHours: z
		.strictObject({ inside: z.boolean() })
		.optional()
		.describe("Inside (true) or outside (false) the scenario's businessHours, in its timeZone"),
	leadTemperature: z
		.array(z.enum(LEAD_TEMPERATURES).nullable())
		.min(1)
		.max(LEAD_TEMPERATURES.length + 1)
		.optional()
		.describe("Any of these temperatures of the contact's lead; null: no lead yet, or not classified"),
});
export type RuleConditions = z.output<typeof ruleConditions>;

export const scenarioRule = z.strictObject({
	id: ruleId.describe('Unique in the scenario; decisions name the rule that matched'),
	name: z.string().trim().min(1).max(L.ruleNameLength).optional(),
	when: ruleConditions.prefault({}),
	then: scenarioAction,
});
export type ScenarioRule = z.output<typeof scenarioRule>;

// Room for a near miss ("09:00 - 18:00"), so it is told what is wrong with it rather than only that it is long.
const timeRange = z
	.string()
	.max(20)
	.superRefine((range, ctx) => {
		const parsed = parseTimeRange(range);
		if ('problem' in parsed) addProblems([parsed.problem], ctx);
	});

/** One day's ranges: each valid, none overlapping another (an overlap is a typo more often than an intent). */
const dayRanges = z
	.array(timeRange)
	.max(L.rangesPerDay)
	.superRefine((ranges, ctx) => {
		const parsed = ranges
			.map((text) => ({ text, range: parseTimeRange(text) }))
			.flatMap(({ text, range }) => ('start' in range ? [{ text, ...range }] : []))
			.sort((a, b) => a.start - b.start);
		for (let index = 1; index < parsed.length; index += 1) {
			const [before, after] = [parsed[index - 1]!, parsed[index]!];
			if (after.start < before.end) addProblems([`"${before.text}" and "${after.text}" overlap`], ctx);
		}
	});

export const businessHours = z
	.strictObject({
		monday: dayRanges.optional(),
		tuesday: dayRanges.optional(),
		wednesday: dayRanges.optional(),
		thursday: dayRanges.optional(),
		friday: dayRanges.optional(),
		saturday: dayRanges.optional(),
		sunday: dayRanges.optional(),
	})
	.describe('Per weekday, "HH:MM-HH:MM" ranges (end exclusive, "24:00" = midnight); a day not listed is closed');
/** The weekday names the evaluator reads (business-hours.ts) are the ones above. */
export type BusinessHoursMatchWeekdays = Expect<
	[keyof z.output<typeof businessHours>] extends [Weekday] ? ([Weekday] extends [keyof z.output<typeof businessHours>] ? true : false) : false
>;

const timeZone = z
	.string()
	.max(64)
	.refine(isTimeZone, 'is not an IANA time zone (such as "Europe/Paris" or "America/New_York")')
	.overwrite(canonicalTimeZone)
	.describe('IANA time zone of businessHours');

const language = z
	.string()
	.max(35)
	.refine(isLanguageTag, 'is not a BCP 47 language tag (such as "fr", "en-GB" or "pt-BR")')
	.overwrite((tag) => (isLanguageTag(tag) ? Intl.getCanonicalLocales(tag)[0]! : tag))
	.describe('BCP 47 language the AI answers in');

function isLanguageTag(tag: string): boolean {
	try {
		return Intl.getCanonicalLocales(tag).length === 1;
	} catch {
		return false;
	}
}

/** The scenario of an agent (the OpenAPI component `Scenario`). */
export const scenarioSchema = z
	.strictObject({
		language: language.optional(),
		timeZone: timeZone.optional(),
		businessHours: businessHours.optional(),
		companyName: z.string().trim().min(1).max(L.companyNameLength).optional(),
		context: z
			.string()
			.trim()
			.min(1)
			.max(L.contextLength)
			.optional()
			.describe('What the AI should know about the company (offer, prices, opening hours…)'),
		prompt: z.string().trim().min(1).max(L.promptLength).optional().describe("The agent's system prompt for the AI"),
		burstWindowSeconds: z
			.number()
			.int()
			.min(0)
			.max(L.maxBurstWindowSeconds)
			.default(SCENARIO_DEFAULTS.burstWindowSeconds)
			.describe("A contact's messages within this many seconds get one reply that reads them all (0: each its own)"),
		floodWindowMinutes: z
			.number()
			.int()
			.min(0)
			.max(L.maxFloodWindowMinutes)
			.default(SCENARIO_DEFAULTS.floodWindowMinutes)
			.describe('At most one reply per conversation in this many minutes (0: no limit)'),
		rules: z.array(scenarioRule).max(L.rules).default(() => []).describe('In order: the first rule that matches decides'),
		defaultActions: z
			.strictObject({
				dm: defaultScenarioAction.prefault(SCENARIO_DEFAULTS.defaultActions.dm),
				comment: defaultScenarioAction.prefault(SCENARIO_DEFAULTS.defaultActions.comment),
				postback: defaultScenarioAction.prefault(SCENARIO_DEFAULTS.defaultActions.postback),
			})
			.prefault({})
			.describe('What a message no rule matches gets, by kind'),
	})
	// Problems across fields are found even when other fields have problems of their own, so one 422 lists them all.
	.superRefine((scenario, ctx) => crossFieldProblems(scenario, ctx), {
		when: (payload) => typeof payload.value === 'object' && payload.value !== null,
	});

export type Scenario = z.output<typeof scenarioSchema>;
/** A scenario as a client sends it (defaults may be left out). */
export type ScenarioBody = z.input<typeof scenarioSchema>;

/**
 * Rule ids unique; a businessHours condition only with businessHours defined, and those only with a time zone; a
 * rule on postback payloads that the kinds condition leaves postbacks out of could never match. The value may be
 * partly invalid here (other fields failed): read defensively.
 */
function crossFieldProblems(value: unknown, ctx: z.RefinementCtx): void {
	const scenario = value as { timeZone?: unknown; businessHours?: unknown; rules?: unknown };
	const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
	if (scenario.businessHours !== undefined && scenario.timeZone === undefined) {
		problem(['timeZone'], 'is required with businessHours (they are read in this time zone)');
	}
	if (!Array.isArray(scenario.rules)) return;
	const firstIndexOf = new Map<string, number>();
	scenario.rules.forEach((candidate: unknown, index) => {
		if (typeof candidate !== 'object' || candidate === null) return;
		const rule = candidate as { id?: unknown; when?: { businessHours?: unknown; postbackPayloads?: unknown; kinds?: unknown } };
		if (typeof rule.id === 'string') {
			const first = firstIndexOf.get(rule.id);
			if (first === undefined) firstIndexOf.set(rule.id, index);
			else problem(['rules', index, 'id'], `duplicate rule id "${rule.id}" (also rules.${first}.id)`);
		}
		const when = rule.when;
		if (typeof when !== 'object' || when === null) return;
		if (when.businessHours !== undefined && scenario.businessHours === undefined) {
			problem(['rules', index, 'when', 'businessHours'], "refers to the scenario's businessHours, which are not defined");
		}
		if (when.postbackPayloads !== undefined && Array.isArray(when.kinds) && !when.kinds.includes('postback')) {
			problem(['rules', index, 'when', 'postbackPayloads'], 'can never match: kinds leaves out postback');
		}
	});
}

/** PUT /api/agents/:id/scenario. */
export const putScenarioBody = z.object({ scenario: scenarioSchema }).strip();

/** Who saved a version: a person, or an API key; both null once that person or key is deleted. */
export const scenarioAuthor = z.object({ userId: z.uuid().nullable(), apiKeyId: z.uuid().nullable() });
export type ScenarioAuthor = z.output<typeof scenarioAuthor>;

/** What GET and PUT /api/agents/:id/scenario answer (the OpenAPI component `AgentScenario`). */
export const agentScenarioView = z.object({
	agentId: z.uuid(),
	version: z
		.number()
		.int()
		.min(0)
		.describe('1, 2, … in the order they were saved; 0: the default scenario (the agent has none saved)'),
	default: z.boolean().describe('true: no scenario saved yet, this is the default one'),
	scenario: scenarioSchema,
	createdAt: z.iso.datetime().nullable().describe('When this version was saved; null for the default'),
	createdBy: scenarioAuthor.nullable().describe('Who saved it; null for the default'),
});
export type AgentScenarioView = z.output<typeof agentScenarioView>;
