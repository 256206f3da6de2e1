/** The resources of the SkyBot AI node and their operations, as the `resource` and `operation` parameters name them. */
export type SkyBotAiNodeMap = {
	text: 'reply' | 'extractPhone' | 'classify' | 'followUp' | 'summarize';
};
