/**
 * evaluateScenario, the pure decision of a scenario for one message: no database, no clock but the `now` it is given.
 */
import type { InboundMessage } from '../../contracts/inbound-message';
import { evaluateScenario, type ScenarioEvaluationInput } from '../src/modules/scenarios/evaluate-scenario';
import { DEFAULT_SCENARIO } from '../src/modules/scenarios/default-scenario';
import { type Scenario, type ScenarioBody, scenarioSchema } from '../src/modules/scenarios/scenarios.schemas';

/** A scenario as the hub stores it: through the schema, defaults filled in. */
const scenario = (body: ScenarioBody): Scenario => scenarioSchema.parse(body);

const dm = (text: string | undefined, extra: Partial<InboundMessage> = {}): InboundMessage => ({
	provider: 'instagram',
	kind: 'dm',
	messageId: 'mid-1',
	accountExternalId: '17841400000000001',
	conversationId: 'conv-1',
	contact: { externalId: 'igsid-1', name: 'Léa Martin', handle: 'lea.m' },
	text,
	timestamp: '2026-03-10T09:00:00.000Z',
	...extra,
});
const comment = (text: string) => dm(text, { kind: 'comment', comment: { postId: 'post-1' } });
const postback = (payload: string, title?: string) =>
	dm(undefined, { kind: 'postback', postback: title === undefined ? { payload } : { payload, title } });

const decide = (on: Scenario, message: InboundMessage, input: Partial<Omit<ScenarioEvaluationInput, 'message'>> = {}) =>
	evaluateScenario(on, { message, lead: null, agent: {}, now: new Date('2026-03-10T10:00:00.000Z'), ...input });

/** One keyword rule answering a fixed text: which messages does it catch? */
const keywordRule = (...keywords: string[]) =>
	scenario({ rules: [{ id: 'kw', when: { keywords }, then: { type: 'fixed_reply', text: 'matched' } }] });
const matchesKeyword = (keywords: string | string[], text: string) =>
	decide(keywordRule(...[keywords].flat()), dm(text)).ruleId === 'kw';

describe('the default scenario', () => {
	it('answers DMs and postbacks with the AI and comments with nothing, each as the default (no rule)', () => {
		expect(decide(DEFAULT_SCENARIO, dm('Bonjour'))).toEqual({ action: 'ai_reply', ruleId: null });
		expect(decide(DEFAULT_SCENARIO, postback('BOOK', 'Réserver'))).toEqual({ action: 'ai_reply', ruleId: null });
		expect(decide(DEFAULT_SCENARIO, comment('Super !'))).toEqual({ action: 'no_reply', ruleId: null });
		expect(DEFAULT_SCENARIO).toMatchObject({ burstWindowSeconds: 8, floodWindowMinutes: 5, rules: [] });
	});

	it('is what the schema makes of an empty scenario', () => {
		expect(scenarioSchema.parse({})).toEqual(DEFAULT_SCENARIO);
	});

	it('is one frozen object: a caller cannot change it for the others', () => {
		expect(Object.isFrozen(DEFAULT_SCENARIO)).toBe(true);
		expect(Object.isFrozen(DEFAULT_SCENARIO.defaultActions.dm)).toBe(true);
	});
});

describe('messages that are never answered', () => {
	const catchAll = scenario({ rules: [{ id: 'all', then: { type: 'fixed_reply', text: 'hello' } }] });

	it.each(['read', 'status'] as const)('a %s receipt gets no reply, even from a rule matching everything', (kind) => {
		expect(decide(catchAll, dm(undefined, { kind }))).toEqual({ action: 'no_reply', ruleId: null });
	});

	it("an echo of the account's own message gets no reply", () => {
		expect(decide(catchAll, dm('hello', { isEcho: true }))).toEqual({ action: 'no_reply', ruleId: null });
		expect(decide(catchAll, dm('hello'))).toEqual({ action: 'fixed_reply', text: 'hello', ruleId: 'all' });
	});
});

describe('keywords', () => {
	it('ignore case and accents on both sides (é/e, ç, capitals)', () => {
		expect(matchesKeyword('réservation', 'Je voudrais une RESERVATION')).toBe(true);
		expect(matchesKeyword('reservation', 'une réservation svp')).toBe(true);
		expect(matchesKeyword('Réservation', 'RÉSERVATION')).toBe(true);
		expect(matchesKeyword('garçon', 'un GARCON de café')).toBe(true);
		expect(matchesKeyword('garcon', 'le garçon')).toBe(true);
		expect(matchesKeyword('crème brûlée', 'Une CREME BRULEE !')).toBe(true);
		expect(matchesKeyword('über', 'UBER alles')).toBe(true);
	});

	it('match whole words only: "prix" in "le prix ?" but not in "prixe" or "surprix"', () => {
		expect(matchesKeyword('prix', 'le prix ?')).toBe(true);
		expect(matchesKeyword('prix', 'PRIX!')).toBe(true);
		expect(matchesKeyword('prix', '(prix)')).toBe(true);
		expect(matchesKeyword('prix', 'prixe')).toBe(false);
		expect(matchesKeyword('prix', 'surprix')).toBe(false);
		expect(matchesKeyword('prix', 'prix2 ou 2prix')).toBe(false);
		expect(matchesKeyword('prix', 'Les Prix')).toBe(true);
		expect(matchesKeyword('info', 'information')).toBe(false);
	});

	it('match phrases as consecutive words, whatever spaces or punctuation separate them', () => {
		expect(matchesKeyword('rendez vous', 'Un rendez-vous demain ?')).toBe(true);
		expect(matchesKeyword('rendez-vous', 'un rendez   vous')).toBe(true);
		expect(matchesKeyword('prise de rendez-vous', 'pour la prise de rendez vous')).toBe(true);
		expect(matchesKeyword('rendez vous', 'rendez nous vous')).toBe(false);
		expect(matchesKeyword('rendez vous', 'vous rendez')).toBe(false);
	});

	it('read words joined by an apostrophe apart ("offre" in "l\'offre", typographic apostrophes too)', () => {
		expect(matchesKeyword('offre', "C'est quoi l'offre ?")).toBe(true);
		expect(matchesKeyword('offre', 'l’OFFRE du jour')).toBe(true);
		expect(matchesKeyword("aujourd'hui", 'ouvert aujourd’hui ?')).toBe(true);
	});

	it('work in other scripts: Cyrillic, Greek, Arabic (harakat ignored), Hebrew', () => {
		expect(matchesKeyword('цена', 'Какая ЦЕНА?')).toBe(true);
		expect(matchesKeyword('Цена', 'какая цена')).toBe(true);
		expect(matchesKeyword('цена', 'ценами')).toBe(false);
		expect(matchesKeyword('ёлка', 'Елка')).toBe(true);
		expect(matchesKeyword('τιμή', 'Ποια είναι η ΤΙΜΗ;')).toBe(true);
		expect(matchesKeyword('οδός', 'ΟΔΟΣ')).toBe(true);
		expect(matchesKeyword('السعر', 'ما هو السِّعْر؟')).toBe(true);
		expect(matchesKeyword('السعر', 'ما هو السعرات')).toBe(false);
		expect(matchesKeyword('مرحبا', 'مرحـــبا بكم')).toBe(true);
		expect(matchesKeyword('מחיר', 'מה המחיר? מחיר')).toBe(true);
	});

	it('find words in scripts written without spaces (Thai, Chinese, Japanese) by their dictionaries', () => {
		expect(matchesKeyword('ราคา', 'ราคาเท่าไหร่')).toBe(true);
		expect(matchesKeyword('价格', '价格是多少')).toBe(true);
		expect(matchesKeyword('値段', 'この値段はいくらですか')).toBe(true);
	});

	it('fold compatibility forms and the letters lower case leaves apart (ß, full-width, ligatures)', () => {
		expect(matchesKeyword('strasse', 'Hauptstraße? nein: Straße')).toBe(true);
		expect(matchesKeyword('prix', 'ＰＲＩＸ')).toBe(true);
		expect(matchesKeyword('fin', 'la ﬁn')).toBe(true);
		expect(matchesKeyword('istanbul', 'İSTANBUL')).toBe(true);
	});

	it('match numbers and symbols or emoji as words of their own (skin tones ignored)', () => {
		expect(matchesKeyword('24/7', 'ouvert 24 / 7 ?')).toBe(true);
		expect(matchesKeyword('€', 'combien en €')).toBe(true);
		expect(matchesKeyword('👍', 'ok 👍🏽')).toBe(true);
		expect(matchesKeyword('❤️', 'je ❤ ça')).toBe(true);
		expect(matchesKeyword('2', '24')).toBe(false);
	});

	it('match any keyword of the list, and nothing in a message without text', () => {
		expect(matchesKeyword(['tarif', 'prix', 'combien'], 'Combien ça coûte ?')).toBe(true);
		expect(matchesKeyword(['tarif', 'prix'], 'Bonjour')).toBe(false);
		expect(decide(keywordRule('prix'), dm(undefined, { attachments: [{ type: 'image' }] })).ruleId).toBeNull();
		expect(decide(keywordRule('prix'), dm(''))).toEqual({ action: 'ai_reply', ruleId: null });
	});
});

describe('postbacks', () => {
	const buttons = scenario({
		rules: [
			{ id: 'book', when: { postbackPayloads: ['BOOK', 'BOOK_TABLE'] }, then: { type: 'fixed_reply', text: 'Booked' } },
			{ id: 'menu-title', when: { keywords: ['menu'] }, then: { type: 'fixed_reply', text: 'Here is the menu' } },
		],
	});

	it('match their payload exactly (case included), any of the list', () => {
		expect(decide(buttons, postback('BOOK', 'Réserver'))).toMatchObject({ action: 'fixed_reply', ruleId: 'book' });
		expect(decide(buttons, postback('BOOK_TABLE'))).toMatchObject({ ruleId: 'book' });
		expect(decide(buttons, postback('book'))).toEqual({ action: 'ai_reply', ruleId: null });
		expect(decide(buttons, postback('BOOK_NOW'))).toEqual({ action: 'ai_reply', ruleId: null });
	});

	it('match keywords in their title, never in their payload', () => {
		expect(decide(buttons, postback('SHOW_MENU_1', 'Voir le MENU'))).toMatchObject({ ruleId: 'menu-title' });
		expect(decide(buttons, postback('menu', 'Carte'))).toEqual({ action: 'ai_reply', ruleId: null });
	});

	it('never match a payload rule with a DM saying the payload', () => {
		expect(decide(buttons, dm('BOOK'))).toEqual({ action: 'ai_reply', ruleId: null });
	});
});

describe('kinds: comment → private reply', () => {
	const privateReply = scenario({
		companyName: 'Café Lumière',
		rules: [
			{
				id: 'comment-price',
				name: 'Price asked in a comment',
				when: { kinds: ['comment'], keywords: ['prix', 'tarif'] },
				then: { type: 'fixed_reply', text: 'Bonjour {{contact.firstName}} ! Nos tarifs arrivent en message privé.' },
			},
		],
	});

	it('a keyword comment gets the fixed reply; the same words in a DM do not', () => {
		expect(decide(privateReply, comment('Quel est le PRIX ?'))).toEqual({
			action: 'fixed_reply',
			text: 'Bonjour Léa ! Nos tarifs arrivent en message privé.',
			ruleId: 'comment-price',
		});
		expect(decide(privateReply, dm('Quel est le prix ?'))).toEqual({ action: 'ai_reply', ruleId: null });
		expect(decide(privateReply, comment('Magnifique photo'))).toEqual({ action: 'no_reply', ruleId: null });
	});

	it('a rule without kinds matches every kind a scenario decides', () => {
		const anyKind = scenario({ rules: [{ id: 'hi', when: { keywords: ['hello'] }, then: { type: 'handover' } }] });
		for (const message of [dm('hello'), comment('hello'), postback('X', 'hello')]) {
			expect(decide(anyKind, message)).toEqual({ action: 'handover', ruleId: 'hi' });
		}
	});
});

describe('lead temperature', () => {
	const byTemperature = scenario({
		rules: [
			{ id: 'hot', when: { leadTemperature: ['hot'] }, then: { type: 'handover' } },
			{ id: 'unknown', when: { leadTemperature: [null] }, then: { type: 'ai_qualify', instructions: 'Ask for a phone' } },
			{ id: 'lukewarm', when: { leadTemperature: ['warm', 'cold'] }, then: { type: 'ai_reply' } },
		],
	});

	it('matches any temperature of the list; null stands for no lead, or one not classified yet', () => {
		expect(decide(byTemperature, dm('x'), { lead: { temperature: 'hot' } })).toEqual({ action: 'handover', ruleId: 'hot' });
		expect(decide(byTemperature, dm('x'), { lead: { temperature: 'cold' } })).toEqual({ action: 'ai_reply', ruleId: 'lukewarm' });
		expect(decide(byTemperature, dm('x'), { lead: { temperature: 'warm' } })).toMatchObject({ ruleId: 'lukewarm' });
		const qualify = { action: 'ai_qualify', instructions: 'Ask for a phone', ruleId: 'unknown' };
		expect(decide(byTemperature, dm('x'), { lead: { temperature: null } })).toEqual(qualify);
		expect(decide(byTemperature, dm('x'), { lead: null })).toEqual(qualify);
	});

	it('a rule on temperatures does not match a lead without one unless the list has null', () => {
		const hotOnly = scenario({ rules: [{ id: 'hot', when: { leadTemperature: ['hot'] }, then: { type: 'handover' } }] });
		expect(decide(hotOnly, dm('x'), { lead: null })).toEqual({ action: 'ai_reply', ruleId: null });
		expect(decide(hotOnly, dm('x'), { lead: { temperature: 'warm' } })).toEqual({ action: 'ai_reply', ruleId: null });
	});
});

describe('business hours in the scenario time zone', () => {
	/** Office hours in Paris, a late Monday shift that runs past midnight, closed at the weekend. */
	const paris = scenario({
		timeZone: 'Europe/Paris',
		businessHours: {
			monday: ['09:00-12:00', '14:00-18:00', '22:00-24:00'],
			tuesday: ['00:00-02:00', '09:00-18:00'],
			wednesday: ['09:00-18:00'],
			thursday: ['09:00-18:00'],
			friday: ['09:00-18:00'],
			sunday: ['00:00-02:30'],
		},
		rules: [
			{ id: 'closed', when: { businessHours: { inside: false } }, then: { type: 'fixed_reply', text: 'Closed' } },
			{ id: 'open', when: { businessHours: { inside: true } }, then: { type: 'ai_reply' } },
		],
	});
	const at = (iso: string) => decide(paris, dm('Bonjour'), { now: new Date(iso) }).ruleId;

	it('counts a range from its first minute to just before its end (Paris is UTC+1 in winter)', () => {
		// Monday 9 March 2026.
		expect(at('2026-03-09T07:59:59.999Z')).toBe('closed'); // 08:59:59
		expect(at('2026-03-09T08:00:00.000Z')).toBe('open'); // 09:00
		expect(at('2026-03-09T10:59:00.000Z')).toBe('open'); // 11:59
		expect(at('2026-03-09T11:00:00.000Z')).toBe('closed'); // 12:00, lunch
		expect(at('2026-03-09T13:00:00.000Z')).toBe('open'); // 14:00
		expect(at('2026-03-09T16:59:59.000Z')).toBe('open'); // 17:59:59
		expect(at('2026-03-09T17:00:00.000Z')).toBe('closed'); // 18:00
	});

	it('follows a shift across midnight: 22:00-24:00 on Monday, then 00:00-02:00 on Tuesday', () => {
		expect(at('2026-03-09T20:59:00.000Z')).toBe('closed'); // Monday 21:59
		expect(at('2026-03-09T21:00:00.000Z')).toBe('open'); // Monday 22:00
		expect(at('2026-03-09T22:59:59.000Z')).toBe('open'); // Monday 23:59:59
		expect(at('2026-03-09T23:00:00.000Z')).toBe('open'); // Tuesday 00:00 (still Monday in UTC)
		expect(at('2026-03-10T00:59:00.000Z')).toBe('open'); // Tuesday 01:59
		expect(at('2026-03-10T01:00:00.000Z')).toBe('closed'); // Tuesday 02:00
	});

	it('is closed on a day the hours do not list (Saturday), even when that day is another one in UTC', () => {
		expect(at('2026-03-14T10:00:00.000Z')).toBe('closed'); // Saturday 11:00
		expect(at('2026-03-13T23:30:00.000Z')).toBe('closed'); // Saturday 00:30 in Paris, Friday 23:30 UTC
		expect(at('2026-03-13T16:30:00.000Z')).toBe('open'); // Friday 17:30
	});

	it('moves with summer time in March: 09:00 is 08:00 UTC before, 07:00 UTC after', () => {
		expect(at('2026-03-23T07:30:00.000Z')).toBe('closed'); // Monday 08:30 CET
		expect(at('2026-03-30T07:30:00.000Z')).toBe('open'); // Monday 09:30 CEST
		expect(at('2026-03-30T15:59:00.000Z')).toBe('open'); // 17:59 CEST
		expect(at('2026-03-30T16:00:00.000Z')).toBe('closed'); // 18:00 CEST
	});

	it('on the night clocks go forward (Sunday 29 March, 02:00 → 03:00), the hour that does not exist is skipped', () => {
		expect(at('2026-03-29T00:59:00.000Z')).toBe('open'); // 01:59 CET
		expect(at('2026-03-29T01:00:00.000Z')).toBe('closed'); // 03:00 CEST: 02:30 never came
	});

	it('moves back in October: 09:00 is 07:00 UTC before the change, 08:00 UTC after', () => {
		expect(at('2026-10-19T07:00:00.000Z')).toBe('open'); // Monday 09:00 CEST
		expect(at('2026-10-26T07:00:00.000Z')).toBe('closed'); // Monday 08:00 CET
		expect(at('2026-10-26T08:00:00.000Z')).toBe('open'); // Monday 09:00 CET
		// Sunday 25 October: 02:00-03:00 happens twice; 00:00-02:30 holds for its first 02:xx only.
		expect(at('2026-10-25T00:29:00.000Z')).toBe('open'); // 02:29 CEST
		expect(at('2026-10-25T00:30:00.000Z')).toBe('closed'); // 02:30 CEST
		expect(at('2026-10-25T01:10:00.000Z')).toBe('open'); // 02:10 CET, the second time
	});

	it('reads the time zone, not UTC: the same instant is open in Paris and closed in New York', () => {
		const newYork = scenario({ ...paris, timeZone: 'America/New_York' });
		const instant = { now: new Date('2026-03-10T09:00:00.000Z') }; // 10:00 Paris, 05:00 New York
		expect(decide(paris, dm('x'), instant).ruleId).toBe('open');
		expect(decide(newYork, dm('x'), instant).ruleId).toBe('closed');
	});
});

describe('rules in order', () => {
	const rules = [
		{ id: 'price', when: { keywords: ['prix'] }, then: { type: 'fixed_reply' as const, text: 'Price list' } },
		{ id: 'human', when: { keywords: ['humain', 'prix'] }, then: { type: 'handover' as const } },
	];

	it('the first rule that matches decides, whatever the later ones say', () => {
		expect(decide(scenario({ rules }), dm('prix humain'))).toEqual({ action: 'fixed_reply', text: 'Price list', ruleId: 'price' });
		expect(decide(scenario({ rules: [...rules].reverse() }), dm('prix humain'))).toEqual({ action: 'handover', ruleId: 'human' });
		expect(decide(scenario({ rules }), dm('un humain'))).toEqual({ action: 'handover', ruleId: 'human' });
	});

	it('a rule matches only when every condition it gives holds', () => {
		const strict = scenario({
			timeZone: 'Europe/Paris',
			businessHours: { tuesday: ['09:00-18:00'] },
			rules: [
				{
					id: 'all',
					when: { kinds: ['dm'], keywords: ['prix'], leadTemperature: ['hot'], businessHours: { inside: true } },
					then: { type: 'no_reply' },
				},
			],
		});
		const open = { now: new Date('2026-03-10T10:00:00.000Z'), lead: { temperature: 'hot' as const } };
		expect(decide(strict, dm('prix'), open)).toEqual({ action: 'no_reply', ruleId: 'all' });
		expect(decide(strict, comment('prix'), open).ruleId).toBeNull();
		expect(decide(strict, dm('bonjour'), open).ruleId).toBeNull();
		expect(decide(strict, dm('prix'), { ...open, lead: { temperature: 'warm' } }).ruleId).toBeNull();
		expect(decide(strict, dm('prix'), { ...open, now: new Date('2026-03-10T20:00:00.000Z') }).ruleId).toBeNull();
	});

	it('a rule without conditions matches every message', () => {
		const always = scenario({ rules: [{ id: 'always', then: { type: 'handover' } }] });
		expect(decide(always, comment('anything'))).toEqual({ action: 'handover', ruleId: 'always' });
	});
});

describe('actions', () => {
	it('fill the placeholders of a fixed reply, with their fallbacks when a value is unknown', () => {
		const greeting = scenario({
			rules: [
				{
					id: 'hello',
					then: {
						type: 'fixed_reply',
						text: 'Hi {{contact.name}} (@{{ contact.handle }}), {{contact.firstName|friend}} - {{agent.companyName | us}}',
					},
				},
			],
		});
		expect(decide(greeting, dm('x'))).toMatchObject({ text: 'Hi Léa Martin (@lea.m), Léa - us' });
		expect(decide(greeting, dm('x', { contact: { externalId: 'x' } }), { agent: { companyName: 'Acme' } })).toMatchObject({
			text: 'Hi  (@), friend - Acme',
		});
		expect(decide(greeting, dm('x', { contact: { externalId: 'x', name: '   ' } }))).toMatchObject({
			text: 'Hi  (@), friend - us',
		});
	});

	it("take the scenario's companyName before the agent's", () => {
		const named = scenario({ companyName: 'Café Lumière', rules: [{ id: 'a', then: { type: 'fixed_reply', text: '{{agent.companyName}}' } }] });
		expect(decide(named, dm('x'), { agent: { companyName: 'Acme' } })).toMatchObject({ text: 'Café Lumière' });
	});

	it("carry a rule's or a default's AI instructions, and leave them out when there are none", () => {
		const withInstructions = scenario({
			rules: [{ id: 'vip', when: { keywords: ['vip'] }, then: { type: 'ai_reply', instructions: 'Be brief.' } }],
			defaultActions: { dm: { type: 'ai_qualify', instructions: 'Find out the budget.' }, comment: { type: 'ai_reply' } },
		});
		expect(decide(withInstructions, dm('vip'))).toEqual({ action: 'ai_reply', instructions: 'Be brief.', ruleId: 'vip' });
		expect(decide(withInstructions, dm('hello'))).toEqual({
			action: 'ai_qualify',
			instructions: 'Find out the budget.',
			ruleId: null,
		});
		expect(decide(withInstructions, comment('hello'))).toEqual({ action: 'ai_reply', ruleId: null });
		expect(decide(withInstructions, postback('P'))).toEqual({ action: 'ai_reply', ruleId: null });
	});

	it('are the same for the same input, and leave the scenario as it was', () => {
		const price = keywordRule('prix');
		const before = structuredClone(price);
		const input = { message: dm('le prix'), lead: null, agent: {}, now: new Date('2026-03-10T10:00:00.000Z') };
		expect(evaluateScenario(price, input)).toEqual(evaluateScenario(price, input));
		expect(price).toEqual(before);
	});
});
