import { columns, hubEntity } from '../../entity-schema';
import { PLAN_IDS, type PlanId } from '../../../../contracts/hub-api';

export interface Account {
	id: string;
	name: string;
	plan: PlanId;
	createdAt: Date;
}

export const AccountEntity = hubEntity<Account>({
	name: 'Account',
	tableName: 'accounts',
	columns: {
		name: { type: 'text' },
		plan: { type: 'enum', enum: [...PLAN_IDS], enumName: 'account_plan', default: 'freemium' },
		createdAt: columns.createdAt,
	},
});
