import { EntitySchema } from 'typeorm';

export const AGENT_STATUSES = ['active', 'paused'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Minimal for now: a later issue adds the template and the n8n workflow ids. */
export interface Agent {
	id: string;
	accountId: string;
	name: string;
	status: AgentStatus;
	createdAt: Date;
}

export const AgentEntity = new EntitySchema<Agent>({
	name: 'Agent',
	tableName: 'agents',
	columns: {
		id: { type: 'uuid', primary: true, generated: 'uuid' },
		accountId: { type: 'uuid', name: 'account_id' },
		name: { type: 'text' },
		status: { type: 'text', default: 'active' },
		createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
	},
});
