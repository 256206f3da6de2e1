import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	message: 'send';
};

export type SkyBotMetaType = AllEntities<NodeMap>;
