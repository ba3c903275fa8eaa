/**
 * Live streams re-check their caller: a stream opened by a session or a read key ends within seconds of sign-out,
 * the user's disabling, the key's revocation, or a change of role or teams (a manager's stream must not keep its
 * old team scope). The routes' own handlers are called, as SvelteKit calls them, on a real in-memory database.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as alertsStream } from '../../../routes/api/v1/alerts/stream/+server';
import { GET as kpiStream } from '../../../routes/api/v1/stream/+server';
import { openDatabase, useDatabase, type Db } from '$lib/server/db';
import { addReadKey, readKeyUser, revokeKey, verifyReadKey } from './keys';
import { RECHECK_INTERVAL_MS, recheckKeyOf, stillAuthorized } from './recheck';
import { createSession, generateSessionToken, invalidateSession, validateSessionToken } from './session';
import { createUser, setUserDisabled, updateUser } from './users';

let db: Db;
beforeAll(() => {
	db = useDatabase(openDatabase(':memory:'));
});

let n = 0;
async function signedIn(role: 'manager' | 'executive', teams: string[] = []) {
	const user = await createUser(db, {
		email: `viewer${++n}@bank.example`,
		password: 'password-1',
		role,
		teams
	});
	const token = generateSessionToken();
	await createSession(db, token, user.id);
	const validated = await validateSessionToken(db, token);
	if (!validated) throw new Error('no session');
	return { id: user.id, locals: { user: validated.user, session: validated.session } as App.Locals };
}

type StreamHandler = (event: never) => Response | Promise<Response>;

function open(handler: StreamHandler, locals: App.Locals, search = ''): Response {
	const url = new URL(`http://localhost/api/v1/stream${search}`);
	return handler({ locals, url, request: new Request(url) } as never) as Response;
}

/** Milliseconds until the stream ends, or null when it is still open after `withinMs`. */
async function endsWithin(response: Response, withinMs: number): Promise<number | null> {
	const reader = (response.body as ReadableStream<Uint8Array>).getReader();
	const started = Date.now();
	const deadline = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), withinMs));
	for (;;) {
		const next = await Promise.race([reader.read(), deadline]);
		if (next === 'open') {
			await reader.cancel();
			return null;
		}
		if (next.done) return Date.now() - started;
	}
}

const WITHIN = RECHECK_INTERVAL_MS + 2_000;

describe('live streams re-check their caller', () => {
	it('end within seconds of sign-out, disabling, revocation and a manager’s team change; stay open otherwise', async () => {
		const signedOut = await signedIn('executive');
		const disabled = await signedIn('executive');
		const moved = await signedIn('manager', ['t-cc1']);
		const steady = await signedIn('manager', ['t-cc1']);
		const key = await addReadKey(db, { name: 'wall tv', role: 'executive' });
		const keyUser = readKeyUser((await verifyReadKey(db, key.key))!);

		const streams = {
			signedOut: open(kpiStream, signedOut.locals),
			disabled: open(alertsStream, disabled.locals),
			moved: open(kpiStream, moved.locals, '?team=t-cc1'),
			revoked: open(alertsStream, { user: keyUser, session: null } as App.Locals),
			steady: open(kpiStream, steady.locals)
		};
		await invalidateSession(db, signedOut.locals.session!.id);
		await setUserDisabled(db, disabled.id, true);
		await updateUser(db, moved.id, { role: 'manager', teams: ['t-cc2'] });
		await revokeKey(db, key.id);

		const ended = await Promise.all(
			Object.entries(streams).map(
				async ([name, response]) => [name, await endsWithin(response, WITHIN)] as const
			)
		);
		for (const [name, ms] of ended)
			if (name === 'steady') expect([name, ms]).toEqual([name, null]);
			else expect([name, ms !== null && ms <= WITHIN]).toEqual([name, true]);
	});

	it('judges the identity a stream was opened with against the database', async () => {
		const viewer = await signedIn('manager', ['t-cc1']);
		const { user, session } = viewer.locals;
		expect(await stillAuthorized(db, user!, session)).toBe(true);
		await updateUser(db, viewer.id, { role: 'executive' });
		expect(await stillAuthorized(db, user!, session)).toBe(false);
	});

	it('ends every stream of a signed-out session, whichever route opened it', async () => {
		const wall = await signedIn('executive');
		const steady = await signedIn('executive');
		const streams = [
			open(kpiStream, wall.locals),
			open(kpiStream, wall.locals),
			open(alertsStream, wall.locals),
			open(kpiStream, steady.locals)
		];
		await invalidateSession(db, wall.locals.session!.id);
		const ended = await Promise.all(streams.map((s) => endsWithin(s, WITHIN)));
		expect(ended.map((ms) => ms !== null && ms <= WITHIN)).toEqual([true, true, true, false]);
	});

	it('shares a recheck only between callers the check cannot tell apart', async () => {
		const a = await signedIn('manager', ['t-cc1', 't-cc2']);
		const b = await signedIn('manager', ['t-cc1', 't-cc2']);
		const key = recheckKeyOf(a.locals);
		expect(recheckKeyOf({ ...a.locals } as App.Locals)).toBe(key);
		// Same teams in another order: the same question.
		expect(
			recheckKeyOf({ ...a.locals, user: { ...a.locals.user!, teams: ['t-cc2', 't-cc1'] } } as App.Locals)
		).toBe(key);
		// Another user, another session of the same user, another role or team set, a read key: another question.
		expect(recheckKeyOf(b.locals)).not.toBe(key);
		expect(
			recheckKeyOf({ ...a.locals, session: { ...a.locals.session!, id: 'other' } } as App.Locals)
		).not.toBe(key);
		expect(
			recheckKeyOf({ ...a.locals, user: { ...a.locals.user!, role: 'executive' } } as App.Locals)
		).not.toBe(key);
		expect(
			recheckKeyOf({ ...a.locals, user: { ...a.locals.user!, teams: ['t-cc1'] } } as App.Locals)
		).not.toBe(key);
		expect(
			recheckKeyOf({ ...a.locals, user: { ...a.locals.user!, via: 'read-key' } } as App.Locals)
		).not.toBe(key);
		expect(recheckKeyOf({ user: null, session: null } as App.Locals)).toBeUndefined();
	});
});
