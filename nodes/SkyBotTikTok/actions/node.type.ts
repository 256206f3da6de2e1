/** The resources of the TikTok node and their operations, as the `resource` and `operation` parameters name them. */
export type SkyBotTikTokNodeMap = {
	comment: 'reply';
	inbound: 'answer';
	message: 'send';
};
