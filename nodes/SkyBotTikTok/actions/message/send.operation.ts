import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { enrichEachItem } from '../../../shared/execute';
import { definedBelow, replyToProperty } from '../../helpers/fields';
import { buildSendMessageRequest, type SendMessageFields, sendMessageFieldsOf } from '../../helpers/requests';
import { readSentId, tiktokHubRequest } from '../../transport';

const properties: INodeProperties[] = [
	replyToProperty,
	...definedBelow([
		{
			displayName: 'Recipient ID',
			name: 'recipientId',
			type: 'string',
			default: '={{ $json.contact.externalId }}',
			required: true,
			description: 'The user’s ID, who must have written to the business account first',
		},
		{
			displayName: 'Conversation ID',
			name: 'providerConversationId',
			type: 'string',
			default: '={{ $json.providerConversationId ?? "" }}',
			description: 'TikTok’s conversation_id of the thread with that user (what TikTok sends the message into). Empty: the hub finds the thread of the recipient.',
		},
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, properties);

/** Adds `delivery`: who the DM went to and the id TikTok gave it. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (item, itemIndex) => await sendMessage.call(this, item, itemIndex));
}

/** One item's DM (also the Inbound Message › Answer operation's, for a DM). */
export async function sendMessage(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<IDataObject> {
	let request;
	try {
		const fields: SendMessageFields =
			this.getNodeParameter('replyTo', itemIndex, 'item') === 'item'
				? sendMessageFieldsOf(item.json)
				: {
						accountExternalId: this.getNodeParameter('accountExternalId', itemIndex, ''),
						recipientId: this.getNodeParameter('recipientId', itemIndex, ''),
						providerConversationId: this.getNodeParameter('providerConversationId', itemIndex, ''),
						text: this.getNodeParameter('text', itemIndex, ''),
						accountId: this.getNodeParameter('accountId', itemIndex, ''),
					};
		request = buildSendMessageRequest(fields);
	} catch (error) {
		// Only the request builders run here: what they refuse is this item's input.
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}
	const response = await tiktokHubRequest.call(this, 'send-message', request as unknown as IDataObject, itemIndex);
	const messageId = readSentId(response);
	if (!messageId) {
		throw new NodeOperationError(this.getNode(), 'The hub accepted the message but returned no TikTok message id', { itemIndex });
	}
	return { delivery: { provider: 'tiktok', recipientId: request.recipientId, messageId } };
}
