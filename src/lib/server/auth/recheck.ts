import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { apiKeys, sessions, users } from '$lib/server/db/schema';
import { teamsOf } from './session';
import type { AuthSession, AuthUser } from './types';

/** How often a live stream asks again whether its viewer may still watch. */
export const RECHECK_INTERVAL_MS = 3_000;

const sameTeams = (a: readonly string[], b: readonly string[]) =>
	a.length === b.length && [...a].sort().every((t, i) => t === [...b].sort()[i]);

/**
 * Whether the identity a long-lived answer (a live stream) was opened with still holds: the session still exists
 * and has not expired, its user is not disabled, and role and teams are unchanged; or the read key is not revoked
 * and has the same role and teams. A changed role or team set ends the stream, so a manager's stream never keeps an
 * old team scope: the client reconnects and gets the new one.
 */
export function stillAuthorized(
	db: Db,
	user: AuthUser,
	session: AuthSession | null,
	now = Date.now()
): boolean {
	if (user.via === 'read-key') {
		const id = Number(user.id.replace(/^key:/, ''));
		const key = db
			.select({ role: apiKeys.role, teams: apiKeys.teams })
			.from(apiKeys)
			.where(and(eq(apiKeys.id, id), eq(apiKeys.kind, 'read'), isNull(apiKeys.revokedAt)))
			.get();
		if (!key || key.role !== user.role) return false;
		return sameTeams(key.role === 'manager' ? key.teams : [], user.teams);
	}
	if (!session) return false;
	const row = db
		.select({ role: users.role, disabled: users.disabled })
		.from(sessions)
		.innerJoin(users, eq(sessions.userId, users.id))
		.where(and(eq(sessions.id, session.id), eq(sessions.userId, user.id), gt(sessions.expiresAt, now)))
		.get();
	if (!row || row.disabled || row.role !== user.role) return false;
	return sameTeams(row.role === 'manager' ? teamsOf(db, user.id) : [], user.teams);
}

/** A check for `sseResponse`: the caller of this request, re-validated against the database each time. */
export function recheckOf(db: Db, locals: App.Locals): () => boolean {
	const user = locals.user;
	const session = locals.session;
	return () => user !== null && stillAuthorized(db, user, session);
}
