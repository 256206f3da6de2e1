import { CreateTenancy1763769600000 } from './1763769600000-CreateTenancy';
import { CreateInteractions1763769600001 } from './1763769600001-CreateInteractions';
import { CreateLeads1763820000000 } from './1763820000000-CreateLeads';
import { CreateUsersAndSessions1763780000000 } from './1763780000000-CreateUsersAndSessions';
import { AgentDeployments1763790000000 } from './1763790000000-AgentDeployments';
import { CreateExecutions1763800000000 } from './1763800000000-CreateExecutions';
import { CreateExecutionDailyTotals1763800000001 } from './1763800000001-CreateExecutionDailyTotals';
import { CreateBilling1763810000000 } from './1763810000000-CreateBilling';
import { CreateConversations1763830000000 } from './1763830000000-CreateConversations';
import { CreateAgentScenarios1763840000000 } from './1763840000000-CreateAgentScenarios';
import { AnswerCacheSavings1763850000000 } from './1763850000000-AnswerCacheSavings';
import { LeadFollowUpState1763860000000 } from './1763860000000-LeadFollowUpState';
import { CreateSocialAccounts1763870000000 } from './1763870000000-CreateSocialAccounts';

/** Every hub migration, oldest first. The DataSource takes this list instead of a file glob, so build output and
 * tests run exactly the same set. */
export const migrations = [
	CreateTenancy1763769600000,
	CreateInteractions1763769600001,
	CreateUsersAndSessions1763780000000,
	AgentDeployments1763790000000,
	CreateExecutions1763800000000,
	CreateExecutionDailyTotals1763800000001,
	CreateBilling1763810000000,
	CreateLeads1763820000000,
	CreateConversations1763830000000,
	CreateAgentScenarios1763840000000,
	AnswerCacheSavings1763850000000,
	LeadFollowUpState1763860000000,
	CreateSocialAccounts1763870000000,
];
