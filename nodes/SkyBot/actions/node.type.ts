import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	pipeline: 'route' | 'checkPlan' | 'logInteraction' | 'reportExecution';
};

export type SkyBotType = AllEntities<NodeMap>;
