import { QueryFailedError } from 'typeorm';

/** True when PostgreSQL refused a write because of the named constraint (unique, foreign key or check). */
export function violatesConstraint(error: unknown, constraint: string): boolean {
	return (
		error instanceof QueryFailedError && (error.driverError as { constraint?: unknown })?.constraint === constraint
	);
}
