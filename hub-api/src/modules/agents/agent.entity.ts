import { columns, hubEntity } from '../../entity-schema';
import type { AgentType } from '../templates/template-catalogue';

/** DEPLOYING while the hub creates it in n8n; ERROR keeps the reason; DELETED rows stay as history. */
export const AGENT_STATUSES = ['DEPLOYING', 'ACTIVE', 'INACTIVE', 'ERROR', 'DELETED'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface Agent {
	id: string;
	accountId: string;
	name: string;
	status: AgentStatus;
	/** The template's category; null for agents served by the operator's shared pipeline. */
	type: AgentType | null;
	templateSlug: string | null;
	templateVersion: string | null;
	errorReason: string | null;
	n8nWorkflowId: string | null;
	/** n8n credential id by the template's credential key. Ids only: the secrets live in n8n. */
	n8nCredentialIds: Record<string, string>;
	/** The agent's own hub API key (account scope), held by its n8n credential; the hub keeps only its hash. */
	hubApiKeyId: string | null;
	/** The validated configuration without its secret (`writeOnly`) fields. */
	config: Record<string, unknown>;
	/** agent_versions.version the n8n workflow currently runs. */
	currentVersion: number | null;
	deployedAt: Date | null;
	createdAt: Date;
	updatedAt: Date;
	deletedAt: Date | null;
}

const { optionalText } = columns;

export const AgentEntity = hubEntity<Agent>({
	name: 'Agent',
	tableName: 'agents',
	columns: {
		accountId: columns.accountId,
		name: { type: 'text' },
		status: { type: 'text', default: 'ACTIVE' },
		type: optionalText,
		templateSlug: { ...optionalText, name: 'template_slug' },
		templateVersion: { ...optionalText, name: 'template_version' },
		errorReason: { ...optionalText, name: 'error_reason' },
		n8nWorkflowId: { ...optionalText, name: 'n8n_workflow_id' },
		n8nCredentialIds: { type: 'jsonb', name: 'n8n_credential_ids', default: {} },
		hubApiKeyId: { type: 'uuid', name: 'hub_api_key_id', nullable: true },
		config: { type: 'jsonb', default: {} },
		currentVersion: { type: 'integer', name: 'current_version', nullable: true },
		deployedAt: { type: 'timestamptz', name: 'deployed_at', nullable: true },
		createdAt: columns.createdAt,
		updatedAt: columns.updatedAt,
		deletedAt: { type: 'timestamptz', name: 'deleted_at', nullable: true },
	},
});
