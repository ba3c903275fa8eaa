import { m } from '$lib/paraglide/messages';
import type { Role } from '$lib/navigation';

/** The four roles in the order screens list them. */
export const ROLE_OPTIONS: readonly Role[] = ['executive', 'manager', 'researcher', 'admin'];

const labels: Record<Role, () => string> = {
	admin: m.auth_role_admin,
	executive: m.auth_role_executive,
	researcher: m.auth_role_researcher,
	manager: m.auth_role_manager
};

export function roleLabel(role: string): string {
	return role in labels ? labels[role as Role]() : role;
}
