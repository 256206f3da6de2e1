import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { enrichEachItem } from '../../../shared/execute';
import { routedAccountIdOf } from '../../../shared/inbound';
import { asString, isRecord, type JsonRecord } from '../../../shared/json';
import { shownWhenDefinedBelow } from '../../../shared/properties';
import { apiBaseUrlOption, type YouTubeAuthentication } from '../../helpers/properties';
import { replyToComment, type YouTubeAccess } from '../../transport';

/** comments.insert refuses longer texts (commentTextTooLong): said before the call, which would cost 50 units. */
const REPLY_TEXT_LIMIT = 10_000;

const properties: INodeProperties[] = [
	{
		displayName: 'Reply To',
		name: 'replyTo',
		type: 'options',
		options: [
			{ name: 'Define Below', value: 'define', description: 'Channel, comment and text from the fields below' },
			{
				name: 'The Inbound Message',
				value: 'item',
				description:
					"The item's SkyBot inbound message (from the SkyBot YouTube Trigger): its channel and comment, with the reply the AI step wrote (ai.text)",
			},
		],
		default: 'define',
	},
	...shownWhenDefinedBelow('replyTo', [
		{
			displayName: 'Channel ID',
			name: 'channelId',
			type: 'string',
			default: '={{ $json.accountExternalId }}',
			description:
				'The channel that replies (UC…). Hub-Held Token: the hub uses the token of the tenant that connected it. YouTube OAuth2: the channel of the credential replies whatever this says.',
		},
		{
			displayName: 'Comment ID',
			name: 'parentId',
			type: 'string',
			default: '={{ $json.messageId }}',
			required: true,
			description: 'The top-level comment answered (a reply to a reply answers its thread: its top-level comment)',
		},
		{
			displayName: 'Text',
			name: 'text',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '={{ $json.ai.text }}',
			required: true,
		},
	]),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [apiBaseUrlOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['comment'], operation: ['reply'] } }, properties);

interface ReplyFields {
	channelId: unknown;
	parentId: unknown;
	text: unknown;
}

/** What the Define Below fields' defaults would read, read from the item in code (no expression to evaluate). */
function replyFieldsOf(item: JsonRecord): ReplyFields {
	const ai = isRecord(item.ai) ? item.ai : {};
	return { channelId: item.accountExternalId, parentId: item.messageId, text: ai.text };
}

/**
 * YouTube threads are one level deep: a reply's id is `<top-level id>.<suffix>`, and only a top-level comment can be
 * a parent, so answering a reply answers its thread.
 */
export function topLevelCommentId(commentId: string): string {
	const dot = commentId.indexOf('.');
	return dot === -1 ? commentId : commentId.slice(0, dot);
}

/** Adds `delivery`: the channel that replied, the comment answered and the id YouTube gave the reply. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (item, itemIndex) => {
		const authentication = this.getNodeParameter('authentication', itemIndex, 'oAuth2') as YouTubeAuthentication;
		const options = this.getNodeParameter('options', itemIndex, {}) as { apiBaseUrl?: string };
		const fields = this.getNodeParameter('replyTo', itemIndex, 'define') === 'item' ? replyFieldsOf(item.json) : undefined;
		// A pipeline item says which tenant it belongs to (route.accountId): a platform key then needs no field set.
		const routedAccountId = fields ? routedAccountIdOf(item.json) : undefined;
		const access: YouTubeAccess = {
			authentication,
			apiBaseUrl: options.apiBaseUrl,
			hubAccountId: String(this.getNodeParameter('hubAccountId', itemIndex, '') ?? '') || (routedAccountId ?? ''),
		};
		const parameter = (name: keyof ReplyFields) => asString(fields ? fields[name] : this.getNodeParameter(name, itemIndex, '')) ?? '';
		const channelId = parameter('channelId').trim();
		const parentId = topLevelCommentId(parameter('parentId').trim());
		const text = parameter('text');
		if (parentId === '') throw new NodeOperationError(this.getNode(), 'There is no comment ID to reply to', { itemIndex });
		if (text.trim() === '') throw new NodeOperationError(this.getNode(), 'There is no text to send', { itemIndex });
		if (text.length > REPLY_TEXT_LIMIT) {
			throw new NodeOperationError(this.getNode(), `A YouTube reply holds at most ${REPLY_TEXT_LIMIT} characters (this one: ${text.length})`, {
				itemIndex,
			});
		}
		if (authentication === 'hub' && channelId === '') {
			throw new NodeOperationError(this.getNode(), 'The hub needs the channel ID that replies', {
				description: 'Set Channel ID (the inbound message\'s accountExternalId)',
				itemIndex,
			});
		}

		const messageId = await replyToComment.call(this, access, { channelId, parentId, text }, itemIndex);
		if (!messageId) {
			throw new NodeOperationError(this.getNode(), 'YouTube accepted the reply but returned no comment id', { itemIndex });
		}
		const delivery: Record<string, string> = { provider: 'youtube', parentId, messageId };
		if (channelId) delivery.channelId = channelId;
		return { delivery };
	});
}
