/**
 * The scenario format's validation (scenarios.schemas.ts): what a save refuses, every problem at once, and what it
 * fills in. The HTTP side (422 bodies) is in scenarios.test.ts.
 */
import { SCENARIO_LIMITS, scenarioSchema } from '../src/modules/scenarios/scenarios.schemas';

/** Every problem of `body` as "path: message", in the schema's order. */
function problemsOf(body: unknown): string[] {
	const result = scenarioSchema.safeParse(body);
	return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}
const pathsOf = (body: unknown) => problemsOf(body).map((problem) => problem.split(':')[0]);

const rule = (then: unknown, when?: unknown, id = 'r') => ({ id, ...(when === undefined ? {} : { when }), then });
const reply = (text: string) => rule({ type: 'fixed_reply', text });

describe('a valid scenario', () => {
	it('is filled in with the defaults: windows, no rules, the default action of each kind', () => {
		expect(scenarioSchema.parse({})).toEqual({
			burstWindowSeconds: 8,
			floodWindowMinutes: 5,
			rules: [],
			defaultActions: { dm: { type: 'ai_reply' }, comment: { type: 'no_reply' }, postback: { type: 'ai_reply' } },
		});
		expect(scenarioSchema.parse({ defaultActions: { comment: { type: 'ai_reply' } } }).defaultActions).toEqual({
			dm: { type: 'ai_reply' },
			comment: { type: 'ai_reply' },
			postback: { type: 'ai_reply' },
		});
		expect(scenarioSchema.parse({ rules: [rule({ type: 'handover' })] }).rules).toEqual([
			{ id: 'r', when: {}, then: { type: 'handover' } },
		]);
	});

	it("keeps the time zone's and the language's own spelling, and trims texts", () => {
		const parsed = scenarioSchema.parse({
			timeZone: 'europe/paris',
			language: 'PT-br',
			companyName: '  Café Lumière ',
			rules: [rule({ type: 'fixed_reply', text: ' Bonjour ! ' }, { keywords: ['  prix '] })],
		});
		expect(parsed).toMatchObject({ timeZone: 'Europe/Paris', language: 'pt-BR', companyName: 'Café Lumière' });
		expect(parsed.rules[0]).toMatchObject({ when: { keywords: ['prix'] }, then: { text: 'Bonjour !' } });
	});

	it('accepts every field at its bounds', () => {
		const PLACEHOLDER = '{{contact.name | vous}}';
		const full = {
			language: 'fr',
			timeZone: 'UTC',
			businessHours: { monday: ['00:00-12:00', '12:00-24:00'], sunday: [] },
			companyName: 'c'.repeat(SCENARIO_LIMITS.companyNameLength),
			context: 'x'.repeat(SCENARIO_LIMITS.contextLength),
			prompt: 'p'.repeat(SCENARIO_LIMITS.promptLength),
			burstWindowSeconds: 0,
			floodWindowMinutes: SCENARIO_LIMITS.maxFloodWindowMinutes,
			rules: Array.from({ length: SCENARIO_LIMITS.rules }, (_, index) => ({
				id: `rule-${index}`,
				name: 'n'.repeat(SCENARIO_LIMITS.ruleNameLength),
				when: {
					keywords: Array.from({ length: SCENARIO_LIMITS.keywordsPerRule }, (_, k) => `mot${k}`),
					postbackPayloads: ['P'.repeat(SCENARIO_LIMITS.payloadLength)],
					kinds: ['dm', 'comment', 'postback'],
					businessHours: { inside: true },
					leadTemperature: ['hot', 'warm', 'cold', null],
				},
				then: { type: 'fixed_reply', text: `${PLACEHOLDER}${'t'.repeat(SCENARIO_LIMITS.replyTextLength - PLACEHOLDER.length)}` },
			})),
		};
		expect(problemsOf(full)).toEqual([]);
	});

	it.each(['Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+1', 'UTC', 'Asia/Kolkata'])(
		'takes the IANA time zone %s',
		(timeZone) => expect(problemsOf({ timeZone })).toEqual([]),
	);
});

describe('a malformed scenario', () => {
	it('is refused with every problem listed at once, across fields and rules', () => {
		expect(
			problemsOf({
				timeZone: 'Mars/Olympus',
				language: 'not a language',
				businessHours: { monday: ['18:00-09:00', '9h-12h'], funday: [] },
				burstWindowSeconds: 61,
				rules: [
					rule({ type: 'fixed_reply', text: 'Bonjour {{contact.email}}' }, { keywords: ['', 'prix'] }, 'price'),
					rule({ type: 'shout' }, { businessHours: { inside: true } }, 'price'),
					rule({ type: 'ai_reply' }, undefined, 'Not A Slug'),
				],
				defaultActions: { comment: { type: 'fixed_reply', text: 'Merci' } },
				surprise: true,
			}),
		).toEqual([
			'language: is not a BCP 47 language tag (such as "fr", "en-GB" or "pt-BR")',
			'timeZone: is not an IANA time zone (such as "Europe/Paris" or "America/New_York")',
			'businessHours.monday.0: "18:00-09:00" does not end after it starts (a range cannot cross midnight: split it over two days)',
			'businessHours.monday.1: "9h-12h" is not a time range "HH:MM-HH:MM"',
			'businessHours: Unrecognized key: "funday"',
			'burstWindowSeconds: Too big: expected number to be <=60',
			'rules.0.when.keywords.0: an empty keyword matches nothing',
			'rules.0.then.text: {{contact.email}} names an unknown field "contact.email"; known fields: contact.name, contact.firstName, contact.handle, agent.companyName',
			"rules.1.then.type: Invalid discriminator value. Expected 'fixed_reply' | 'ai_reply' | 'ai_qualify' | 'no_reply' | 'handover'",
			'rules.2.id: must be a slug: lower-case letters and digits, words joined by single hyphens',
			"defaultActions.comment.type: Invalid discriminator value. Expected 'ai_reply' | 'ai_qualify' | 'no_reply'",
			': Unrecognized key: "surprise"',
			'rules.1.id: duplicate rule id "price" (also rules.0.id)',
		]);
	});

	it('refuses unknown keys at every level: a misspelt condition must not leave a rule matching everything', () => {
		expect(pathsOf({ rules: [rule({ type: 'handover' }, { keyword: ['prix'] })] })).toEqual(['rules.0.when']);
		expect(pathsOf({ rules: [{ ...rule({ type: 'handover' }), enabled: true }] })).toEqual(['rules.0']);
		expect(pathsOf({ rules: [rule({ type: 'no_reply', text: 'x' })] })).toEqual(['rules.0.then']);
		expect(pathsOf({ businessHours: { monday: [] }, timeZone: 'UTC', holidays: [] })).toEqual(['']);
	});

	it('refuses what refers to something missing: hours without a zone, an hours condition without hours', () => {
		expect(problemsOf({ businessHours: { monday: ['09:00-18:00'] } })).toEqual([
			'timeZone: is required with businessHours (they are read in this time zone)',
		]);
		expect(problemsOf({ rules: [rule({ type: 'handover' }, { businessHours: { inside: false } })] })).toEqual([
			"rules.0.when.businessHours: refers to the scenario's businessHours, which are not defined",
		]);
		expect(problemsOf({ rules: [rule({ type: 'handover' }, { postbackPayloads: ['P'], kinds: ['dm', 'comment'] })] })).toEqual([
			'rules.0.when.postbackPayloads: can never match: kinds leaves out postback',
		]);
	});

	it.each([
		['an unknown field', 'Hi {{contact.email}}', 'names an unknown field "contact.email"'],
		['an unknown object', 'Hi {{lead.phone}}', 'names an unknown field "lead.phone"'],
		['a field that is not a path', 'Hi {{contact name}}', 'is not a placeholder'],
		['an empty placeholder', 'Hi {{}}', 'is not a placeholder'],
		['an unclosed brace', 'Hi {{contact.name', '"{{" or "}}" outside a placeholder'],
		['a stray closing brace', 'Hi contact.name}}', '"{{" or "}}" outside a placeholder'],
	])('refuses a fixed reply with %s', (_case, text, problem) => {
		const [only, ...others] = problemsOf({ rules: [reply(text)] });
		expect(only).toContain(problem);
		expect(others).toEqual([]);
	});

	it('accepts every known placeholder, with or without a fallback', () => {
		const text = '{{contact.name}} {{ contact.firstName }} {{contact.handle|?}} {{agent.companyName | nous}}';
		expect(problemsOf({ rules: [reply(text)] })).toEqual([]);
	});

	it.each([
		['12:00-12:00', 'does not end after it starts'],
		['13:00-12:00', 'does not end after it starts'],
		['24:00-24:00', 'is not a time of day'],
		['25:00-26:00', 'is not a time of day'],
		['09:60-10:00', 'is not a time of day'],
		['9:00-18:00', 'is not a time range'],
		['09:00 - 18:00', 'is not a time range'],
		['09:00', 'is not a time range'],
	])('refuses the time range %s', (range, problem) => {
		const [only, ...others] = problemsOf({ timeZone: 'UTC', businessHours: { friday: [range] } });
		expect(only).toContain(problem);
		expect(others).toEqual([]);
	});

	it('refuses overlapping ranges on one day, and takes ranges that only touch', () => {
		expect(problemsOf({ timeZone: 'UTC', businessHours: { friday: ['14:00-18:00', '09:00-14:30'] } })).toEqual([
			'businessHours.friday: "09:00-14:30" and "14:00-18:00" overlap',
		]);
		expect(problemsOf({ timeZone: 'UTC', businessHours: { friday: ['09:00-14:00', '14:00-18:00'] } })).toEqual([]);
	});

	it.each(['+01:00', 'GMT+1', 'Europe/Parisx', 'Paris', '', 'Europe/../etc'])('refuses the time zone "%s"', (timeZone) => {
		expect(pathsOf({ timeZone })).toEqual(['timeZone']);
	});

	it('refuses keywords that match nothing: empty, blank, punctuation only', () => {
		expect(pathsOf({ rules: [rule({ type: 'handover' }, { keywords: ['', '   ', '?!…', 'ok'] })] })).toEqual([
			'rules.0.when.keywords.0',
			'rules.0.when.keywords.1',
			'rules.0.when.keywords.2',
		]);
		expect(pathsOf({ rules: [rule({ type: 'handover' }, { keywords: [] })] })).toEqual(['rules.0.when.keywords']);
	});

	it('refuses every size bound exceeded', () => {
		const L = SCENARIO_LIMITS;
		expect(pathsOf({ rules: Array.from({ length: L.rules + 1 }, (_, index) => rule({ type: 'handover' }, undefined, `r${index}`)) })).toEqual([
			'rules',
		]);
		expect(
			pathsOf({
				companyName: 'c'.repeat(L.companyNameLength + 1),
				context: 'x'.repeat(L.contextLength + 1),
				prompt: 'p'.repeat(L.promptLength + 1),
				floodWindowMinutes: L.maxFloodWindowMinutes + 1,
				rules: [
					{
						id: 'r'.repeat(L.ruleIdLength + 1),
						name: 'n'.repeat(L.ruleNameLength + 1),
						when: {
							keywords: ['k'.repeat(L.keywordLength + 1)],
							postbackPayloads: ['P'.repeat(L.payloadLength + 1)],
						},
						then: { type: 'fixed_reply', text: 't'.repeat(L.replyTextLength + 1) },
					},
					rule({ type: 'ai_qualify', instructions: 'i'.repeat(L.instructionsLength + 1) }, undefined, 'q'),
					// A list over its bound is refused as a whole: its items are not examined one by one.
					rule({ type: 'handover' }, { keywords: Array.from({ length: L.keywordsPerRule + 1 }, () => '') }, 'k'),
				],
			}),
		).toEqual([
			'companyName',
			'context',
			'prompt',
			'floodWindowMinutes',
			'rules.0.id',
			'rules.0.name',
			'rules.0.when.keywords.0',
			'rules.0.when.postbackPayloads.0',
			'rules.0.then.text',
			'rules.1.then.instructions',
			'rules.2.when.keywords',
		]);
		expect(pathsOf({ timeZone: 'UTC', businessHours: { monday: Array.from({ length: L.rangesPerDay + 1 }, (_, h) => `${String(h).padStart(2, '0')}:00-${String(h).padStart(2, '0')}:30`) } })).toEqual([
			'businessHours.monday',
		]);
	});

	it.each([
		['a burst window below 0', { burstWindowSeconds: -1 }, 'burstWindowSeconds'],
		['a burst window in fractions', { burstWindowSeconds: 1.5 }, 'burstWindowSeconds'],
		['a flood window given as text', { floodWindowMinutes: '5' }, 'floodWindowMinutes'],
		['kinds a scenario does not decide', { rules: [rule({ type: 'handover' }, { kinds: ['read'] })] }, 'rules.0.when.kinds.0'],
		['an unknown temperature', { rules: [rule({ type: 'handover' }, { leadTemperature: ['tepid'] })] }, 'rules.0.when.leadTemperature.0'],
		['a default handover', { defaultActions: { dm: { type: 'handover' } } }, 'defaultActions.dm.type'],
		['rules that are not a list', { rules: { id: 'r' } }, 'rules'],
	])('refuses %s', (_case, body, path) => {
		expect(pathsOf(body)).toEqual([path]);
	});

	it.each([null, [], 'scenario', 42])('refuses %p as a scenario', (body) => {
		expect(pathsOf(body)).toEqual(['']);
	});
});
