import { decide, DecisionInputError, type DecisionInput } from '../../../nodes/SkyBotDecision/decide';

const NOW = new Date('2026-03-14T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const hoursAgo = (hours: number) => minutesAgo(hours * 60);

function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
	return {
		kind: 'dm',
		isEcho: undefined,
		duplicate: false,
		previousAllowedAt: null,
		messageTimestamp: minutesAgo(1),
		replyText: 'Bonjour ! Nos tarifs commencent à 49 €.',
		floodWindowMinutes: 5,
		messagingWindowHours: 24,
		...overrides,
	};
}

describe('decide', () => {
	it('sends a fresh customer DM or comment with a reply', () => {
		expect(decide(input(), NOW)).toEqual({ action: 'send' });
		expect(decide(input({ kind: 'comment' }), NOW)).toEqual({ action: 'send' });
	});

	it.each(['read', 'status', undefined, 'DM'])('skips kind %p as not answerable', (kind) => {
		expect(decide(input({ kind }), NOW)).toEqual({ action: 'skip', reason: 'not_answerable' });
	});

	it('answers a postback (a button tap) like a DM: isAnswerable is the one definition', () => {
		expect(decide(input({ kind: 'postback' }), NOW)).toEqual({ action: 'send' });
	});

	it('skips echoes of the account’s own messages', () => {
		expect(decide(input({ isEcho: true }), NOW)).toEqual({ action: 'skip', reason: 'not_answerable' });
	});

	it('skips duplicates', () => {
		expect(decide(input({ duplicate: true }), NOW)).toEqual({ action: 'skip', reason: 'duplicate' });
	});

	it('skips messages older than the messaging window, keeps the boundary itself', () => {
		expect(decide(input({ messageTimestamp: hoursAgo(24) }), NOW)).toEqual({ action: 'send' });
		expect(decide(input({ messageTimestamp: new Date(NOW.getTime() - 24 * 3_600_000 - 1).toISOString() }), NOW)).toEqual({
			action: 'skip',
			reason: 'outside_messaging_window',
		});
		expect(decide(input({ messageTimestamp: hoursAgo(3), messagingWindowHours: 2 }), NOW)).toEqual({
			action: 'skip',
			reason: 'outside_messaging_window',
		});
	});

	it('skips when the conversation was let through within the flood window, not at or after it', () => {
		expect(decide(input({ previousAllowedAt: minutesAgo(4) }), NOW)).toEqual({ action: 'skip', reason: 'anti_flood' });
		expect(decide(input({ previousAllowedAt: new Date(NOW.getTime() - 5 * 60_000 + 1).toISOString() }), NOW)).toEqual({
			action: 'skip',
			reason: 'anti_flood',
		});
		expect(decide(input({ previousAllowedAt: minutesAgo(5) }), NOW)).toEqual({ action: 'send' });
		expect(decide(input({ previousAllowedAt: minutesAgo(60) }), NOW)).toEqual({ action: 'send' });
		expect(decide(input({ previousAllowedAt: minutesAgo(1), floodWindowMinutes: 0 }), NOW)).toEqual({ action: 'send' });
	});

	it('skips empty or blank replies', () => {
		for (const replyText of ['', '   \n', undefined, null]) {
			expect(decide(input({ replyText }), NOW)).toEqual({ action: 'skip', reason: 'empty_reply' });
		}
	});

	it('applies the rules in order: the first match is the reason', () => {
		const everythingWrong = input({
			kind: 'read',
			duplicate: true,
			messageTimestamp: hoursAgo(48),
			previousAllowedAt: minutesAgo(1),
			replyText: '',
		});
		expect(decide(everythingWrong, NOW)).toMatchObject({ reason: 'not_answerable' });
		expect(decide({ ...everythingWrong, kind: 'dm' }, NOW)).toMatchObject({ reason: 'duplicate' });
		expect(decide({ ...everythingWrong, kind: 'dm', duplicate: false }, NOW)).toMatchObject({
			reason: 'outside_messaging_window',
		});
		expect(decide({ ...everythingWrong, kind: 'dm', duplicate: false, messageTimestamp: minutesAgo(1) }, NOW)).toMatchObject({
			reason: 'anti_flood',
		});
	});

	it('refuses invalid dates rather than guessing', () => {
		expect(() => decide(input({ messageTimestamp: 'yesterday' }), NOW)).toThrow(DecisionInputError);
		expect(() => decide(input({ messageTimestamp: '' }), NOW)).toThrow('Message Timestamp is not a valid date');
		expect(() => decide(input({ previousAllowedAt: 'nope' }), NOW)).toThrow('Previous Allowed At is not a valid date');
	});
});
