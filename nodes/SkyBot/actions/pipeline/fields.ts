import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/**
 * The parameters the operations that end a message share (Log Interaction, Report Execution, Record Outcome): what
 * happened to it, why, and whose execution it was. Each operation words what differs for it.
 */

/** The interaction statuses; `failed` and `replied` say what that operation does about them. */
export function interactionStatusProperty(descriptions: { failed: string; replied: string }): INodeProperties {
	return {
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Failed', value: 'failed', description: descriptions.failed },
			{ name: 'Ignored', value: 'ignored', description: 'Not something to answer (receipt, echo...)' },
			{ name: 'Quota Exceeded', value: 'quota_exceeded', description: 'The plan allows no more replies today' },
			{ name: 'Replied', value: 'replied', description: descriptions.replied },
			{ name: 'Skipped', value: 'skipped', description: 'A rule decided not to answer' },
		],
		default: 'replied',
	};
}

/** Reason: the machine-readable why; `description` lists the statuses it is for and examples. */
export function reasonProperty(description: string): INodeProperties {
	return {
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.decision.reason }}',
		description,
	};
}

/** The routed account and agent (SkyBot › Route put them on the item). */
export function routeProperties(options: {
	accountId: Pick<INodeProperties, 'required' | 'description'>;
	agentId: Pick<INodeProperties, 'required' | 'description'>;
}): INodeProperties[] {
	return [
		{ displayName: 'Account ID', name: 'accountId', type: 'string', default: '={{ $json.route.accountId }}', ...options.accountId },
		{ displayName: 'Agent ID', name: 'agentId', type: 'string', default: '={{ $json.route.agentId }}', ...options.agentId },
	];
}

/** n8n's execution and workflow ids, which the hub keys each report by. */
export function executionProperties(executionIdDescription: string): INodeProperties[] {
	return [
		{
			displayName: 'Execution ID',
			name: 'executionId',
			type: 'string',
			default: '={{ $execution.id }}',
			required: true,
			description: executionIdDescription,
		},
		{
			displayName: 'Workflow ID',
			name: 'workflowId',
			type: 'string',
			default: '={{ $workflow.id }}',
		},
	];
}

/**
 * What a signed report of one item shares (Report Execution, Record Outcome): its reason, account, agent, n8n
 * execution and workflow, when the execution started (`startedAtMs`, n8n's establishedAt) and now.
 */
export function reportParameters(this: IExecuteFunctions, itemIndex: number, startedAtMs: number | undefined) {
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '');
	return {
		reason: text('reason') || undefined,
		accountId: text('accountId'),
		agentId: text('agentId'),
		executionId: text('executionId'),
		workflowId: text('workflowId') || undefined,
		startedAtMs,
		nowMs: Date.now(),
	};
}
