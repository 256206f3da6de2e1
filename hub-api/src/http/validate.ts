import type { z } from 'zod';
import { validationFailed } from '../errors';

export type InputLocation = 'body' | 'query' | 'params';

/** Parses one part of the request; a mismatch is the client's fault (422 with every issue), never a 500. */
export function parseInput<Schema extends z.ZodType>(
	schema: Schema,
	value: unknown,
	location: InputLocation,
): z.output<Schema> {
	const result = schema.safeParse(value);
	if (!result.success) {
		throw validationFailed(
			result.error.issues.map((issue) => ({
				path: [location, ...issue.path.map(String)].join('.'),
				message: issue.message,
				code: issue.code,
			})),
		);
	}
	return result.data;
}
