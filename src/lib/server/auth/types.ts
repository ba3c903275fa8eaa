import type { Role } from '$lib/server/db/schema';

/** Who is asking: a signed-in user, or a read key acting with a role. */
export interface AuthUser {
	id: string;
	email: string;
	name: string;
	role: Role;
	/** The teams a manager is bound to (empty for other roles: they see all teams). */
	teams: string[];
	/** 'session' for a signed-in person, 'read-key' for an API client. */
	via: 'session' | 'read-key';
}

export interface AuthSession {
	id: string;
	userId: string;
	expiresAt: number;
}
