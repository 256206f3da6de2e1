import type { INodeProperties } from 'n8n-workflow';

import * as checkPlan from './checkPlan.operation';
import * as logInteraction from './logInteraction.operation';
import * as recordOutcome from './recordOutcome.operation';
import * as reportExecution from './reportExecution.operation';
import * as route from './route.operation';

export { checkPlan, logInteraction, recordOutcome, reportExecution, route };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['pipeline'] } },
		options: [
			{
				name: 'Check Plan',
				value: 'checkPlan',
				description: "Consume one reply from the tenant's daily quota (idempotent per message)",
				action: 'Check the plan quota',
			},
			{
				name: 'Log Interaction',
				value: 'logInteraction',
				description: 'Record what happened to the message (and upsert the lead)',
				action: 'Log an interaction',
			},
			{
				name: 'Record Outcome',
				value: 'recordOutcome',
				description:
					'Record what happened to the message and the execution report in one signed request (gives a failed message its quota unit back)',
				action: 'Record the outcome of a message',
			},
			{
				name: 'Report Execution',
				value: 'reportExecution',
				description: 'Send the hub a signed report of this execution (status, latency, tokens, cost) for analytics',
				action: 'Report an execution',
			},
			{
				name: 'Route',
				value: 'route',
				description: 'Find the tenant and agent connected to the provider account',
				action: 'Route a message to its agent',
			},
		],
		default: 'route',
	},
	...route.description,
	...checkPlan.description,
	...logInteraction.description,
	...recordOutcome.description,
	...reportExecution.description,
];
