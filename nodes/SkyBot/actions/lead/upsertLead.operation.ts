import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { FOLLOW_UP_NOT_SENT_STATUSES, type LeadResponse, type UpsertLeadRequest } from '../../../../contracts/hub-api';
import { enrichEachItem } from '../../../shared/execute';
import { buildUpsertLeadRequest, isRefusedAsInvalid } from '../../helpers/lead';
import { hubApiRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Account ID',
		name: 'accountId',
		type: 'string',
		default: '={{ $json.route?.accountId }}',
		description: 'Hub account (tenant). Required with a platform key, ignored with an account key.',
	},
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		default: '={{ $json.route?.agentId }}',
	},
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'string',
		default: '={{ $json.provider }}',
		required: true,
		description: 'Provider the contact wrote on (instagram, messenger, whatsapp...)',
	},
	{
		displayName: 'Contact External ID',
		name: 'contactExternalId',
		type: 'string',
		default: '={{ $json.contact?.externalId }}',
		required: true,
		description: "The contact's ID on the provider: one lead per contact and provider",
	},
	{
		displayName: 'Contacted',
		name: 'contacted',
		type: 'boolean',
		default: false,
		description:
			'Whether this call records a follow-up just sent to the lead (sets its last contact time and counts one more follow-up). Leave off in the inbound pipeline.',
	},
	{
		displayName: 'Follow-Up Not Sent',
		name: 'followUpStatus',
		type: 'options',
		options: [
			{ name: 'None', value: '', description: 'This call records no follow-up outcome' },
			...FOLLOW_UP_NOT_SENT_STATUSES.map((status) => ({
				name: status === 'window_closed' ? 'Window Closed' : status[0].toUpperCase() + status.slice(1),
				value: status,
			})),
		],
		default: '',
		description:
			"Records on the lead a follow-up that was not sent (skipped, failed, or the messaging window closed), visible in the hub's leads list. A follow-up sent is recorded with Contacted.",
	},
	{
		displayName: 'Follow-Up Reason',
		name: 'followUpReason',
		type: 'string',
		default: '',
		placeholder: 'send_failed',
		description: 'Why the follow-up was not sent (e.g. ai_failed, send_failed, outside_messaging_window)',
		displayOptions: { hide: { followUpStatus: [''] } },
	},
	{
		displayName: 'Lead Facts',
		name: 'facts',
		type: 'collection',
		placeholder: 'Add fact',
		// Each fact reads what an earlier step put on the item; an empty value is "not known" and erases nothing.
		default: {
			contactName: '={{ $json.contact?.name }}',
			contactHandle: '={{ $json.contact?.handle }}',
			phone: '={{ $json.phone?.number ?? $json.contact?.phone }}',
			accountExternalId: '={{ $json.accountExternalId }}',
			conversationId: '={{ $json.conversationId }}',
			temperature: '={{ $json.classification?.temperature }}',
			summary: '={{ $json.summary?.text }}',
			lastMessageAt: '={{ $json.timestamp }}',
			lastMessageText: '={{ $json.text }}',
		},
		options: [
			{
				displayName: 'Account External ID',
				name: 'accountExternalId',
				type: 'string',
				default: '',
				description: 'Page, Instagram account or WhatsApp phone number ID the contact writes to (what follow-ups are sent from)',
			},
			{ displayName: 'Contact Handle', name: 'contactHandle', type: 'string', default: '' },
			{ displayName: 'Contact Name', name: 'contactName', type: 'string', default: '' },
			{ displayName: 'Conversation ID', name: 'conversationId', type: 'string', default: '' },
			{
				displayName: 'Last Message Text',
				name: 'lastMessageText',
				type: 'string',
				default: '',
				description: 'What the contact last wrote (what a follow-up answers)',
			},
			{
				displayName: 'Last Message Time',
				name: 'lastMessageAt',
				type: 'string',
				default: '',
				description: 'ISO 8601 time of the contact\'s message',
			},
			{
				displayName: 'Phone',
				name: 'phone',
				type: 'string',
				default: '',
				description:
					'E.164 (+33612345678), e.g. from SkyBot AI Extract Phone. Any other value, or a number the hub finds invalid, is left out (with a warning) rather than failing the lead.',
			},
			{
				displayName: 'Summary',
				name: 'summary',
				type: 'string',
				default: '',
				description: 'E.g. from SkyBot AI Summarize.',
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'string',
				default: '',
				description: 'Hot, warm or cold, e.g. from SkyBot AI Classify',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['lead'], operation: ['upsertLead'] } },
	properties,
);

/**
 * Adds `lead`: the hub's lead for this contact after merging what the item knows (contact, phone, classification,
 * summary, last message). Idempotent per contact except `Contacted`, which counts each follow-up it records.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await enrichEachItem.call(this, items, async (_item, itemIndex) => {
		const facts = this.getNodeParameter('facts', itemIndex, {}) as IDataObject;
		// A malformed item (no provider, no contact) throws here and fails that item only.
		const request = buildUpsertLeadRequest({
			...facts,
			accountId: this.getNodeParameter('accountId', itemIndex, ''),
			agentId: this.getNodeParameter('agentId', itemIndex, ''),
			provider: this.getNodeParameter('provider', itemIndex),
			contactExternalId: this.getNodeParameter('contactExternalId', itemIndex),
			contacted: this.getNodeParameter('contacted', itemIndex, false),
			followUpStatus: this.getNodeParameter('followUpStatus', itemIndex, ''),
			followUpReason: this.getNodeParameter('followUpReason', itemIndex, ''),
		});
		const upsert = async (body: UpsertLeadRequest) =>
			(await hubApiRequest.call(this, 'POST', '/api/leads', itemIndex, body as unknown as IDataObject)) as LeadResponse;
		const lead = await upsert(request).catch(async (error: unknown) => {
			// The hub judges a phone against each country's numbering plan; what reaches this node was only found plausible
			// (SkyBot AI Extract Phone, a provider's contact). A number the hub refuses must not cost the lead: it is sent
			// again without it. A refusal of that one too was not about the phone, and fails the item as usual.
			const { phone, ...contact } = request.contact;
			if (!phone || !isRefusedAsInvalid(error)) throw error;
			const saved = await upsert({ ...request, contact });
			this.addExecutionHints({
				message: `Item ${itemIndex}: SkyBot Hub refused the phone number ${phone} as invalid; the lead was saved without it`,
				type: 'warning',
				location: 'outputPane',
			});
			return saved;
		});
		return { lead: { ...lead } };
	});
}
