import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { users } from '$lib/server/db/schema';
import {
	AccountError,
	authenticate,
	createUser,
	listUsers,
	parseTeams,
	setUserDisabled,
	setUserPassword,
	toAuthUser,
	updateUser
} from './users';

let db: Db;
beforeEach(() => {
	db = openDatabase(':memory:');
});

async function code(promise: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
	try {
		await (typeof promise === 'function' ? promise() : promise);
	} catch (error) {
		if (error instanceof AccountError) return error.code;
		throw error;
	}
	return undefined;
}

describe('accounts', () => {
	it('creates users with normalised e-mail and argon2id hash, and authenticates them', async () => {
		const user = await createUser(db, {
			email: ' Wang@Bank.Example ',
			password: 'secret-pass',
			role: 'executive'
		});
		expect(user.email).toBe('wang@bank.example');
		expect(db.select().from(users).get()?.passwordHash).toMatch(/^\$argon2id\$/);
		const ok = await authenticate(db, 'WANG@bank.example', 'secret-pass');
		expect(ok.ok).toBe(true);
		expect(ok.ok && toAuthUser(db, ok.user)).toMatchObject({ role: 'executive', teams: [], via: 'session' });
		expect((await authenticate(db, 'wang@bank.example', 'wrong-pass')).ok).toBe(false);
		expect(await authenticate(db, 'nobody@bank.example', 'secret-pass')).toEqual({
			ok: false,
			user: undefined
		});
	});

	it('refuses bad input with stable codes', async () => {
		await createUser(db, { email: 'a@b.c', password: 'password', role: 'admin' });
		expect(await code(createUser(db, { email: 'A@b.c', password: 'password', role: 'admin' }))).toBe(
			'email_taken'
		);
		expect(await code(createUser(db, { email: 'nope', password: 'password', role: 'admin' }))).toBe(
			'email_invalid'
		);
		expect(await code(createUser(db, { email: 'x@b.c', password: 'short', role: 'admin' }))).toBe(
			'password_too_short'
		);
		expect(await code(createUser(db, { email: 'm@b.c', password: 'password', role: 'manager' }))).toBe(
			'teams_required'
		);
		expect(
			await code(
				createUser(db, { email: 'm@b.c', password: 'password', role: 'manager', teams: ['bad team'] })
			)
		).toBe('team_invalid');
	});

	it('binds managers to teams and drops teams of other roles', async () => {
		const m = await createUser(db, {
			email: 'm@b.c',
			password: 'password',
			role: 'manager',
			teams: ['t-cc2', 't-cc1']
		});
		expect(listUsers(db)[0].teams).toEqual(['t-cc1', 't-cc2']);
		updateUser(db, m.id, { role: 'researcher', teams: ['t-cc1'] });
		expect(listUsers(db)[0]).toMatchObject({ role: 'researcher', teams: [] });
		expect(parseTeams('a, b,a ,')).toEqual(['a', 'b']);
	});

	it('a disabled account cannot sign in, and the last admin is protected', async () => {
		const admin = await createUser(db, { email: 'root@b.c', password: 'password', role: 'admin' });
		expect(await code(() => setUserDisabled(db, admin.id, true))).toBe('last_admin');
		expect(await code(() => updateUser(db, admin.id, { role: 'executive' }))).toBe('last_admin');
		const user = await createUser(db, { email: 'u@b.c', password: 'password', role: 'executive' });
		setUserDisabled(db, user.id, true);
		expect(await authenticate(db, 'u@b.c', 'password')).toMatchObject({ ok: false });
		setUserDisabled(db, user.id, false);
		expect(await authenticate(db, 'u@b.c', 'password')).toMatchObject({ ok: true });
	});

	it('changes passwords', async () => {
		const user = await createUser(db, { email: 'u@b.c', password: 'password', role: 'executive' });
		await setUserPassword(db, user.id, 'new-password');
		expect((await authenticate(db, 'u@b.c', 'password')).ok).toBe(false);
		expect((await authenticate(db, 'u@b.c', 'new-password')).ok).toBe(true);
		expect(await code(setUserPassword(db, 'missing', 'new-password'))).toBe('not_found');
	});
});
