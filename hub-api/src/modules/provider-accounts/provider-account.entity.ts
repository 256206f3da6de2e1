import { columns, hubEntity } from '../../entity-schema';
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

export const ProviderAccountEntity = hubEntity<ProviderAccount>({
	name: 'ProviderAccount',
	tableName: 'provider_accounts',
	columns: {
		provider: { type: 'text' },
		externalId: { type: 'text', name: 'external_id' },
		accountId: columns.accountId,
		agentId: columns.agentId,
		name: { type: 'text', nullable: true },
		createdAt: columns.createdAt,
	},
	uniques: [{ name: 'provider_accounts_provider_external_id_key', columns: ['provider', 'externalId'] }],
});
