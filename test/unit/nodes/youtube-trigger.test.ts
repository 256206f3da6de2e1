/**
 * The SkyBot YouTube Trigger's poll() against the fake Google (directly, with n8n's OAuth2 handling emulated) and a
 * stand-in for the hub's YouTube routes: watermark, first run, paging, manual mode, token refresh, quota backoff and
 * pacing. The pure rules (poll.ts, the quota reset) are tested on their own below.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { InboundMessage } from '../../../contracts/inbound-message';
import { nextQuotaReset } from '../../../nodes/SkyBotYouTube/helpers/youtube';
import { advanceWatermark, pollsToSkip, scanPage, type TriggerState } from '../../../nodes/SkyBotYouTubeTrigger/poll';
import { SkyBotYouTubeTrigger } from '../../../nodes/SkyBotYouTubeTrigger/SkyBotYouTubeTrigger.node';
import { type FakeGoogleYouTube, startFakeGoogleYouTube } from '../../fakes/google-youtube';
import { type ContextSetup, fakeContext, type FakeHubYouTube, HUB_API_KEY, oauthCredential, startFakeHubYouTube } from './youtube-support';

const CHANNEL = 'UCskybotTriggerChannel00';
const trigger = new SkyBotYouTubeTrigger();

let google: FakeGoogleYouTube;
beforeEach(async () => {
	google = await startFakeGoogleYouTube();
	google.addChannel(CHANNEL, 'SkyBot Trigger Channel');
});
afterEach(() => google.close());

/** A poller over one static-data object, as n8n keeps it between the polls of one workflow. */
function direct(parameters: Record<string, unknown> = {}, extra: Partial<ContextSetup> = {}) {
	const credential = oauthCredential(google, CHANNEL);
	const staticData: IDataObject = {};
	const run = async (mode: 'manual' | 'trigger' = 'trigger') => {
		const fake = fakeContext({
			parameters: { authentication: 'oAuth2', channelId: CHANNEL, options: { apiBaseUrl: google.url }, ...parameters },
			credentials: { youTubeOAuth2Api: credential },
			staticData,
			mode,
			...extra,
		});
		const result = await trigger.poll.call(fake.context);
		return { result, ...fake };
	};
	return { run, staticData: staticData as TriggerState & IDataObject, credential };
}

const messagesOf = (result: INodeExecutionData[][] | null) => (result?.[0] ?? []).map((item) => item.json as unknown as InboundMessage);
const listCalls = () => google.requests.filter((request) => request.path === '/youtube/v3/commentThreads');

describe('SkyBot YouTube Trigger (YouTube OAuth2)', () => {
	it('records the watermark on its first poll and emits nothing, then emits only comments written after it', async () => {
		google.addComment(CHANNEL, { author: 'Old fan', text: 'old', publishedAt: '2026-12-01T09:00:00Z' });
		const poller = direct();
		const first = await poller.run();
		expect(first.result).toBeNull();
		expect(poller.staticData.watermarks?.[CHANNEL]).toEqual({ channelId: CHANNEL, publishedAt: '2026-12-01T09:00:00.000Z', ids: [expect.any(String)] });
		// The OAuth2 variant: a 401 must throw so n8n refreshes the token.
		expect(first.requests[0]!.options).toMatchObject({ ignoreHttpStatusErrors: { ignore: true, except: [401] }, method: 'GET' });
		expect(first.requests[0]!.credentialType).toBe('youTubeOAuth2Api');

		const a = google.addComment(CHANNEL, { author: '@marie', text: 'Prix ?', authorChannelId: 'UCmarie', videoId: 'vid00000001', publishedAt: '2026-12-01T10:00:00Z' });
		const b = google.addComment(CHANNEL, { author: 'Paul', text: 'Dispo <demain> ?', publishedAt: '2026-12-01T10:00:05Z' });
		const second = await poller.run();
		const messages = messagesOf(second.result);
		// Oldest first.
		expect(messages.map((message) => message.messageId)).toEqual([a.commentId, b.commentId]);
		expect(messages[0]).toEqual({
			provider: 'youtube',
			kind: 'comment',
			messageId: a.commentId,
			accountExternalId: CHANNEL,
			conversationId: `youtube:${CHANNEL}:UCmarie`,
			contact: { externalId: 'UCmarie', name: '@marie', handle: '@marie' },
			text: 'Prix ?',
			timestamp: '2026-12-01T10:00:00.000Z',
			comment: { postId: 'vid00000001' },
		});
		// textFormat=plainText: the text as written, not HTML-escaped.
		expect(messages[1]!.text).toBe('Dispo <demain> ?');
		expect(poller.staticData.watermarks?.[CHANNEL]).toEqual({ channelId: CHANNEL, publishedAt: '2026-12-01T10:00:05.000Z', ids: [b.commentId] });

		const before = listCalls().length;
		expect((await poller.run()).result).toBeNull();
		expect(listCalls().length - before).toBe(1);
		expect(listCalls().at(-1)!.query).toMatchObject({ part: 'snippet', allThreadsRelatedToChannelId: CHANNEL, order: 'time', maxResults: '100' });
	});

	it('emits a comment written in the same second as the watermark once, and never the ones it saw', async () => {
		const seen = google.addComment(CHANNEL, { author: 'a', text: 'one', publishedAt: '2026-12-01T10:00:00Z' });
		const poller = direct();
		await poller.run();
		const sameSecond = google.addComment(CHANNEL, { author: 'b', text: 'two', publishedAt: '2026-12-01T10:00:00Z' });
		expect(messagesOf((await poller.run()).result).map((message) => message.messageId)).toEqual([sameSecond.commentId]);
		expect(poller.staticData.watermarks?.[CHANNEL]?.ids.sort()).toEqual([seen.commentId, sameSecond.commentId].sort());
		expect((await poller.run()).result).toBeNull();
	});

	it('pages through a burst until it reaches known comments', async () => {
		google.addComment(CHANNEL, { author: 'a', text: 'known', publishedAt: '2026-12-01T08:00:00Z' });
		const poller = direct({ options: { apiBaseUrl: google.url, pageSize: 10 } });
		await poller.run();
		for (let n = 0; n < 25; n++) {
			google.addComment(CHANNEL, { author: `fan ${n}`, text: `c${n}`, publishedAt: new Date(Date.parse('2026-12-01T09:00:00Z') + n * 1000).toISOString() });
		}
		const before = listCalls().length;
		const messages = messagesOf((await poller.run()).result);
		expect(messages.map((message) => message.text)).toEqual(Array.from({ length: 25 }, (_, n) => `c${n}`));
		expect(listCalls().length - before).toBe(3);
	});

	it('caps a burst at Max Pages per Poll, warns, and moves on from the newest', async () => {
		google.addComment(CHANNEL, { author: 'a', text: 'known', publishedAt: '2026-12-01T08:00:00Z' });
		const poller = direct({ options: { apiBaseUrl: google.url, pageSize: 5, maxPages: 2 } });
		await poller.run();
		for (let n = 0; n < 12; n++) {
			google.addComment(CHANNEL, { author: 'f', text: `c${n}`, publishedAt: new Date(Date.parse('2026-12-01T09:00:00Z') + n * 1000).toISOString() });
		}
		const capped = await poller.run();
		expect(messagesOf(capped.result)).toHaveLength(10);
		expect(capped.warnings).toEqual([expect.stringContaining('more than 2 pages')]);
		expect(poller.staticData.watermarks?.[CHANNEL]?.publishedAt).toBe('2026-12-01T09:00:11.000Z');
	});

	it('starts from the epoch on an empty channel, so its very first comment is emitted', async () => {
		const poller = direct();
		expect((await poller.run()).result).toBeNull();
		expect(poller.staticData.watermarks?.[CHANNEL]).toEqual({ channelId: CHANNEL, publishedAt: new Date(0).toISOString(), ids: [] });
		const first = google.addComment(CHANNEL, { author: 'a', text: 'hello' });
		expect(messagesOf((await poller.run()).result).map((message) => message.messageId)).toEqual([first.commentId]);
	});

	it('marks the channel owner\'s own comment as an echo', async () => {
		const poller = direct();
		await poller.run();
		google.addComment(CHANNEL, { author: 'SkyBot Trigger Channel', authorChannelId: CHANNEL, text: 'pinned info' });
		expect(messagesOf((await poller.run()).result)[0]).toMatchObject({ isEcho: true, contact: { externalId: CHANNEL } });
	});

	it('in manual mode shows the newest thread, even on a first run, and leaves the watermark alone', async () => {
		google.addComment(CHANNEL, { author: 'a', text: 'older', publishedAt: '2026-12-01T09:00:00Z' });
		const newest = google.addComment(CHANNEL, { author: 'b', text: 'newest', publishedAt: '2026-12-01T10:00:00Z' });
		const poller = direct();
		const manual = await poller.run('manual');
		expect(messagesOf(manual.result).map((message) => message.messageId)).toEqual([newest.commentId]);
		expect(listCalls().at(-1)!.query.maxResults).toBe('1');
		expect(poller.staticData.watermarks?.[CHANNEL]).toBeUndefined();
	});

	it("reads the credential's own channel once when the Channel ID is empty", async () => {
		const poller = direct({ channelId: '' });
		await poller.run();
		await poller.run();
		expect(google.requests.filter((request) => request.path === '/youtube/v3/channels')).toHaveLength(1);
		expect(poller.staticData.ownChannelId).toBe(CHANNEL);
		expect(listCalls().at(-1)!.query.allThreadsRelatedToChannelId).toBe(CHANNEL);
	});

	it('starts over (first run) when the channel changes, forgetting the old channel\'s mark', async () => {
		google.addComment(CHANNEL, { author: 'a', text: 'x' });
		const poller = direct();
		poller.staticData.watermarks = { UCanother: { channelId: 'UCanother', publishedAt: '2020-01-01T00:00:00.000Z', ids: [] } };
		expect((await poller.run()).result).toBeNull();
		expect(Object.keys(poller.staticData.watermarks ?? {})).toEqual([CHANNEL]);
	});

	it("moves an earlier version's single mark into the per-channel marks", async () => {
		const seen = google.addComment(CHANNEL, { author: 'a', text: 'seen', publishedAt: '2026-12-01T09:00:00Z' });
		const poller = direct();
		poller.staticData.watermark = { channelId: CHANNEL, publishedAt: '2026-12-01T09:00:00.000Z', ids: [seen.commentId] };
		const fresh = google.addComment(CHANNEL, { author: 'b', text: 'new', publishedAt: '2026-12-01T09:05:00Z' });
		const { result } = await poller.run();
		expect(result![0]!.map((item) => item.json.messageId)).toEqual([fresh.commentId]);
		expect(poller.staticData.watermark).toBeUndefined();
	});

	it('gets a 401 for an expired token thrown to n8n, which refreshes it once and repeats the call', async () => {
		const poller = direct();
		await poller.run();
		google.expireTokens();
		const comment = google.addComment(CHANNEL, { author: 'a', text: 'after expiry' });
		expect(messagesOf((await poller.run()).result).map((message) => message.messageId)).toEqual([comment.commentId]);
		expect(google.refreshes).toHaveLength(1);
	});

	it('says to reconnect when the refreshed token is refused too', async () => {
		const poller = direct();
		await poller.run();
		google.expireTokens();
		google.revokeGrants(CHANNEL);
		await expect(poller.run()).rejects.toThrow(/reconnect/i);
	});

	it('backs off until the quota reset on quotaExceeded, warning once, then polls again', async () => {
		const poller = direct();
		await poller.run();
		google.setQuotaExceeded(true);
		const refused = await poller.run();
		expect(refused.result).toBeNull();
		expect(Date.parse(poller.staticData.quotaBackoffUntil!)).toBeGreaterThan(Date.now());
		expect(refused.warnings).toEqual([expect.stringMatching(/^SkyBot YouTube Trigger: YouTube quota exhausted until .*Z; no polls until then$/)]);

		const calls = google.requests.length;
		const waiting = await poller.run();
		expect(waiting.result).toBeNull();
		expect(waiting.warnings).toEqual([]);
		expect(google.requests.length).toBe(calls);

		// The reset has come.
		google.setQuotaExceeded(false);
		poller.staticData.quotaBackoffUntil = new Date(Date.now() - 1000).toISOString();
		const comment = google.addComment(CHANNEL, { author: 'a', text: 'after reset' });
		expect(messagesOf((await poller.run()).result).map((message) => message.messageId)).toEqual([comment.commentId]);
		expect(poller.staticData.quotaBackoffUntil).toBeUndefined();
	});

	it('throws the quota error in manual mode, where the user is waiting for an answer', async () => {
		google.setQuotaExceeded(true);
		await expect(direct().run('manual')).rejects.toThrow(/YouTube quota exhausted until/);
	});

	it('throws other YouTube errors readably', async () => {
		const poller = direct({ channelId: 'UCnobody' });
		await expect(poller.run()).rejects.toThrow('YouTube knows no channel with this ID');
	});
});

describe('SkyBot YouTube Trigger (hub-held token)', () => {
	let hub: FakeHubYouTube;
	beforeEach(async () => {
		hub = await startFakeHubYouTube(google);
		hub.connect(CHANNEL, google.issueTokens(CHANNEL).accessToken);
	});
	afterEach(() => hub.close());

	function viaHub(parameters: Record<string, unknown> = {}) {
		const staticData: IDataObject = {};
		const run = async (mode: 'manual' | 'trigger' = 'trigger') => {
			const fake = fakeContext({
				parameters: { authentication: 'hub', channelId: CHANNEL, hubAccountId: 'acc_1', ...parameters },
				credentials: { skyBotHubApi: { baseUrl: `${hub.url}/`, apiKey: HUB_API_KEY } },
				staticData,
				mode,
			});
			return { result: await trigger.poll.call(fake.context), ...fake };
		};
		return { run, staticData: staticData as TriggerState & IDataObject };
	}

	it('polls the hub route with the channel and account, and emits new comments', async () => {
		const poller = viaHub();
		const first = await poller.run();
		expect(first.result).toBeNull();
		expect(first.requests[0]).toMatchObject({
			credentialType: 'skyBotHubApi',
			options: { method: 'GET', url: `${hub.url}/api/social-accounts/youtube/comments?accountExternalId=${CHANNEL}&accountId=acc_1`, ignoreHttpStatusErrors: true },
		});
		const comment = google.addComment(CHANNEL, { author: 'a', text: 'via hub' });
		expect(messagesOf((await poller.run()).result)).toEqual([expect.objectContaining({ messageId: comment.commentId, accountExternalId: CHANNEL, provider: 'youtube' })]);
	});

	it('without a Channel ID polls every channel connected to the hub, each for its tenant and with its own mark', async () => {
		const other = 'UCskybotTriggerChannel01';
		google.addChannel(other, 'Other');
		hub.connect(other, google.issueTokens(other).accessToken);
		google.addComment(CHANNEL, { author: 'a', text: 'old' });
		const poller = viaHub({ channelId: '', hubAccountId: '' });
		const first = await poller.run();
		// First poll of both: marks only, nothing emitted.
		expect(first.result).toBeNull();
		expect(first.requests.map((request) => (request.options as { url: string }).url)).toEqual([
			`${hub.url}/api/social-accounts/youtube/channels`,
			`${hub.url}/api/social-accounts/youtube/comments?accountExternalId=${CHANNEL}&accountId=acc_${CHANNEL}`,
			`${hub.url}/api/social-accounts/youtube/comments?accountExternalId=${other}&accountId=acc_${other}`,
		]);
		expect(Object.keys(poller.staticData.watermarks ?? {}).sort()).toEqual([CHANNEL, other].sort());

		const onOther = google.addComment(other, { author: 'b', text: 'new on other' });
		expect(messagesOf((await poller.run()).result)).toEqual([expect.objectContaining({ messageId: onOther.commentId, accountExternalId: other })]);

		// A channel that stops working leaves the list, and its mark goes with it.
		hub.markReauth(other);
		await poller.run();
		expect(Object.keys(poller.staticData.watermarks ?? {})).toEqual([CHANNEL]);
	});

	it('waits for the next tick, without failing, while the hub cannot be reached at all', async () => {
		const fake = fakeContext({
			parameters: { authentication: 'hub', channelId: '', hubAccountId: '' },
			credentials: { skyBotHubApi: { baseUrl: 'http://127.0.0.1:9/', apiKey: HUB_API_KEY } },
			staticData: {},
			mode: 'trigger',
		});
		await expect(trigger.poll.call(fake.context)).resolves.toBeNull();
		expect(fake.warnings.join('\n')).toMatch(/the hub cannot be reached/);
	});

	it('follows the hub\'s nextPageToken', async () => {
		google.addComment(CHANNEL, { author: 'a', text: 'known', publishedAt: '2026-12-01T08:00:00Z' });
		const poller = viaHub();
		await poller.run();
		for (let n = 0; n < 130; n++) {
			google.addComment(CHANNEL, { author: 'f', text: `c${n}`, publishedAt: new Date(Date.parse('2026-12-01T09:00:00Z') + n * 1000).toISOString() });
		}
		expect(messagesOf((await poller.run()).result)).toHaveLength(130);
		expect(hub.requests.at(-1)!.query.pageToken).toEqual(expect.any(String));
	});

	it('backs off until the reset the hub reports when its quota view says exceeded', async () => {
		const poller = viaHub();
		await poller.run();
		hub.quota = { used: 10_000, limit: 10_000, resetAt: '2099-01-01T08:00:00.000Z', exceeded: true };
		const refused = await poller.run();
		expect(refused.result).toBeNull();
		expect(poller.staticData.quotaBackoffUntil).toBe('2099-01-01T08:00:00.000Z');
		expect(refused.warnings).toEqual(['SkyBot YouTube Trigger: YouTube quota exhausted until 2099-01-01T08:00:00.000Z; no polls until then']);
		const calls = hub.requests.length;
		await poller.run();
		expect(hub.requests.length).toBe(calls);
	});

	it('backs off on the hub\'s 429 youtube_quota_exceeded too', async () => {
		const poller = viaHub();
		await poller.run();
		hub.quota = { ...hub.quota, exceeded: true };
		hub.refuseWhenExceeded = true;
		expect((await poller.run()).result).toBeNull();
		expect(poller.staticData.quotaBackoffUntil).toBe(nextQuotaReset());
	});

	it('skips polls when the hub reports the quota nearly used, then polls again', async () => {
		const poller = viaHub();
		await poller.run();
		// One poll a minute so far; 9 800 of 10 000 used, 12 h to the reset: the trigger's share is 50 units for
		// 720 polls, so it polls one tick in 15.
		poller.staticData.lastTickAt = Date.now() - 60_000;
		hub.quota = { used: 9_800, limit: 10_000, resetAt: new Date(Date.now() + 12 * 3600_000).toISOString(), exceeded: false };
		await poller.run();
		expect(poller.staticData.skipPolls).toBe(14);
		const calls = hub.requests.length;
		for (let tick = 0; tick < 14; tick++) expect((await poller.run()).result).toBeNull();
		expect(hub.requests.length).toBe(calls);
		await poller.run();
		expect(hub.requests.length).toBe(calls + 1);
	});

	it.each([
		['an unknown channel', () => undefined, { channelId: 'UCunknown' }, /No YouTube account connected to the hub holds channel UCunknown/],
		['a connection to reauthorise', () => hub.markReauth(CHANNEL), {}, /reconnect it in the hub/],
	])('throws readably for %s', async (_case, arrange, parameters, message) => {
		arrange();
		await expect(viaHub(parameters).run()).rejects.toThrow(message);
	});
});

describe('poll rules', () => {
	const thread = (id: string, publishedAt: string) => ({ id, snippet: { topLevelComment: { id, snippet: { publishedAt } } } });

	it('scanPage keeps new threads and notes that the page reached known ones', () => {
		const watermark = { channelId: 'C', publishedAt: '2026-12-01T10:00:00.000Z', ids: ['seen'] };
		expect(scanPage([thread('n1', '2026-12-01T10:00:01Z'), thread('tie', '2026-12-01T10:00:00Z'), thread('seen', '2026-12-01T10:00:00Z')], watermark)).toEqual({
			fresh: [thread('n1', '2026-12-01T10:00:01Z'), thread('tie', '2026-12-01T10:00:00Z')],
			reachedKnown: true,
		});
		// A thread that moved up the listing, past an older one, is still found on the page.
		expect(scanPage([thread('old', '2026-12-01T09:00:00Z'), thread('n2', '2026-12-01T11:00:00Z')], watermark).fresh).toEqual([thread('n2', '2026-12-01T11:00:00Z')]);
		expect(scanPage([{ id: 'broken' }, 'x', null], watermark)).toEqual({ fresh: [], reachedKnown: false });
	});

	it('advanceWatermark keeps the newest instant and every id seen at it', () => {
		const previous = { channelId: 'C', publishedAt: '2026-12-01T10:00:00.000Z', ids: ['a'] };
		expect(advanceWatermark('C', previous, [thread('b', '2026-12-01T10:00:00Z')])).toEqual({ ...previous, ids: ['a', 'b'] });
		expect(advanceWatermark('C', previous, [thread('c', '2026-12-01T10:00:02Z'), thread('d', '2026-12-01T10:00:02Z'), thread('e', '2026-12-01T10:00:01Z')])).toEqual({
			channelId: 'C',
			publishedAt: '2026-12-01T10:00:02.000Z',
			ids: ['c', 'd'],
		});
		expect(advanceWatermark('C', previous, [])).toEqual(previous);
		expect(advanceWatermark('Other', previous, [])).toBeUndefined();
	});

	it('pollsToSkip follows the rule in its comment', () => {
		const now = Date.parse('2026-12-01T12:00:00Z');
		const resetAt = new Date(now + 12 * 3600_000).toISOString();
		const quota = (used: number) => ({ used, limit: 10_000, resetAt, exceeded: false });
		expect(pollsToSkip(quota(4_999), 60_000, 1, now)).toBe(0);
		expect(pollsToSkip(quota(8_000), 60_000, 1, now)).toBe(1);
		expect(pollsToSkip(quota(9_800), 60_000, 1, now)).toBe(14);
		// Pages cost units: three per poll triple the spending.
		expect(pollsToSkip(quota(8_000), 60_000, 3, now)).toBe(4);
		// A 15-minute trigger is cheap: 48 polls fit in 500 units.
		expect(pollsToSkip(quota(8_000), 15 * 60_000, 1, now)).toBe(0);
		// Nothing left: wait for the reset.
		expect(pollsToSkip(quota(10_000), 60_000, 1, now)).toBe(720);
		expect(pollsToSkip(quota(9_000), undefined, 1, now)).toBe(0);
		expect(pollsToSkip({ ...quota(9_000), resetAt: '2026-12-01T11:00:00Z' }, 60_000, 1, now)).toBe(0);
	});

	it('nextQuotaReset is the next midnight in Los Angeles, across daylight-saving changes', () => {
		// PST (UTC-8): midnight is 08:00 UTC.
		expect(nextQuotaReset(Date.parse('2026-12-01T12:00:00Z'))).toBe('2026-12-02T08:00:00.000Z');
		expect(nextQuotaReset(Date.parse('2026-12-02T07:59:59Z'))).toBe('2026-12-02T08:00:00.000Z');
		// PDT (UTC-7).
		expect(nextQuotaReset(Date.parse('2026-07-01T12:00:00Z'))).toBe('2026-07-02T07:00:00.000Z');
		// 2026-03-08 has 23 hours there, 2026-11-01 has 25.
		expect(nextQuotaReset(Date.parse('2026-03-08T09:00:00Z'))).toBe('2026-03-09T07:00:00.000Z');
		expect(nextQuotaReset(Date.parse('2026-11-01T08:00:00Z'))).toBe('2026-11-02T08:00:00.000Z');
	});
});
