import type { INodeProperties } from 'n8n-workflow';

import { shownWhenDefinedBelow } from '../../shared/properties';

/** "Reply To": the item's InboundMessage (read in code), or the fields below (expressions). */
export const replyToProperty: INodeProperties = {
	displayName: 'Reply To',
	name: 'replyTo',
	type: 'options',
	options: [
		{
			name: 'The Inbound Message',
			value: 'item',
			description:
				"The item's SkyBot inbound message (from the SkyBot TikTok Trigger): its business account, video, comment or conversation, with the reply the AI step wrote (ai.text)",
		},
		{ name: 'Define Below', value: 'define', description: 'Every value from the fields below' },
	],
	default: 'item',
};

/** The fields every operation shares, shown under Define Below: the business account, the text, the hub tenant. */
export function definedBelow(specific: INodeProperties[]): INodeProperties[] {
	return shownWhenDefinedBelow('replyTo', [
		{
			displayName: 'Business Account ID',
			name: 'accountExternalId',
			type: 'string',
			default: '={{ $json.accountExternalId }}',
			required: true,
			description: 'The open_ID of the TikTok business account that answers (connected to the hub through OAuth)',
		},
		...specific,
		{
			displayName: 'Text',
			name: 'text',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '={{ $json.ai.text }}',
			required: true,
		},
		{
			displayName: 'Hub Account ID',
			name: 'accountId',
			type: 'string',
			default: '={{ $json.route?.accountId ?? "" }}',
			description: 'The hub tenant that connected the TikTok account. Required with a platform key, ignored with an account key.',
		},
	]);
}
