import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	text: 'reply' | 'extractPhone' | 'classify' | 'followUp' | 'summarize';
};

export type SkyBotAiType = AllEntities<NodeMap>;
