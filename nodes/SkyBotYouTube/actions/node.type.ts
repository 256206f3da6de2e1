/** The resources of the YouTube node and their operations, as the `resource` and `operation` parameters name them. */
export type SkyBotYouTubeNodeMap = {
	comment: 'reply';
};
