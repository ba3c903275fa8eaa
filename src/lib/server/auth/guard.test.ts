import { isHttpError, isRedirect } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import {
	rememberRequest,
	requireRole,
	requireSession,
	requireUser,
	safeRedirectTarget,
	signInUrl
} from './guard';
import type { AuthUser } from './types';

const manager: AuthUser = {
	id: 'u1',
	email: 'm@b.c',
	name: '',
	role: 'manager',
	teams: ['t-cc1'],
	via: 'session'
};

function locals(user: AuthUser | null, url?: string): App.Locals {
	const l: App.Locals = { user, session: user ? { id: 's', userId: user.id, expiresAt: 0 } : null };
	if (url) rememberRequest(l, new URL(url, 'http://localhost'));
	return l;
}

function thrown(fn: () => unknown): { status: number; location?: string; body?: unknown } | undefined {
	try {
		fn();
	} catch (e) {
		if (isRedirect(e)) return { status: e.status, location: e.location };
		if (isHttpError(e)) return { status: e.status, body: e.body };
		throw e;
	}
	return undefined;
}

describe('guards', () => {
	it('send an anonymous page visitor to sign in, keeping where they were going', () => {
		expect(thrown(() => requireUser(locals(null, '/trends?team=t-cc1')))).toEqual({
			status: 303,
			location: '/login?redirectTo=%2Ftrends%3Fteam%3Dt-cc1'
		});
		expect(thrown(() => requireUser(locals(null, '/')))).toEqual({ status: 303, location: '/login' });
	});

	it('answer 401 to an anonymous API call (and when the request is unknown)', () => {
		expect(thrown(() => requireUser(locals(null, '/api/v1/teams')))).toMatchObject({
			status: 401,
			body: { code: 'unauthorized' }
		});
		expect(thrown(() => requireUser(locals(null)))).toMatchObject({ status: 401 });
	});

	it('answer 403 to a signed-in user without the role', () => {
		expect(thrown(() => requireRole(locals(manager, '/admin'), 'admin'))).toMatchObject({
			status: 403,
			body: { code: 'forbidden' }
		});
		expect(requireRole(locals(manager, '/trends'), 'manager', 'executive')).toBe(manager);
		expect(requireUser(locals(manager, '/trends'))).toBe(manager);
	});

	it('tell sessions from read keys', () => {
		expect(requireSession(locals(manager, '/account')).user).toBe(manager);
		const key = locals({ ...manager, via: 'read-key' }, '/account');
		key.session = null;
		expect(thrown(() => requireSession(key))).toMatchObject({ status: 403 });
	});

	it('follow only same-site paths after sign-in', () => {
		expect(safeRedirectTarget('/trends?x=1')).toBe('/trends?x=1');
		expect(safeRedirectTarget('//evil.example')).toBeNull();
		expect(safeRedirectTarget('/\\evil.example')).toBeNull();
		expect(safeRedirectTarget('https://evil.example')).toBeNull();
		expect(safeRedirectTarget('/login?redirectTo=/x')).toBeNull();
		expect(signInUrl('/admin/users')).toBe('/login?redirectTo=%2Fadmin%2Fusers');
	});

	it('strip control characters and backslashes before judging a redirect (browsers ignore them)', () => {
		// /login?redirectTo=%2F%09%2Fevil.example: a tab between the slashes, read by browsers as //evil.example.
		expect(
			safeRedirectTarget(new URLSearchParams('redirectTo=%2F%09%2Fevil.example').get('redirectTo'))
		).toBe(null);
		expect(safeRedirectTarget('/\n/evil.example')).toBeNull();
		expect(safeRedirectTarget('/\\/evil.example')).toBeNull();
		expect(safeRedirectTarget('\t//evil.example')).toBeNull();
		expect(safeRedirectTarget('/\u0000/evil.example')).toBeNull();
		expect(safeRedirectTarget('/journeys/\tloss?x=1')).toBe('/journeys/loss?x=1');
	});
});
