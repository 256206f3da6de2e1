import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { enrichEachItem } from '../../../shared/execute';
import { routedAccountIdOf } from '../../../shared/inbound';
import { isRecord, type JsonRecord } from '../../../shared/json';
import { shownWhenDefinedBelow } from '../../../shared/properties';
import { buildSendTextRequest, isMetaProvider, META_PROVIDERS, readSentMessageId } from '../../helpers/graph';
import { graphApiRequest, hubSend } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Reply To',
		name: 'replyTo',
		type: 'options',
		options: [
			{ name: 'Define Below', value: 'define', description: 'Provider, account, recipient and text from the fields below' },
			{
				name: 'The Inbound Message',
				value: 'item',
				description:
					"The item's SkyBot inbound message: its provider, account and contact (a comment is answered privately), with the reply the AI step wrote (ai.text)",
			},
		],
		default: 'define',
	},
	...shownWhenDefinedBelow('replyTo', [
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
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, properties);

/** Adds `delivery`: which provider and recipient the reply went to, and the id Meta gave the sent message. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (item, itemIndex) => {
		const fields = this.getNodeParameter('replyTo', itemIndex, 'define') === 'item' ? replyFieldsOf(item.json) : undefined;
		const parameter = (name: keyof ReplyFields) => fields?.[name] ?? this.getNodeParameter(name, itemIndex, '');
		const provider = parameter('provider');
		if (!isMetaProvider(provider)) {
			throw new NodeOperationError(
				this.getNode(),
				`The Meta node cannot send to provider "${String(provider)}" (supported: ${META_PROVIDERS.join(', ')})`,
				{ itemIndex },
			);
		}
		const recipientId = String(parameter('recipientId') ?? '');
		const text = String(parameter('text') ?? '');
		if (text.trim() === '') {
			throw new NodeOperationError(this.getNode(), 'There is no text to send', { itemIndex });
		}
		const commentId = String(parameter('commentId') ?? '');
		const send = {
			provider,
			accountExternalId: String(parameter('accountExternalId') ?? ''),
			recipientId,
			text,
			commentId: commentId || undefined,
		};
		const request = buildSendTextRequest(send);

		let messageId: string | undefined;
		if (this.getNodeParameter('authentication', itemIndex, 'metaApp') === 'hub') {
			// A pipeline item says which tenant it belongs to: a platform key acts for that account.
			const accountId = routedAccountIdOf(item.json);
			messageId = await hubSend.call(this, { ...send, ...(accountId ? { accountId } : {}) }, itemIndex);
		} else {
			messageId = readSentMessageId(await graphApiRequest.call(this, request.path, request.body as IDataObject, itemIndex));
		}
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

interface ReplyFields {
	provider: unknown;
	accountExternalId: unknown;
	recipientId: unknown;
	text: unknown;
	commentId: unknown;
}

/** What the Define Below fields' defaults would read, read from the item in code (no expression to evaluate). */
function replyFieldsOf(item: JsonRecord): ReplyFields {
	const contact = isRecord(item.contact) ? item.contact : {};
	const ai = isRecord(item.ai) ? item.ai : {};
	return {
		provider: item.provider,
		accountExternalId: item.accountExternalId,
		recipientId: contact.externalId,
		text: ai.text,
		commentId: item.kind === 'comment' ? item.messageId : '',
	};
}
