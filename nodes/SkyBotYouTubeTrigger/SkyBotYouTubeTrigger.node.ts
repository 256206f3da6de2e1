import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { YouTubeQuotaView } from '../../contracts/social-accounts';
import { ERROR_CODE_CONTEXT_KEY } from '../shared/item-error';
import { isRecord } from '../shared/json';
import {
	apiBaseUrlOption,
	authenticationProperty,
	hubAccountIdProperty,
	type YouTubeAuthentication,
	youTubeCredentials,
} from '../SkyBotYouTube/helpers/properties';
import {
	nextQuotaReset,
	QUOTA_EXCEEDED_CODES,
	quotaExhaustedMessage,
	threadToInboundMessage,
} from '../SkyBotYouTube/helpers/youtube';
import { connectedChannels, listCommentThreads, ownChannelId, type YouTubeAccess } from '../SkyBotYouTube/transport';
import { advanceWatermark, pollsToSkip, scanPage, type TriggerState, type Watermark } from './poll';

/** Before any watermark exists for a channel that had no comment: every comment after it is new. */
const EPOCH = new Date(0).toISOString();

interface TriggerOptions {
	maxPages?: number;
	pageSize?: number;
	apiBaseUrl?: string;
}

/** The quota error a call threw (Google's 403 quotaExceeded, or the hub's 429 youtube_quota_exceeded), if it is one. */
function isQuotaError(error: unknown): boolean {
	const context = isRecord(error) && isRecord(error.context) ? error.context : undefined;
	const code = context?.[ERROR_CODE_CONTEXT_KEY];
	return typeof code === 'string' && QUOTA_EXCEEDED_CODES.has(code);
}

export class SkyBotYouTubeTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SkyBot YouTube Trigger',
		name: 'skyBotYouTubeTrigger',
		icon: { light: 'file:youtube.svg', dark: 'file:youtube.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["channelId"] || "own channel" }}',
		description:
			"Polls a channel's new YouTube comments (commentThreads.list) and emits one SkyBot inbound message per new top-level comment",
		defaults: { name: 'SkyBot YouTube Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: youTubeCredentials,
		properties: [
			{
				displayName:
					"YouTube has no comment webhook: this trigger polls (1 quota unit per page of up to 100 threads). Its first poll only records where the channel's comments stand; comments written after it are emitted. Quota exhausted: it pauses until Google's reset (midnight Pacific time).",
				name: 'pollingNotice',
				type: 'notice',
				default: '',
			},
			authenticationProperty,
			hubAccountIdProperty,
			{
				displayName: 'Channel ID',
				name: 'channelId',
				type: 'string',
				default: '',
				placeholder: 'UCxxxxxxxxxxxxxxxxxxxxxx',
				description:
					"The channel whose comments are watched (UC…). Empty with YouTube OAuth2: the credential's own channel. Empty with the hub: every channel connected to it and working (all tenants' with a platform key, as the SkyBot — YouTube entry workflow polls them), each with its own watermark."
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Max Pages per Poll',
						name: 'maxPages',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 50 },
						default: 5,
						description:
							'Paging stops at known comments; this caps a burst (each page is a quota unit). Comments beyond it are skipped, with a warning in the log.',
					},
					{
						displayName: 'Page Size',
						name: 'pageSize',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 100 },
						default: 100,
						displayOptions: { show: { '/authentication': ['oAuth2'] } },
						description: 'Threads per commentThreads.list call (maxResults). A page costs 1 unit whatever its size.',
					},
					apiBaseUrlOption,
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const startedAt = Date.now();
		const manual = this.getMode() === 'manual';
		const state = this.getWorkflowStaticData('node') as TriggerState;
		const authentication = this.getNodeParameter('authentication', 'oAuth2') as YouTubeAuthentication;
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const access: YouTubeAccess = {
			authentication,
			apiBaseUrl: options.apiBaseUrl,
			hubAccountId: String(this.getNodeParameter('hubAccountId', '') ?? ''),
		};

		// Pacing and backoff apply to the schedule only: a manual "Fetch Test Event" always asks.
		let intervalMs: number | undefined;
		if (!manual) {
			intervalMs = state.lastTickAt === undefined ? undefined : startedAt - state.lastTickAt;
			state.lastTickAt = startedAt;
			if (state.quotaBackoffUntil !== undefined) {
				if (startedAt < Date.parse(state.quotaBackoffUntil)) return null;
				delete state.quotaBackoffUntil;
			}
			if ((state.skipPolls ?? 0) > 0) {
				state.skipPolls = (state.skipPolls ?? 0) - 1;
				return null;
			}
		}

		const backOff = (until: string) => {
			state.quotaBackoffUntil = until;
			delete state.skipPolls;
			if (state.quotaWarnedUntil !== until) {
				state.quotaWarnedUntil = until;
				this.logger.warn(`SkyBot YouTube Trigger: ${quotaExhaustedMessage(until)}; no polls until then`, {
					node: this.getNode().name,
				});
			}
		};

		try {
			const configured = String(this.getNodeParameter('channelId', '') ?? '').trim();
			// Hub mode without a channel: every channel connected to the hub (the operator's YouTube entry workflow).
			const everyChannel = access.authentication === 'hub' && configured === '';
			const connected = everyChannel ? await connectedChannelsOrNone.call(this) : undefined;
			if (connected === null) return null;
			const channels = connected
				? connected.map((channel) => ({ channelId: channel.channelId, access: { ...access, hubAccountId: access.hubAccountId || channel.accountId } }))
				: [{ channelId: await resolveChannelId.call(this, access, state), access }];
			if (manual) return channels[0] ? await newestThread.call(this, channels[0].access, channels[0].channelId) : null;

			const watermarks = state.watermarks ?? {};
			if (state.watermark) watermarks[state.watermark.channelId] ??= state.watermark;
			const messages: unknown[] = [];
			let quota: YouTubeQuotaView | undefined;
			let calls = 0;
			for (const channel of channels) {
				const polled = await pollChannel.call(this, channel.access, channel.channelId, watermarks[channel.channelId], options, startedAt);
				calls += polled.calls;
				quota = polled.quota ?? quota;
				watermarks[channel.channelId] = polled.watermark;
				messages.push(...polled.messages);
				if (quota?.exceeded) break;
			}
			// Channels no longer connected (disconnected, lost) are forgotten with their marks.
			const polledIds = new Set(channels.map((channel) => channel.channelId));
			state.watermarks = Object.fromEntries(Object.entries(watermarks).filter(([channelId]) => polledIds.has(channelId)));
			delete state.watermark;

			if (quota) {
				if (quota.exceeded) backOff(quota.resetAt);
				else state.skipPolls = pollsToSkip(quota, intervalMs, calls, Date.now());
			}
			if (messages.length === 0) return null;
			return [this.helpers.returnJsonArray(messages as Parameters<typeof this.helpers.returnJsonArray>[0])];
		} catch (error) {
			if (!manual && isQuotaError(error)) {
				backOff(nextQuotaReset());
				return null;
			}
			// Both constructors hand an error of their own class back unchanged: the transports' errors keep their
			// wording, status and code.
			if (error instanceof NodeOperationError) throw new NodeOperationError(this.getNode(), error);
			throw new NodeApiError(this.getNode(), (isRecord(error) ? error : { message: String(error) }) as JsonObject);
		}
	}
}

/**
 * The hub's connected channels, or null when the hub cannot be reached at all: the poll then waits for the next tick
 * (a warning in n8n's log) instead of failing. `npm start` publishes the workflows before it starts the hub, and n8n
 * runs a first poll when it publishes: that poll must not fail the publication. A hub that answers with an error
 * (a wrong key: 401) still fails, readably.
 */
async function connectedChannelsOrNone(this: IPollFunctions): Promise<Awaited<ReturnType<typeof connectedChannels>> | null> {
	try {
		return await connectedChannels.call(this);
	} catch (error) {
		const httpCode = isRecord(error) ? String(error.httpCode ?? '') : '';
		if (/^\d{3}$/.test(httpCode)) throw new NodeApiError(this.getNode(), error as JsonObject);
		this.logger.warn(`SkyBot YouTube Trigger: the hub cannot be reached (${(error as Error).message}); polling again at the next tick`, {
			node: this.getNode().name,
		});
		return null;
	}
}

interface ChannelPoll {
	/** The channel's new comments as inbound messages, oldest first (none on the channel's first poll). */
	messages: unknown[];
	watermark: Watermark;
	quota?: YouTubeQuotaView;
	calls: number;
}

/**
 * One channel's poll: pages of comment threads, newest first, until the watermark's comments (at most Max Pages, and
 * half the engine's poll budget). Without a watermark — the channel's first poll — it only records where the channel
 * stands: its existing comments are not leads.
 */
async function pollChannel(
	this: IPollFunctions,
	access: YouTubeAccess,
	channelId: string,
	watermark: Watermark | undefined,
	options: TriggerOptions,
	startedAt: number,
): Promise<ChannelPoll> {
	const pageSize = Math.min(100, Math.max(1, Math.floor(options.pageSize ?? 100)));
	// A first poll reads one page: the newest comments are all the watermark needs.
	const maxPages = watermark ? Math.max(1, Math.floor(options.maxPages ?? 5)) : 1;
	const budgetMs = typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : undefined;
	const fresh: unknown[] = [];
	let firstPage: unknown[] = [];
	let quota: YouTubeQuotaView | undefined;
	let calls = 0;
	let pageToken: string | undefined;
	let truncated = false;
	for (;;) {
		const page = await listCommentThreads.call(this, access, channelId, { pageToken, maxResults: pageSize });
		calls += 1;
		quota = page.quota ?? quota;
		if (calls === 1) firstPage = page.items;
		if (!watermark) break;
		const scan = scanPage(page.items, watermark);
		fresh.push(...scan.fresh);
		if (scan.reachedKnown || !page.nextPageToken) break;
		// Half the engine's budget for paging: the rest is for handing the items over.
		if (calls >= maxPages || (budgetMs !== undefined && Date.now() - startedAt > budgetMs / 2)) {
			truncated = true;
			break;
		}
		pageToken = page.nextPageToken;
	}
	if (!watermark) {
		return { messages: [], watermark: advanceWatermark(channelId, undefined, firstPage) ?? { channelId, publishedAt: EPOCH, ids: [] }, quota, calls };
	}
	if (truncated) {
		this.logger.warn(`SkyBot YouTube Trigger: more than ${maxPages} pages of new comments on ${channelId}; older new comments were skipped`, {
			node: this.getNode().name,
		});
	}
	// Oldest first: the pipeline answers in the order the comments were written.
	const messages = fresh
		.map((thread) => threadToInboundMessage(thread, channelId))
		.filter((message) => message !== undefined)
		.reverse();
	return { messages, watermark: advanceWatermark(channelId, watermark, fresh) as Watermark, quota, calls };
}

/** The Channel ID parameter, or the OAuth2 credential's own channel (looked up once, then kept in static data). */
async function resolveChannelId(this: IPollFunctions, access: YouTubeAccess, state: TriggerState): Promise<string> {
	const configured = String(this.getNodeParameter('channelId', '') ?? '').trim();
	if (configured) return configured;
	if (state.ownChannelId) return state.ownChannelId;
	const own = await ownChannelId.call(this, access);
	if (!own) throw new NodeOperationError(this.getNode(), 'The YouTube credential has no channel: set the Channel ID');
	state.ownChannelId = own;
	return own;
}

/** Manual mode: the newest thread as the item the trigger would emit, so the editor shows its shape. */
async function newestThread(this: IPollFunctions, access: YouTubeAccess, channelId: string): Promise<INodeExecutionData[][] | null> {
	const page = await listCommentThreads.call(this, access, channelId, { maxResults: 1 });
	const message = page.items.map((thread) => threadToInboundMessage(thread, channelId)).find((found) => found !== undefined);
	if (!message) return null;
	return [this.helpers.returnJsonArray(message as unknown as Parameters<typeof this.helpers.returnJsonArray>[0])];
}
