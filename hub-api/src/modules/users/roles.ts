/**
 * Roles inside an account, weakest first. Each includes everything the ones before it may do:
 * - viewer: read-only;
 * - member: operates agents (toggle, run) and makes the machine calls of the pipeline;
 * - admin: manages API keys and agents;
 * - owner: everything, billing included.
 */
export const ROLES = ['viewer', 'member', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, minimum: Role): boolean {
	return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}
