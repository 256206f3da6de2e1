import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { enrichEachItem } from '../../../shared/execute';
import { definedBelow, replyToProperty } from '../../helpers/fields';
import { buildReplyCommentRequest, type ReplyCommentFields, replyCommentFieldsOf } from '../../helpers/requests';
import { readSentId, tiktokHubRequest } from '../../transport';

const properties: INodeProperties[] = [
	replyToProperty,
	...definedBelow([
		{
			displayName: 'Video ID',
			name: 'videoId',
			type: 'string',
			default: '={{ $json.comment.postId }}',
			required: true,
			description: 'The video the comment is on',
		},
		{
			displayName: 'Comment ID',
			name: 'commentId',
			type: 'string',
			default: '={{ $json.messageId }}',
			required: true,
			description: 'The comment answered',
		},
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['comment'], operation: ['reply'] } }, properties);

/** Adds `delivery`: the comment answered and the id TikTok gave the reply. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (item, itemIndex) => await replyToComment.call(this, item, itemIndex));
}

/** One item's reply (also the Inbound Message › Answer operation's, for a comment). */
export async function replyToComment(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<IDataObject> {
	let request;
	try {
		const fields: ReplyCommentFields =
			this.getNodeParameter('replyTo', itemIndex, 'item') === 'item'
				? replyCommentFieldsOf(item.json)
				: {
						accountExternalId: this.getNodeParameter('accountExternalId', itemIndex, ''),
						videoId: this.getNodeParameter('videoId', itemIndex, ''),
						commentId: this.getNodeParameter('commentId', itemIndex, ''),
						text: this.getNodeParameter('text', itemIndex, ''),
						accountId: this.getNodeParameter('accountId', itemIndex, ''),
					};
		request = buildReplyCommentRequest(fields);
	} catch (error) {
		// Only the request builders run here: what they refuse is this item's input.
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}
	const response = await tiktokHubRequest.call(this, 'reply-comment', request as unknown as IDataObject, itemIndex);
	const messageId = readSentId(response);
	if (!messageId) {
		throw new NodeOperationError(this.getNode(), 'The hub accepted the reply but returned no TikTok comment id', { itemIndex });
	}
	return { delivery: { provider: 'tiktok', videoId: request.videoId, commentId: request.commentId, messageId } };
}
