/** The resources of the Meta node and their operations, as the `resource` and `operation` parameters name them. */
export type SkyBotMetaNodeMap = {
	message: 'send';
};
