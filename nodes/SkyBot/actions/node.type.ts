import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	pipeline: 'route' | 'checkPlan' | 'logInteraction' | 'reportExecution';
	lead: 'upsertLead' | 'listLeads';
};

export type SkyBotType = AllEntities<NodeMap>;
