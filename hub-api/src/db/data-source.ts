import { DataSource } from 'typeorm';
import { migrations } from '../../../migrations';
import { AccountEntity } from '../modules/accounts/account.entity';
import { AgentEntity } from '../modules/agents/agent.entity';
import { ApiKeyEntity } from '../modules/api-keys/api-key.entity';
import { ConversationEntity } from '../modules/conversations/conversation.entity';
import { InteractionEntity } from '../modules/interactions/interaction.entity';
import { LeadEntity } from '../modules/leads/lead.entity';
import { ProviderAccountEntity } from '../modules/provider-accounts/provider-account.entity';
import { SocialAccountEntity } from '../modules/social-accounts/social-account.entity';
import { UserEntity } from '../modules/users/user.entity';

export const entities = [AccountEntity, ApiKeyEntity, AgentEntity, ProviderAccountEntity, InteractionEntity, UserEntity, LeadEntity, ConversationEntity, SocialAccountEntity];

/** Schema changes happen only through migrations, run explicitly by the CLI or the test helper, never at start-up. */
export function createDataSource(databaseUrl: string): DataSource {
	return new DataSource({
		type: 'postgres',
		url: databaseUrl,
		entities,
		migrations,
		migrationsRun: false,
		synchronize: false,
		logging: false,
		// A dead database makes requests fail after 5 s instead of waiting for a pool slot forever.
		extra: { connectionTimeoutMillis: 5_000, max: 10 },
	});
}
