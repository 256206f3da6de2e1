import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { enrichEachItem } from '../../../shared/execute';
import { replyToComment } from '../comment/reply.operation';
import { sendMessage } from '../message/send.operation';

const properties: INodeProperties[] = [
	{
		displayName:
			"Answers the item's SkyBot inbound message from the SkyBot TikTok Trigger with the reply the AI step wrote (<code>ai.text</code>): a comment gets a public reply, a DM a message in its conversation.",
		name: 'answerNotice',
		type: 'notice',
		default: '',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['inbound'], operation: ['answer'] } }, properties);

/**
 * The pipeline's send step for TikTok: each item is answered the way it came in, so one node serves both kinds
 * (a Reply to Comment or Send Message node would refuse the other kind). Adds `delivery`, as those do.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (item, itemIndex) =>
		item.json.kind === 'comment' ? await replyToComment.call(this, item, itemIndex) : await sendMessage.call(this, item, itemIndex),
	);
}
