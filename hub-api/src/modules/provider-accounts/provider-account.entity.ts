import { EntitySchema } from 'typeorm';
import type { Provider } from '../../../../contracts/inbound-message';

/**
 * The routing table: one Meta (or other provider) app serves many tenants, so each provider-side account (page id,
 * IG account id, phone_number_id …) is claimed by exactly one hub account.
 */
export interface ProviderAccount {
	id: string;
	provider: Provider;
	externalId: string;
	accountId: string;
	agentId: string | null;
	name: string | null;
	createdAt: Date;
}

export const ProviderAccountEntity = new EntitySchema<ProviderAccount>({
	name: 'ProviderAccount',
	tableName: 'provider_accounts',
	columns: {
		id: { type: 'uuid', primary: true, generated: 'uuid' },
		provider: { type: 'text' },
		externalId: { type: 'text', name: 'external_id' },
		accountId: { type: 'uuid', name: 'account_id' },
		agentId: { type: 'uuid', name: 'agent_id', nullable: true },
		name: { type: 'text', nullable: true },
		createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
	},
	uniques: [{ name: 'provider_accounts_provider_external_id_key', columns: ['provider', 'externalId'] }],
});
