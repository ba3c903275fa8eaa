import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { authStore } from './store';
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
export async function stillAuthorized(
	db: Db | Storage,
	user: AuthUser,
	session: AuthSession | null,
	now = Date.now()
): Promise<boolean> {
	const store = authStore(db);
	if (user.via === 'read-key') {
		const id = Number(user.id.replace(/^key:/, ''));
		const key = await store.readKeyScope(id);
		if (!key || key.role !== user.role) return false;
		return sameTeams(key.role === 'manager' ? key.teams : [], user.teams);
	}
	if (!session) return false;
	const row = await store.sessionHolder(session.id, user.id, now);
	if (!row || row.disabled || row.role !== user.role) return false;
	return sameTeams(row.role === 'manager' ? await store.teamsOf(user.id) : [], user.teams);
}

/** A check for `sseResponse`: the caller of this request, re-validated against the database each time. */
export function recheckOf(db: Db | Storage, locals: App.Locals): () => Promise<boolean> {
	const user = locals.user;
	const session = locals.session;
	return async () => user !== null && (await stillAuthorized(db, user, session));
}

/**
 * What `stillAuthorized` judges of a caller, as text: streams with the same key get the same answer, so they share
 * one recheck (live/stream.ts `recheckKey`). Null when the request has no caller.
 */
export function recheckKeyOf(locals: App.Locals): string | undefined {
	const user = locals.user;
	if (!user) return undefined;
	return JSON.stringify([user.via, user.id, locals.session?.id ?? null, user.role, [...user.teams].sort()]);
}
