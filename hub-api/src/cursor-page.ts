import { z } from 'zod';

/**
 * The answer of a keyset-paginated list: the page's items under `key`, newest first, and the cursor to pass as
 * `cursor` for the next page (null on the last). Plain zod, so a module's schemas derive its page type from it and
 * its OpenAPI registration documents it with the item's registered component.
 */
export const cursorPage = <Key extends string, Item extends z.ZodType>(key: Key, item: Item) =>
	z.object({ [key]: z.array(item), nextCursor: z.string().nullable() } as Record<Key, z.ZodArray<Item>> & {
		nextCursor: z.ZodNullable<z.ZodString>;
	});
