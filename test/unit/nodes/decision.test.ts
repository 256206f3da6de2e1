import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { decide, DecisionInputError, type DecisionInput } from '../../../nodes/SkyBotDecision/decide';
import { SkyBotDecision } from '../../../nodes/SkyBotDecision/SkyBotDecision.node';

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

	describe('TikTok DMs: the user wrote first, 48 h, at most 10 messages', () => {
		const tiktok = (overrides: Partial<DecisionInput> = {}) => input({ provider: 'tiktok', kind: 'dm', ...overrides });

		it('replies within 48 h of the user’s last message, whatever the Meta window says', () => {
			expect(decide(tiktok({ messageTimestamp: hoursAgo(47) }), NOW)).toEqual({ action: 'send' });
			expect(decide(tiktok({ messageTimestamp: hoursAgo(48) }), NOW)).toEqual({ action: 'send' });
			expect(decide(tiktok({ messageTimestamp: new Date(NOW.getTime() - 48 * 3_600_000 - 1).toISOString() }), NOW)).toEqual({
				action: 'skip',
				reason: 'outside_messaging_window',
			});
			// The same 30-hour-old message on Instagram is outside Meta's 24 h.
			expect(decide(input({ provider: 'instagram', messageTimestamp: hoursAgo(30) }), NOW)).toMatchObject({ reason: 'outside_messaging_window' });
			expect(decide(tiktok({ messageTimestamp: hoursAgo(30) }), NOW)).toEqual({ action: 'send' });
			expect(decide(tiktok({ messageTimestamp: hoursAgo(3), tiktokWindowHours: 2 }), NOW)).toMatchObject({ reason: 'outside_messaging_window' });
		});

		it('stops at 10 messages since the user’s last one: the 10th is sent, the 11th is not', () => {
			expect(decide(tiktok({ messagesSinceCustomerMessage: 0 }), NOW)).toEqual({ action: 'send' });
			expect(decide(tiktok({ messagesSinceCustomerMessage: 9 }), NOW)).toEqual({ action: 'send' });
			expect(decide(tiktok({ messagesSinceCustomerMessage: 10 }), NOW)).toEqual({ action: 'skip', reason: 'messaging_limit_reached' });
			expect(decide(tiktok({ messagesSinceCustomerMessage: 3, tiktokMaxMessages: 3 }), NOW)).toMatchObject({ reason: 'messaging_limit_reached' });
		});

		it('checks the window only when the count is unknown', () => {
			expect(decide(tiktok({ messagesSinceCustomerMessage: null }), NOW)).toEqual({ action: 'send' });
			expect(decide(tiktok({ messagesSinceCustomerMessage: undefined }), NOW)).toEqual({ action: 'send' });
		});

		it('refuses a count that is not a whole number ≥ 0', () => {
			for (const count of [-1, 2.5, Number.NaN]) {
				expect(() => decide(tiktok({ messagesSinceCustomerMessage: count }), NOW)).toThrow(DecisionInputError);
			}
		});

		it('applies neither limit to TikTok comments (a public reply is no message) nor to other providers', () => {
			expect(decide(tiktok({ kind: 'comment', messagesSinceCustomerMessage: 50, messageTimestamp: hoursAgo(20) }), NOW)).toEqual({ action: 'send' });
			expect(decide(input({ provider: 'instagram', messagesSinceCustomerMessage: 50 }), NOW)).toEqual({ action: 'send' });
		});

		it('never answers the account’s own DM (the user must have written), and keeps the rule order', () => {
			expect(decide(tiktok({ isEcho: true }), NOW)).toEqual({ action: 'skip', reason: 'not_answerable' });
			expect(decide(tiktok({ duplicate: true, messagesSinceCustomerMessage: 10 }), NOW)).toMatchObject({ reason: 'duplicate' });
			expect(decide(tiktok({ messageTimestamp: hoursAgo(49), messagesSinceCustomerMessage: 10 }), NOW)).toMatchObject({
				reason: 'outside_messaging_window',
			});
			expect(decide(tiktok({ messagesSinceCustomerMessage: 10, previousAllowedAt: minutesAgo(1) }), NOW)).toMatchObject({
				reason: 'messaging_limit_reached',
			});
		});
	});
});

describe('SkyBot Decision node: the TikTok fields', () => {
	async function decideItem(json: IDataObject, parameters: Record<string, unknown>) {
		const defaults: Record<string, unknown> = {
			duplicate: false,
			previousAllowedAt: '',
			messageTimestamp: json.timestamp,
			replyText: 'Bonjour !',
			floodWindowMinutes: 5,
			messagingWindowHours: 24,
			tiktokWindowHours: 48,
			tiktokMaxMessages: 10,
			messagesSinceCustomerMessage: '',
		};
		const context = {
			getInputData: () => [{ json }],
			getNodeParameter: (name: string) => (name in parameters ? parameters[name] : defaults[name]),
			getNode: () => ({ name: 'Decide', type: 'n8n-nodes-skybot.skyBotDecision', typeVersion: 1, position: [0, 0], parameters: {} }),
			continueOnFail: () => false,
		} as unknown as IExecuteFunctions;
		const [send, skip] = await new SkyBotDecision().execute.call(context);
		return [...send, ...skip][0].json.decision;
	}

	const tiktokDm = { provider: 'tiktok', kind: 'dm', timestamp: new Date(Date.now() - 30 * 3_600_000).toISOString() };

	it('reads the count from an expression’s number or string, an empty value meaning unknown', async () => {
		await expect(decideItem(tiktokDm, {})).resolves.toEqual({ action: 'send' });
		await expect(decideItem(tiktokDm, { messagesSinceCustomerMessage: '10' })).resolves.toEqual({ action: 'skip', reason: 'messaging_limit_reached' });
		await expect(decideItem(tiktokDm, { messagesSinceCustomerMessage: 10 })).resolves.toEqual({ action: 'skip', reason: 'messaging_limit_reached' });
		await expect(decideItem(tiktokDm, { messagesSinceCustomerMessage: null })).resolves.toEqual({ action: 'send' });
		await expect(decideItem(tiktokDm, { messagesSinceCustomerMessage: 'ten' })).rejects.toThrow('Messages Since Customer Message must be a whole number');
		// The 30-hour-old DM is inside TikTok's window but not Meta's.
		await expect(decideItem({ ...tiktokDm, provider: 'messenger' }, {})).resolves.toEqual({ action: 'skip', reason: 'outside_messaging_window' });
	});
});
