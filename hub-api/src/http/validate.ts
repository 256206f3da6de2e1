import type { z } from 'zod';
import { HubError } from '../errors';

export type InputLocation = 'body' | 'query' | 'params';

export interface ValidationIssue {
	path: string;
	message: string;
	code: string;
}

export function validationFailed(issues: ValidationIssue[]): HubError {
	return new HubError(422, 'validation_failed', 'Request validation failed', issues);
}

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
