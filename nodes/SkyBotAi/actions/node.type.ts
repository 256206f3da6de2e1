import type { AllEntities } from 'n8n-workflow';

// Planned next: text.extractPhone, text.classify, text.followUp, text.summarize (prompts in the product seed).
type NodeMap = {
	text: 'reply';
};

export type SkyBotAiType = AllEntities<NodeMap>;
