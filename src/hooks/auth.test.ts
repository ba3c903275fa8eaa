import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, useDatabase, type Db } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { addReadKey } from '$lib/server/auth/keys';
import { SESSION_COOKIE, createSession, generateSessionToken } from '$lib/server/auth/session';
import { createUser } from '$lib/server/auth/users';
import { handleAuth } from './auth';

let db: Db;
let token: string;
let managerKey: string;

beforeAll(async () => {
	db = useDatabase(openDatabase(':memory:'));
	const user = await createUser(db, {
		email: 'lee@b.c',
		password: 'password',
		role: 'manager',
		teams: ['t-cc1']
	});
	token = generateSessionToken();
	await createSession(db, token, user.id);
	managerKey = (await addReadKey(db, { name: 'board', role: 'manager', teams: ['t-cc2'] })).key;
});

function cookieJar(values: Record<string, string>): Cookies & { set_: string[]; deleted: string[] } {
	const set_: string[] = [];
	const deleted: string[] = [];
	return {
		set_,
		deleted,
		get: (name: string) => values[name],
		getAll: () => Object.entries(values).map(([name, value]) => ({ name, value })),
		set: (name: string) => void set_.push(name),
		delete: (name: string) => void deleted.push(name),
		serialize: () => ''
	};
}

async function call(
	path: string,
	init: { method?: string; headers?: Record<string, string>; cookie?: string; guarded?: boolean } = {}
) {
	const url = new URL(path, 'http://localhost');
	const cookies = cookieJar(init.cookie ? { [SESSION_COOKIE]: init.cookie } : {});
	const event = {
		url,
		request: new Request(url, { method: init.method ?? 'GET', headers: init.headers }),
		cookies,
		locals: {} as App.Locals
	} as unknown as RequestEvent;
	let resolved = false;
	const response = await handleAuth({
		event,
		resolve: async (e) => {
			resolved = true;
			if (init.guarded === false) return new Response('ingested');
			const user = requireUser(e.locals);
			return Response.json({ role: user.role, teams: user.teams, via: user.via });
		}
	});
	return { response, resolved, cookies, locals: event.locals };
}

describe('handleAuth', () => {
	it('answers an anonymous JSON API call with 401 JSON before any handler runs', async () => {
		const { response, resolved } = await call('/api/v1/teams');
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({
			error: { code: 'unauthorized', message: expect.stringContaining('Sign in') }
		});
		expect(resolved).toBe(false);
	});

	it('lets public ingestion routes through without a user', async () => {
		const { response, resolved, locals } = await call('/api/v1/events', {
			method: 'POST',
			headers: { authorization: 'Bearer rsn_w_somewritekey' },
			guarded: false
		});
		expect(resolved).toBe(true);
		expect(response.status).toBe(200);
		expect(locals.user).toBeNull();
	});

	it('signs in by session cookie, and drops an unknown cookie', async () => {
		const ok = await call('/api/v1/teams', { cookie: token });
		expect(await ok.response.json()).toEqual({ role: 'manager', teams: ['t-cc1'], via: 'session' });
		const stale = await call('/trends', { cookie: 'not-a-session' }).catch((e: unknown) => e);
		expect(stale).toMatchObject({ status: 303 });
	});

	it('accepts a read key as Bearer on the JSON API only, with its role and teams', async () => {
		const ok = await call('/api/v1/teams', { headers: { authorization: `Bearer ${managerKey}` } });
		expect(await ok.response.json()).toEqual({ role: 'manager', teams: ['t-cc2'], via: 'read-key' });
		const bad = await call('/api/v1/teams', { headers: { authorization: 'Bearer rsn_r_unknown' } });
		expect(bad.response.status).toBe(401);
		expect((await bad.response.json()).error.code).toBe('invalid_key');
	});

	it('turns errors thrown under /api/ into the JSON error shape', async () => {
		const url = new URL('/api/v1/nothing', 'http://localhost');
		const response = await handleAuth({
			event: {
				url,
				request: new Request(url),
				cookies: cookieJar({ [SESSION_COOKIE]: token }),
				locals: {} as App.Locals
			} as unknown as RequestEvent,
			resolve: async () => Response.json({ message: 'Not found' }, { status: 404 })
		});
		expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'Not found' } });
	});
});
