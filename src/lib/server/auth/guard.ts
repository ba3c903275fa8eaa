import { error, redirect } from '@sveltejs/kit';
import type { Role } from '$lib/server/db/schema';
import type { AuthSession, AuthUser } from './types';

/**
 * Authorization for every server entry point (load, action, +server.ts handler). Pages send an anonymous visitor
 * to /login?redirectTo=…; JSON APIs (paths under /api/) answer 401. A signed-in user without the role gets 403.
 * The auth hook tells the guard which request `locals` belongs to (rememberRequest); without it, 401 is thrown.
 */
const requests = new WeakMap<App.Locals, { pathname: string; search: string }>();

export function rememberRequest(locals: App.Locals, url: URL): void {
	requests.set(locals, { pathname: url.pathname, search: url.search });
}

export function isApiPath(pathname: string): boolean {
	// `/metrics` is read by machines too: read keys count there, errors are JSON.
	return pathname === '/api' || pathname.startsWith('/api/') || pathname === '/metrics';
}

/**
 * Only same-origin paths are followed after sign-in (an open redirect would help phishing). Control characters are
 * stripped and backslashes read as slashes first, as browsers do when they read a Location (`/\t/evil.example` and
 * `/\\evil.example` are `//evil.example` to them); what is left must be a path that resolves to our own origin.
 */
export function safeRedirectTarget(value: string | null | undefined): string | null {
	if (!value) return null;
	// eslint-disable-next-line no-control-regex
	const cleaned = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').replace(/\\/g, '/');
	if (!cleaned.startsWith('/') || cleaned.startsWith('//')) return null;
	const base = 'http://resonance.invalid';
	let resolved: URL;
	try {
		resolved = new URL(cleaned, base);
	} catch {
		return null;
	}
	if (resolved.origin !== base) return null;
	const target = resolved.pathname + resolved.search + resolved.hash;
	if (target === '/login' || target.startsWith('/login?') || target.startsWith('/logout')) return null;
	return target;
}

export function signInUrl(pathname: string, search = ''): string {
	const back = safeRedirectTarget(pathname + search);
	return back && back !== '/' ? `/login?redirectTo=${encodeURIComponent(back)}` : '/login';
}

export function requireUser(locals: App.Locals): AuthUser {
	if (locals.user) return locals.user;
	const request = requests.get(locals);
	if (request && !isApiPath(request.pathname)) redirect(303, signInUrl(request.pathname, request.search));
	error(401, { code: 'unauthorized', message: 'Sign in or send a valid read key' });
}

export function requireRole(locals: App.Locals, ...roles: Role[]): AuthUser {
	const user = requireUser(locals);
	if (!roles.includes(user.role))
		error(403, { code: 'forbidden', message: `This needs the role ${roles.join(' or ')}` });
	return user;
}

/** A signed-in person (not a read key), for screens about one's own account. */
export function requireSession(locals: App.Locals): { user: AuthUser; session: AuthSession } {
	const user = requireUser(locals);
	if (user.via !== 'session' || !locals.session)
		error(403, { code: 'forbidden', message: 'This needs a signed-in session' });
	return { user, session: locals.session };
}

/** Where each role starts after signing in. */
export const LANDING_PAGES: Record<Role, string> = {
	executive: '/wallboard',
	manager: '/trends',
	researcher: '/journeys',
	admin: '/admin'
};
