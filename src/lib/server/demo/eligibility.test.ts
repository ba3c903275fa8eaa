/**
 * The demo's accounts have published passwords, so the demo turns on only in a database of its own: `npm start`
 * (RESONANCE_DEMO=1) on a database holding other sources keeps it off, says why and how to force it, and disables
 * demo accounts found there (issue 16).
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { bootstrapAccounts, disableDemoAccounts } from '$lib/server/auth/bootstrap';
import { DEMO_ACCOUNTS } from '$lib/server/auth/demo-accounts';
import { createWriteKey, ensureWriteKey } from '$lib/server/auth/keys';
import { authenticate } from '$lib/server/auth/users';
import { decideDemo } from './eligibility';

describe('the demo only in a database of its own', () => {
	it('turns on in a new database and in its own (the simulator and RESONANCE_WRITE_KEY sources are its own)', async () => {
		const db = openDatabase(':memory:');
		expect(decideDemo(db, { RESONANCE_DEMO: '1' })).toMatchObject({ on: true, refusal: null });
		await createWriteKey(db, { name: 'Demo live simulator' });
		await ensureWriteKey(db, 'rsn_w_e2e_test_write_key', 'RESONANCE_WRITE_KEY');
		expect(decideDemo(db, { RESONANCE_DEMO: '1' })).toMatchObject({ on: true, refusal: null });
		expect(decideDemo(db, {}).on).toBe(false);
	});

	it('stays off on a database with other sources, says why and how to force it, and disables demo accounts', async () => {
		const db = openDatabase(':memory:');
		await bootstrapAccounts(db, { RESONANCE_DEMO: '1' }, () => {});
		await createWriteKey(db, { name: 'Mobile banking app' });
		const decision = decideDemo(db, { RESONANCE_DEMO: '1' });
		expect(decision.on).toBe(false);
		expect(decision.refusal).toContain('Mobile banking app');
		expect(decision.refusal).toContain('RESONANCE_DEMO=force');
		expect(decideDemo(db, { RESONANCE_DEMO: 'force' }).on).toBe(true);

		// What startServer does with a refusal: the demo accounts stop working in this database.
		expect(await disableDemoAccounts(db, () => {})).toHaveLength(DEMO_ACCOUNTS.length);
		for (const account of DEMO_ACCOUNTS)
			expect([account.email, (await authenticate(db, account.email, account.password)).ok]).toEqual([
				account.email,
				false
			]);
	});
});
