import { QueryFailedError } from 'typeorm';

/** True when PostgreSQL refused a write because of the named constraint (unique, foreign key or check). */
function violatesConstraint(error: unknown, constraint: string): boolean {
	return (
		error instanceof QueryFailedError && (error.driverError as { constraint?: unknown })?.constraint === constraint
	);
}

/**
 * Runs a write whose refusal by `constraint` has a meaning for the client (an agent of another account, a taken
 * e-mail): that refusal becomes `refusal()`, any other failure is rethrown as it is.
 */
export async function withConstraint<T>(constraint: string, refusal: () => Error, write: () => Promise<T>): Promise<T> {
	try {
		return await write();
	} catch (error) {
		if (violatesConstraint(error, constraint)) throw refusal();
		throw error;
	}
}
