import type { z } from 'zod';

/**
 * Compile-time proof that a request schema and its wire contract (contracts/hub-api.ts) describe the same body:
 * every value the node may send is accepted by the schema's input type, and everything the schema produces is a
 * valid contract value. Used as `export type X = Expect<MatchesContract<typeof schema, Contract>>`, so a change on
 * either side that the other does not follow fails `tsc`.
 */
export type MatchesContract<Schema extends z.ZodType, Contract> = [Contract] extends [z.input<Schema>]
	? [z.output<Schema>] extends [Contract]
		? true
		: false
	: false;

export type Expect<Condition extends true> = Condition;
