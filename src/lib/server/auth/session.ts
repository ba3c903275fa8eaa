import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Cookies } from '@sveltejs/kit';
import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { authStore } from './store';
import type { AuthSession, AuthUser } from './types';

/** Sessions the Lucia way (STACK.md): a random token in the cookie, only its SHA-256 in the database. */
export const SESSION_COOKIE = 'session';
const DAY_MS = 24 * 60 * 60 * 1000;
export const SESSION_LIFETIME_MS = 30 * DAY_MS;
/** A session is renewed (its expiry pushed back 30 days) once half of its life is spent. */
export const SESSION_RENEW_WITHIN_MS = SESSION_LIFETIME_MS / 2;

/** 20 random bytes, base32: 160 bits, unguessable and cookie-safe. */
export function generateSessionToken(): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

export function sessionIdOf(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(
	db: Db | Storage,
	token: string,
	userId: string,
	meta: { ip?: string | null; userAgent?: string | null; now?: number } = {}
): Promise<AuthSession> {
	const now = meta.now ?? Date.now();
	const session = { id: sessionIdOf(token), userId, expiresAt: now + SESSION_LIFETIME_MS };
	await authStore(db).insertSession({
		...session,
		createdAt: now,
		ip: meta.ip ?? null,
		userAgent: meta.userAgent?.slice(0, 300) ?? null
	});
	return session;
}

export interface ValidatedSession {
	session: AuthSession;
	user: AuthUser;
	/** True when the expiry was just pushed back: the cookie must be set again. */
	renewed: boolean;
}

/**
 * The session and user behind a token, or null when unknown, expired or the user is disabled (those sessions are
 * deleted on the way). Renews the session when half of its life is spent.
 */
export async function validateSessionToken(
	db: Db | Storage,
	token: string,
	now = Date.now()
): Promise<ValidatedSession | null> {
	if (!token) return null;
	const id = sessionIdOf(token);
	const store = authStore(db);
	const row = await store.sessionWithUser(id);
	if (!row) return null;
	if (now >= row.session.expiresAt || row.user.disabled) {
		await store.deleteSession(id);
		return null;
	}
	let expiresAt = row.session.expiresAt;
	const renewed = expiresAt - now < SESSION_RENEW_WITHIN_MS;
	if (renewed) {
		expiresAt = now + SESSION_LIFETIME_MS;
		await store.setSessionExpiry(id, expiresAt);
	}
	return {
		session: { id, userId: row.user.id, expiresAt },
		user: {
			id: row.user.id,
			email: row.user.email,
			name: row.user.name,
			role: row.user.role,
			teams: row.user.role === 'manager' ? await store.teamsOf(row.user.id) : [],
			via: 'session'
		},
		renewed
	};
}

/** The teams a manager is bound to, sorted. */
export async function teamsOf(db: Db | Storage, userId: string): Promise<string[]> {
	return authStore(db).teamsOf(userId);
}

export async function invalidateSession(db: Db | Storage, sessionId: string): Promise<void> {
	await authStore(db).deleteSession(sessionId);
}

/** Signs a user out everywhere, or everywhere but `exceptSessionId`; returns how many sessions ended. */
export async function invalidateUserSessions(
	db: Db | Storage,
	userId: string,
	exceptSessionId?: string
): Promise<number> {
	return authStore(db).deleteUserSessions(userId, exceptSessionId);
}

export interface SessionListing {
	id: string;
	createdAt: number;
	expiresAt: number;
	ip: string | null;
	userAgent: string | null;
	current: boolean;
}

/** The user's live sessions, newest first. The id is the token's hash, never the token. */
export async function listUserSessions(
	db: Db | Storage,
	userId: string,
	currentId?: string,
	now = Date.now()
): Promise<SessionListing[]> {
	return (await authStore(db).userSessions(userId, now)).map((s) => ({
		id: s.id,
		createdAt: s.createdAt,
		expiresAt: s.expiresAt,
		ip: s.ip,
		userAgent: s.userAgent,
		current: s.id === currentId
	}));
}

/** HttpOnly, SameSite=Lax, Secure when the site is served over https. */
export function setSessionCookie(cookies: Cookies, token: string, expiresAt: number, secure: boolean): void {
	cookies.set(SESSION_COOKIE, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		expires: new Date(expiresAt)
	});
}

export function deleteSessionCookie(cookies: Cookies, secure: boolean): void {
	cookies.delete(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
