import { describe, expect, it } from 'vitest';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import { bootstrapAccounts, FIRST_RUN_ADMIN_EMAIL } from './bootstrap';
import { DEMO_ACCOUNTS, DEMO_MANAGER_TEAM } from './demo-accounts';
import { authenticate, findUserByEmail, listUsers, setUserDisabled } from './users';

function capture() {
	const lines: string[] = [];
	return { lines, log: (line: string) => lines.push(line) };
}

describe.each(testEngines)('bootstrapAccounts on $engine', ({ open }) => {
	const fresh = freshStorage(open);
	const openDatabase = (_: string) => fresh();

	it('creates a first-run admin on an empty database and prints its password once', async () => {
		const db = await openDatabase(':memory:');
		const first = capture();
		await bootstrapAccounts(db, {}, first.log);
		const line = first.lines.find((l) => l.includes(FIRST_RUN_ADMIN_EMAIL));
		const password = line?.match(/password (\S+)/)?.[1] ?? '';
		expect(password).toHaveLength(16);
		expect((await authenticate(db, FIRST_RUN_ADMIN_EMAIL, password)).ok).toBe(true);

		const second = capture();
		await bootstrapAccounts(db, {}, second.log);
		expect(second.lines).toEqual([]);
		expect(await listUsers(db)).toHaveLength(1);
	});

	it('ensures the configured admin (creating, then repairing a changed password or a disabled account)', async () => {
		const db = await openDatabase(':memory:');
		const env = { RESONANCE_ADMIN_EMAIL: 'Ops@Bank.example', RESONANCE_ADMIN_PASSWORD: 'configured-pass' };
		await bootstrapAccounts(db, env, () => {});
		expect(await findUserByEmail(db, FIRST_RUN_ADMIN_EMAIL)).toBeUndefined();
		const admin = await findUserByEmail(db, 'ops@bank.example');
		expect(admin?.role).toBe('admin');
		await bootstrapAccounts(db, { ...env, RESONANCE_ADMIN_PASSWORD: 'rotated-password' }, () => {});
		expect((await authenticate(db, 'ops@bank.example', 'rotated-password')).ok).toBe(true);
		await bootstrapAccounts(db, { ...env, RESONANCE_ADMIN_EMAIL: 'second@bank.example' }, () => {});
		await setUserDisabled(db, admin?.id ?? '', true);
		await bootstrapAccounts(db, env, () => {});
		expect((await authenticate(db, 'ops@bank.example', 'configured-pass')).ok).toBe(true);
	});

	it('fails the start on an unusable configured password', async () => {
		const db = await openDatabase(':memory:');
		await expect(
			bootstrapAccounts(db, { RESONANCE_ADMIN_EMAIL: 'a@b.c', RESONANCE_ADMIN_PASSWORD: 'short' }, () => {})
		).rejects.toThrow(/RESONANCE_ADMIN_EMAIL\/PASSWORD/);
	});

	it('in demo mode ensures one account per role, the manager bound to the demo team, and prints them', async () => {
		const db = await openDatabase(':memory:');
		const out = capture();
		await bootstrapAccounts(db, { RESONANCE_DEMO: '1' }, out.log);
		expect(DEMO_MANAGER_TEAM).toBe('t-cc1');
		for (const account of DEMO_ACCOUNTS) {
			const result = await authenticate(db, account.email, account.password);
			expect(result.ok && result.user.role).toBe(account.role);
			expect(out.lines.some((l) => l.includes(account.email) && l.includes(account.password))).toBe(true);
		}
		expect((await listUsers(db)).find((u) => u.role === 'manager')?.teams).toEqual([DEMO_MANAGER_TEAM]);
		expect(await findUserByEmail(db, FIRST_RUN_ADMIN_EMAIL)).toBeUndefined();
		await bootstrapAccounts(db, { RESONANCE_DEMO: '1' }, () => {});
		expect(await listUsers(db)).toHaveLength(4);
	});
});
