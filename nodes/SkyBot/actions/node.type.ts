/** The resources of the SkyBot node and their operations, as the `resource` and `operation` parameters name them. */
export type SkyBotNodeMap = {
	pipeline: 'route' | 'checkPlan' | 'logInteraction' | 'recordOutcome' | 'reportExecution';
	lead: 'upsertLead' | 'listLeads';
};
