import { EntitySchema, type EntitySchemaColumnOptions, type EntitySchemaOptions } from 'typeorm';

// Entities are EntitySchema definitions rather than decorated classes: the same files are compiled by tsc for the
// build and by Jest's swc transform for the tests, and schemas need no decorator or emitted-metadata support.

/**
 * What every hub table has in common, written once (the migrations create the tables; these describe them to
 * TypeORM). Every row has a uuid primary key PostgreSQL generates; column names are snake_case and spelled out.
 */
export function hubEntity<T extends { id: string }>(
	options: Omit<EntitySchemaOptions<T>, 'columns'> & { columns: Omit<EntitySchemaOptions<T>['columns'], 'id'> },
): EntitySchema<T> {
	const id: EntitySchemaColumnOptions = { type: 'uuid', primary: true, generated: 'uuid' };
	return new EntitySchema<T>({ ...options, columns: { id, ...options.columns } as EntitySchemaOptions<T>['columns'] });
}

/** Columns several tables share. */
export const columns = {
	/** The tenant a row belongs to. */
	accountId: { type: 'uuid', name: 'account_id' },
	/** The agent a row belongs to, when there is one. */
	agentId: { type: 'uuid', name: 'agent_id', nullable: true },
	optionalText: { type: 'text', nullable: true },
	optionalTime: { type: 'timestamptz', nullable: true },
	/** Filled by TypeORM on insert. */
	createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
	/** Filled by TypeORM on every save. */
	updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
} as const satisfies Record<string, EntitySchemaColumnOptions>;
