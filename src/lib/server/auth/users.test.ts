import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '$lib/server/db/storage';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import { rawRows } from './testing';
import {
	AccountError,
	authenticate,
	createUser,
	listUsers,
	parseTeams,
	setUserDisabled,
	setUserPassword,
	countUsers,
	findUserByEmail,
	getUser,
	toAuthUser,
	updateUser
} from './users';

describe.each(testEngines)('accounts on $engine', ({ open }) => {
	let db: Storage;
	const fresh = freshStorage(open);
	beforeEach(async () => {
		db = await fresh();
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

	describe('users', () => {
		it('creates users with normalised e-mail and argon2id hash, and authenticates them', async () => {
			const user = await createUser(db, {
				email: ' Wang@Bank.Example ',
				password: 'secret-pass',
				role: 'executive'
			});
			expect(user.email).toBe('wang@bank.example');
			expect((await rawRows(db, 'SELECT password_hash FROM users'))[0].password_hash).toMatch(
				/^\$argon2id\$/
			);
			const ok = await authenticate(db, 'WANG@bank.example', 'secret-pass');
			expect(ok.ok).toBe(true);
			expect(ok.ok && (await toAuthUser(db, ok.user))).toMatchObject({
				role: 'executive',
				teams: [],
				via: 'session'
			});
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
			expect((await listUsers(db))[0].teams).toEqual(['t-cc1', 't-cc2']);
			await updateUser(db, m.id, { role: 'researcher', teams: ['t-cc1'] });
			expect((await listUsers(db))[0]).toMatchObject({ role: 'researcher', teams: [] });
			expect(parseTeams('a, b,a ,')).toEqual(['a', 'b']);
			expect(await toAuthUser(db, (await getUser(db, m.id))!)).toMatchObject({
				role: 'researcher',
				teams: []
			});
			await updateUser(db, m.id, { role: 'manager', teams: ['t-z', 't-a'], name: ' Ma Li ' });
			expect(await listUsers(db)).toEqual([
				{
					id: m.id,
					email: 'm@b.c',
					name: 'Ma Li',
					role: 'manager',
					teams: ['t-a', 't-z'],
					disabled: false,
					createdAt: m.createdAt
				}
			]);
			expect((await toAuthUser(db, (await findUserByEmail(db, ' M@B.C '))!)).teams).toEqual(['t-a', 't-z']);
			expect(await countUsers(db)).toBe(1);
			expect(await getUser(db, 'missing')).toBeUndefined();
		});

		it('a disabled account cannot sign in, and the last admin is protected', async () => {
			const admin = await createUser(db, { email: 'root@b.c', password: 'password', role: 'admin' });
			expect(await code(() => setUserDisabled(db, admin.id, true))).toBe('last_admin');
			expect(await code(() => updateUser(db, admin.id, { role: 'executive' }))).toBe('last_admin');
			const user = await createUser(db, { email: 'u@b.c', password: 'password', role: 'executive' });
			await setUserDisabled(db, user.id, true);
			expect(await authenticate(db, 'u@b.c', 'password')).toMatchObject({ ok: false });
			await setUserDisabled(db, user.id, false);
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
});
