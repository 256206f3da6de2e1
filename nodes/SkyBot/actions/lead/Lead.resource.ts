import type { INodeProperties } from 'n8n-workflow';

import * as listLeads from './listLeads.operation';
import * as upsertLead from './upsertLead.operation';

export { listLeads, upsertLead };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['lead'] } },
		options: [
			{
				name: 'List Leads',
				value: 'listLeads',
				description: 'One item per lead matching the filters (e.g. quiet warm leads to follow up)',
				action: 'List leads',
			},
			{
				name: 'Upsert Lead',
				value: 'upsertLead',
				description:
					'Create or update the lead of this contact with what the item knows (phone, classification, summary), or record a follow-up sent',
				action: 'Upsert a lead',
			},
		],
		default: 'upsertLead',
	},
	...upsertLead.description,
	...listLeads.description,
];
