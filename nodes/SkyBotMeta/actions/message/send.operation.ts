import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { enrichEachItem } from '../../../shared/execute';
import { buildSendTextRequest, isMetaProvider, META_PROVIDERS, readSentMessageId } from '../../helpers/graph';
import { graphApiRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'string',
		default: '={{ $json.provider }}',
		required: true,
		description: 'Messenger, instagram or whatsapp',
	},
	{
		displayName: 'Account External ID',
		name: 'accountExternalId',
		type: 'string',
		default: '={{ $json.accountExternalId }}',
		required: true,
		description: 'Page ID (Messenger), Instagram account ID or WhatsApp phone number ID that sends the message',
	},
	{
		displayName: 'Recipient ID',
		name: 'recipientId',
		type: 'string',
		default: '={{ $json.contact.externalId }}',
		required: true,
		description: 'PSID (Messenger), IGSID (Instagram) or WhatsApp ID (phone number without +)',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.ai.text }}',
		required: true,
	},
	{
		displayName: 'Private Reply to Comment ID',
		name: 'commentId',
		type: 'string',
		default: "={{ $json.kind === 'comment' ? $json.messageId : '' }}",
		description:
			'Messenger / Instagram only: answer this comment privately instead of messaging the recipient ID. Empty → a regular message.',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, properties);

/** Adds `delivery`: which provider and recipient the reply went to, and the id Meta gave the sent message. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (_item, itemIndex) => {
		const provider = this.getNodeParameter('provider', itemIndex);
		if (!isMetaProvider(provider)) {
			throw new NodeOperationError(
				this.getNode(),
				`The Meta node cannot send to provider "${String(provider)}" (supported: ${META_PROVIDERS.join(', ')})`,
				{ itemIndex },
			);
		}
		const recipientId = String(this.getNodeParameter('recipientId', itemIndex) ?? '');
		const text = String(this.getNodeParameter('text', itemIndex) ?? '');
		if (text.trim() === '') {
			throw new NodeOperationError(this.getNode(), 'There is no text to send', { itemIndex });
		}
		const commentId = String(this.getNodeParameter('commentId', itemIndex, '') ?? '');
		const request = buildSendTextRequest({
			provider,
			accountExternalId: String(this.getNodeParameter('accountExternalId', itemIndex) ?? ''),
			recipientId,
			text,
			commentId: commentId || undefined,
		});

		const response = await graphApiRequest.call(this, request.path, request.body as IDataObject, itemIndex);
		const messageId = readSentMessageId(response);
		if (!messageId) {
			throw new NodeOperationError(this.getNode(), 'Meta accepted the message but returned no message id', {
				itemIndex,
			});
		}
		const delivery: Record<string, string> = { provider, recipientId, messageId };
		if (commentId && provider !== 'whatsapp') delivery.commentId = commentId;
		return { delivery };
	});
}
