/**
 * The YouTube node's Reply to Comment against the fake Google (with n8n's OAuth2 handling emulated) and the stand-in
 * for the hub's routes: what is sent, what the item gains, and how each refusal reads, per item.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { topLevelCommentId } from '../../../nodes/SkyBotYouTube/actions/comment/reply.operation';
import { describeYouTubeError } from '../../../nodes/SkyBotYouTube/helpers/youtube';
import { SkyBotYouTube } from '../../../nodes/SkyBotYouTube/SkyBotYouTube.node';
import { replyToComment } from '../../../nodes/SkyBotYouTube/transport';
import { toItemError } from '../../../nodes/shared/item-error';
import { type FakeGoogleYouTube, startFakeGoogleYouTube } from '../../fakes/google-youtube';
import { type ContextSetup, fakeContext, type FakeHubYouTube, HUB_API_KEY, oauthCredential, startFakeHubYouTube } from './youtube-support';

const CHANNEL = 'UCskybotReplyChannel0000';
const youtube = new SkyBotYouTube();

let google: FakeGoogleYouTube;
beforeEach(async () => {
	google = await startFakeGoogleYouTube();
	google.addChannel(CHANNEL, 'SkyBot Reply Channel');
});
afterEach(() => google.close());

const inbound = (messageId: string, text = 'Merci pour votre message !') => ({
	json: { provider: 'youtube', kind: 'comment', messageId, accountExternalId: CHANNEL, contact: { externalId: 'UCfan' }, ai: { text } },
});

function runDirect(items: INodeExecutionData[], parameters: Record<string, unknown> = {}, extra: Partial<ContextSetup> = {}) {
	const fake = fakeContext({
		parameters: { authentication: 'oAuth2', resource: 'comment', operation: 'reply', replyTo: 'item', options: { apiBaseUrl: `${google.url}/` }, ...parameters },
		credentials: { youTubeOAuth2Api: oauthCredential(google, CHANNEL) },
		items,
		...extra,
	});
	return { promise: youtube.execute.call(fake.context), ...fake };
}

describe('YouTube › Reply to Comment (YouTube OAuth2)', () => {
	it('replies with comments.insert and adds the delivery to the item', async () => {
		const comment = google.addComment(CHANNEL, { author: 'fan', text: 'Combien ?' });
		const run = runDirect([inbound(comment.commentId)]);
		const [output] = await run.promise;
		expect(google.replies).toEqual([expect.objectContaining({ parentId: comment.commentId, text: 'Merci pour votre message !', channelId: CHANNEL })]);
		expect(output![0]!.json).toMatchObject({
			messageId: comment.commentId,
			delivery: { provider: 'youtube', channelId: CHANNEL, parentId: comment.commentId, messageId: google.replies[0]!.id },
		});
		expect(run.requests[0]!.options).toMatchObject({
			method: 'POST',
			url: `${google.url}/youtube/v3/comments?part=snippet`,
			body: { snippet: { parentId: comment.commentId, textOriginal: 'Merci pour votre message !' } },
			ignoreHttpStatusErrors: { ignore: true, except: [401] },
		});
	});

	it('takes the fields from Define Below, answering a reply\'s thread', async () => {
		const comment = google.addComment(CHANNEL, { author: 'fan', text: 'q' });
		const [output] = await runDirect([{ json: {} }], {
			replyTo: 'define',
			channelId: CHANNEL,
			parentId: `${comment.commentId}.8xYzReplySuffix`,
			text: 'Bonjour',
		}).promise;
		expect(google.replies[0]).toMatchObject({ parentId: comment.commentId, text: 'Bonjour' });
		expect(output![0]!.json).toMatchObject({ delivery: { parentId: comment.commentId } });
	});

	it('refreshes an expired token once through n8n and replies', async () => {
		const comment = google.addComment(CHANNEL, { author: 'fan', text: 'q' });
		const credential = oauthCredential(google, CHANNEL);
		google.expireTokens();
		await runDirect([inbound(comment.commentId)], {}, { credentials: { youTubeOAuth2Api: credential } }).promise;
		expect(google.refreshes).toHaveLength(1);
		expect(google.replies).toHaveLength(1);
	});

	it('says the quota is exhausted until the reset, per item under continue on fail', async () => {
		const comment = google.addComment(CHANNEL, { author: 'fan', text: 'q' });
		google.setQuotaExceeded(true);
		const [output] = await runDirect([inbound(comment.commentId), inbound(comment.commentId)], {}, { continueOnFail: true }).promise;
		expect(output).toHaveLength(2);
		const error = output![0]!.json.error as { message: string; code: string; httpStatus: number };
		expect(error).toMatchObject({ message: expect.stringMatching(/^YouTube quota exhausted until \d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/), code: 'quotaExceeded', httpStatus: 403 });
		expect(output![0]!.json.messageId).toBe(comment.commentId);
		expect(google.replies).toHaveLength(0);
	});

	it.each([
		['a comment that no longer exists', 'UgzGone', 'The comment answered no longer exists on YouTube (deleted or held for review)', 'commentNotFound'],
	])('words %s', async (_case, parentId, message, code) => {
		const error = await runDirect([inbound(parentId)]).promise.catch((thrown: unknown) => thrown);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(toItemError(error)).toMatchObject({ message, code, httpStatus: 404 });
	});

	it('says to reconnect the credential when the refresh fails', async () => {
		const comment = google.addComment(CHANNEL, { author: 'fan', text: 'q' });
		const credential = oauthCredential(google, CHANNEL);
		google.expireTokens();
		google.revokeGrants(CHANNEL);
		await expect(runDirect([inbound(comment.commentId)], {}, { credentials: { youTubeOAuth2Api: credential } }).promise).rejects.toThrow(/reconnect/i);
		expect(google.replies).toHaveLength(0);
	});

	it.each([
		['no text', { ai: { text: '  ' } }, 'There is no text to send'],
		['no comment id', { messageId: '' }, 'There is no comment ID to reply to'],
		['a text over 10 000 characters', { ai: { text: 'x'.repeat(10_001) } }, 'A YouTube reply holds at most 10000 characters (this one: 10001)'],
	])('refuses %s before calling YouTube', async (_case, change, message) => {
		const item = inbound('UgzAny');
		await expect(runDirect([{ json: { ...item.json, ...change } }]).promise).rejects.toThrow(message);
		expect(google.requests).toHaveLength(0);
	});
});

describe('YouTube › Reply to Comment (hub-held token)', () => {
	let hub: FakeHubYouTube;
	beforeEach(async () => {
		hub = await startFakeHubYouTube(google);
		hub.connect(CHANNEL, google.issueTokens(CHANNEL).accessToken);
	});
	afterEach(() => hub.close());

	function runHub(items: INodeExecutionData[], parameters: Record<string, unknown> = {}, extra: Partial<ContextSetup> = {}) {
		const fake = fakeContext({
			parameters: { authentication: 'hub', hubAccountId: 'acc_1', resource: 'comment', operation: 'reply', replyTo: 'item', ...parameters },
			credentials: { skyBotHubApi: { baseUrl: hub.url, apiKey: HUB_API_KEY } },
			items,
			...extra,
		});
		return { promise: youtube.execute.call(fake.context), ...fake };
	}

	it('asks the hub to reply with the channel\'s token', async () => {
		const comment = google.addComment(CHANNEL, { author: 'fan', text: 'q' });
		const run = runHub([inbound(comment.commentId)]);
		const [output] = await run.promise;
		expect(hub.requests.at(-1)!.json).toEqual({ accountExternalId: CHANNEL, parentId: comment.commentId, text: 'Merci pour votre message !', accountId: 'acc_1' });
		expect(run.requests[0]).toMatchObject({ credentialType: 'skyBotHubApi', options: { ignoreHttpStatusErrors: true } });
		expect(output![0]!.json).toMatchObject({ delivery: { provider: 'youtube', channelId: CHANNEL, messageId: google.replies[0]!.id } });
	});

	it("acts for the pipeline item's tenant (route.accountId) when no account is set", async () => {
		const comment = google.addComment(CHANNEL, { author: 'fan', text: 'q' });
		const item = inbound(comment.commentId);
		const routed = { ...item, json: { ...item.json, route: { accountId: 'acc_routed' } } };
		await runHub([routed], { hubAccountId: '' }).promise;
		expect(hub.requests.at(-1)!.json).toMatchObject({ accountId: 'acc_routed' });
	});

	it('words each hub code per item under continue on fail', async () => {
		const comment = google.addComment(CHANNEL, { author: 'fan', text: 'q' });
		hub.connect('UCreauth', 'ya29.any');
		hub.markReauth('UCreauth');
		const item = (overrides: Record<string, unknown>) => ({ json: { ...inbound(comment.commentId).json, ...overrides } });
		const [output] = await runHub(
			[
				item({ accountExternalId: 'UCunknown' }),
				item({ accountExternalId: 'UCreauth' }),
				item({ messageId: 'UgzGone' }),
				item({}),
			],
			{},
			{ continueOnFail: true },
		).promise;
		const errors = output!.map((entry) => entry.json.error as { message: string; code: string; httpStatus: number } | undefined);
		expect(errors[0]).toMatchObject({ code: 'social_account_not_found', httpStatus: 404, message: expect.stringContaining('holds channel UCunknown') });
		expect(errors[1]).toMatchObject({ code: 'reauth_required', httpStatus: 409, message: expect.stringContaining('reconnect it in the hub') });
		expect(errors[2]).toMatchObject({ code: 'provider_error', httpStatus: 502, message: 'YouTube refused the call the hub made for this channel' });
		expect(errors[3]).toBeUndefined();
		expect(output![3]!.json.delivery).toMatchObject({ messageId: expect.any(String) });
	});

	it('says the quota is exhausted when the hub answers 429 youtube_quota_exceeded', async () => {
		const comment = google.addComment(CHANNEL, { author: 'fan', text: 'q' });
		google.setQuotaExceeded(true);
		const error = await runHub([inbound(comment.commentId)]).promise.catch((thrown: unknown) => thrown);
		expect(toItemError(error)).toMatchObject({ code: 'youtube_quota_exceeded', httpStatus: 429, message: expect.stringMatching(/^YouTube quota exhausted until /) });
	});

	it('needs the channel ID in hub mode', async () => {
		await expect(runHub([{ json: {} }], { replyTo: 'define', channelId: '', parentId: 'Ugz1', text: 'hi' }).promise).rejects.toThrow(
			'The hub needs the channel ID that replies',
		);
	});
});

describe('YouTube transport and error wording', () => {
	it('words a 401 that survives n8n\'s refresh from the error n8n threw', async () => {
		const body = { error: { code: 401, message: 'Request had invalid authentication credentials.', errors: [{ reason: 'authError', domain: 'global' }], status: 'UNAUTHENTICATED' } };
		const context = {
			getNode: () => ({ id: 'n', name: 'YouTube', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }),
			helpers: {
				httpRequestWithAuthentication: async () => {
					const axiosLike = Object.assign(new Error('Request failed with status code 401'), { response: { status: 401, data: body, headers: {} } });
					throw new NodeApiError(context.getNode() as never, axiosLike as never);
				},
			},
		};
		const error = await replyToComment
			.call(context as unknown as IExecuteFunctions, { authentication: 'oAuth2' }, { channelId: CHANNEL, parentId: 'Ugz1', text: 'x' }, 3)
			.catch((thrown: unknown) => thrown);
		expect(toItemError(error)).toEqual({
			message: 'YouTube refused the access token even after a refresh: reconnect the YouTube OAuth2 credential',
			description: 'Request had invalid authentication credentials. (HTTP 401, reason authError, domain global)',
			httpStatus: 401,
			code: 'authError',
		});
	});

	it('keeps an error n8n threw for another reason as it is', async () => {
		const context = {
			getNode: () => ({ id: 'n', name: 'YouTube', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }),
			helpers: {
				httpRequestWithAuthentication: async () => {
					throw new NodeApiError(context.getNode() as never, { message: 'connect ECONNREFUSED' } as never, { message: 'The service refused the connection' });
				},
			},
		};
		await expect(
			replyToComment.call(context as unknown as IExecuteFunctions, { authentication: 'oAuth2' }, { channelId: CHANNEL, parentId: 'Ugz1', text: 'x' }, 0),
		).rejects.toThrow('The service refused the connection');
	});

	it('describes Google errors without their HTML, with reason and domain', () => {
		const quota = describeYouTubeError(
			{ error: { code: 403, message: 'You have exceeded your <a href="/q">quota</a>.', errors: [{ reason: 'quotaExceeded', domain: 'youtube.quota' }] } },
			403,
			Date.parse('2026-12-01T12:00:00Z'),
		);
		expect(quota).toEqual({
			message: 'YouTube quota exhausted until 2026-12-02T08:00:00.000Z',
			description: 'You have exceeded your quota. (HTTP 403, reason quotaExceeded, domain youtube.quota)',
			code: 'quotaExceeded',
		});
		expect(describeYouTubeError({ error: { code: 403, errors: [{ reason: 'insufficientPermissions' }] } }, 403).message).toMatch(/youtube\.force-ssl/);
		expect(describeYouTubeError('<html>bad gateway</html>', 502)).toEqual({ message: 'YouTube Data API error: HTTP 502', description: 'HTTP 502 (HTTP 502)', code: '502' });
		expect(describeYouTubeError({ error: { code: 400, message: 'Bad', errors: [{ reason: 'invalidValue' }] } }, 400).message).toBe('YouTube Data API error invalidValue: Bad');
	});

	it('topLevelCommentId cuts a reply id to its thread', () => {
		expect(topLevelCommentId('UgzAbc.8xYz')).toBe('UgzAbc');
		expect(topLevelCommentId('UgzAbc')).toBe('UgzAbc');
	});
});
