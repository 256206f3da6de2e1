import { EntitySchema } from 'typeorm';
import { PLAN_IDS, type PlanId } from '../../../../contracts/hub-api';

// Entities are EntitySchema definitions rather than decorated classes: the same files are compiled by tsc for the
// build and by Jest's swc transform for the tests, and schemas need no decorator or emitted-metadata support.
export interface Account {
	id: string;
	name: string;
	plan: PlanId;
	createdAt: Date;
}

export const AccountEntity = new EntitySchema<Account>({
	name: 'Account',
	tableName: 'accounts',
	columns: {
		id: { type: 'uuid', primary: true, generated: 'uuid' },
		name: { type: 'text' },
		plan: { type: 'enum', enum: [...PLAN_IDS], enumName: 'account_plan', default: 'freemium' },
		createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
	},
});
