import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { FOLLOW_UP_STATUSES, LEAD_TEMPERATURES, type ListLeadsResponse } from '../../../../contracts/hub-api';
import { PROVIDERS } from '../../../../contracts/inbound-message';
import { failedItemOrThrow } from '../../../shared/execute';
import { buildListLeadsQuery, leadItem } from '../../helpers/lead';
import { hubApiRequest } from '../../transport';

/** The hub's largest page. */
const PAGE_SIZE = 100;

const properties: INodeProperties[] = [
	{
		displayName: 'Account ID',
		name: 'accountId',
		type: 'string',
		default: '',
		description: 'Hub account (tenant) whose leads to list. Required with a platform key, ignored with an account key.',
	},
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		default: '',
		description: "Only this agent's leads (a follow-up sequence deployed for one agent). Empty → every agent's.",
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		options: [
			{
				displayName: 'Fewer Follow-Ups Than',
				name: 'followUpCountBelow',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 3,
				description: 'Only leads that received fewer follow-ups than this: where a sequence stops',
			},
			{
				displayName: 'Follow-Up',
				name: 'followUp',
				type: 'options',
				options: [
					{
						name: 'Due Now',
						value: 'due',
						description:
							"Leads owed one of the sequence's follow-ups now, inside the messaging window: silent for at least one step, none sent since the latest step reached",
					},
					{
						name: 'Window Closed',
						value: 'window_closed',
						description:
							'Leads whose messaging window closed before the sequence ended, not yet recorded Window Closed',
					},
				],
				default: 'due',
				description: 'What a follow-up sequence must act on now; needs Follow-Up After (Hours of Silence)',
			},
			{
				displayName: 'Follow-Up After (Hours of Silence)',
				name: 'followUpAfterHours',
				type: 'string',
				default: '1, 20',
				placeholder: '1, 20',
				description:
					"The sequence, with Follow-Up: one follow-up after each of these hours of silence since the lead's last message, each under the messaging window",
			},
			{
				displayName: 'Follow-Up Status',
				name: 'followUpStatuses',
				type: 'multiOptions',
				options: FOLLOW_UP_STATUSES.map((status) => ({
					name: status
						.split('_')
						.map((word, index) => (index === 0 ? word[0].toUpperCase() + word.slice(1) : word))
						.join(' '),
					value: status,
				})),
				default: [],
				description: "Only leads whose follow-up sequence (since their last message) is in one of these states",
			},
			{
				displayName: 'Idle for at Least (Days)',
				name: 'idleDays',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 3,
				description: 'Only leads with no message from them and no follow-up from us for this many days',
			},
			{
				displayName: 'Idle Since Before',
				name: 'lastContactBefore',
				type: 'dateTime',
				default: '',
				description:
					'Only leads with no activity since this time, for cut-offs finer than days (e.g. {{ $now.minus({ hours: 20 }) }} to follow up inside Meta\'s 24-hour window)',
			},
			{
				displayName: 'Messaging Window (Hours)',
				name: 'windowHours',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 24,
				description: "With Follow-Up: how long after the lead's last message the provider lets us write (Meta: 24)",
			},
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				options: PROVIDERS.map((provider) => ({ name: provider[0].toUpperCase() + provider.slice(1), value: provider })),
				default: 'instagram',
			},
			{
				displayName: 'Temperature',
				name: 'temperatures',
				type: 'multiOptions',
				options: LEAD_TEMPERATURES.map((level) => ({ name: level[0].toUpperCase() + level.slice(1), value: level })),
				default: [],
				description: 'Only leads classified at one of these levels',
			},
		],
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: true,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['lead'], operation: ['listLeads'] } },
	properties,
);

interface ListFilters {
	followUp?: string;
	followUpAfterHours?: string;
	followUpStatuses?: string[];
	windowHours?: number;
	idleDays?: number;
	lastContactBefore?: unknown;
	followUpCountBelow?: number;
	provider?: string;
	temperatures?: string[];
}

/**
 * One output item per lead, newest activity first (see leadItem for its shape), for each input item: a schedule
 * trigger's single item lists once. Pages are followed through the hub's cursor.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const filters = this.getNodeParameter('filters', itemIndex, {}) as ListFilters;
			const returnAll = this.getNodeParameter('returnAll', itemIndex, true) as boolean;
			const max = returnAll ? Infinity : Number(this.getNodeParameter('limit', itemIndex, 50));
			const accountId = String(this.getNodeParameter('accountId', itemIndex, '') ?? '');
			const agentId = String(this.getNodeParameter('agentId', itemIndex, '') ?? '');
			const found: INodeExecutionData[] = [];
			let cursor: string | undefined;
			do {
				const query = buildListLeadsQuery({
					...filters,
					accountId: accountId || undefined,
					agentId: agentId || undefined,
					limit: Math.min(PAGE_SIZE, max - found.length),
					cursor,
				});
				const page = (await hubApiRequest.call(this, 'GET', `/api/leads?${query}`, itemIndex)) as ListLeadsResponse;
				for (const lead of page.leads) {
					found.push({ json: leadItem(lead) as unknown as IDataObject, pairedItem: { item: itemIndex } });
				}
				cursor = page.nextCursor ?? undefined;
			} while (cursor && found.length < max);
			output.push(...found);
		} catch (error) {
			output.push(failedItemOrThrow.call(this, items[itemIndex], error, itemIndex));
		}
	}
	return output;
}
