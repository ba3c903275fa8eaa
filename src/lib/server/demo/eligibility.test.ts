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
import { writeEvents } from '$lib/server/ingest/writer';
import { postgresStorage } from '$lib/server/db/storage';
import { mirrorToPostgres } from '$lib/server/testing/postgres';
import { decideDemo, foreignSources } from './eligibility';
import { isDatabaseEmpty, seedDirectory } from './seed';

describe('the demo only in a database of its own', () => {
	it('turns on in a new database and in its own (the simulator and RESONANCE_WRITE_KEY sources are its own)', async () => {
		const db = openDatabase(':memory:');
		expect(await decideDemo(db, { RESONANCE_DEMO: '1' })).toMatchObject({ on: true, refusal: null });
		await createWriteKey(db, { name: 'Demo live simulator' });
		await ensureWriteKey(db, 'rsn_w_e2e_test_write_key', 'RESONANCE_WRITE_KEY');
		expect(await decideDemo(db, { RESONANCE_DEMO: '1' })).toMatchObject({ on: true, refusal: null });
		expect((await decideDemo(db, {})).on).toBe(false);
	});

	it('stays off on a database with other sources, says why and how to force it, and disables demo accounts', async () => {
		const db = openDatabase(':memory:');
		await bootstrapAccounts(db, { RESONANCE_DEMO: '1' }, () => {});
		await createWriteKey(db, { name: 'Mobile banking app' });
		const decision = await decideDemo(db, { RESONANCE_DEMO: '1' });
		expect(decision.on).toBe(false);
		expect(decision.refusal).toContain('Mobile banking app');
		expect(decision.refusal).toContain('RESONANCE_DEMO=force');
		expect((await decideDemo(db, { RESONANCE_DEMO: 'force' })).on).toBe(true);

		// What startServer does with a refusal: the demo accounts stop working in this database.
		expect(await disableDemoAccounts(db, () => {})).toHaveLength(DEMO_ACCOUNTS.length);
		for (const account of DEMO_ACCOUNTS)
			expect([account.email, (await authenticate(db, account.email, account.password)).ok]).toEqual([
				account.email,
				false
			]);
	});
});

describe('eligibility and the directory on both engines', () => {
	it('gives the same sources, emptiness and directory on SQLite and on its PostgreSQL copy', async () => {
		const db = openDatabase(':memory:');
		await createWriteKey(db, { name: 'Demo live simulator' });
		const own = await ensureWriteKey(db, 'rsn_w_e2e_test_write_key', 'RESONANCE_WRITE_KEY');
		await createWriteKey(db, { name: 'Mobile banking app' });
		expect(await isDatabaseEmpty(db)).toBe(true);
		const pgEmpty = await mirrorToPostgres(db);
		try {
			const s = postgresStorage(pgEmpty.db);
			expect(await isDatabaseEmpty(s)).toBe(true);
			expect(await foreignSources(s)).toEqual(['Mobile banking app']);
			expect(await foreignSources(db)).toEqual(['Mobile banking app']);
			// The directory, twice (an upsert), on PostgreSQL.
			expect(await seedDirectory(s, 1000)).toEqual(await seedDirectory(s, 2000));
			const [teams] = await pgEmpty.db.$client`SELECT count(*) AS n, min(first_seen) AS first FROM teams`;
			expect(teams.n).toBeGreaterThan(0);
			expect(teams.first).toBe(1000);
		} finally {
			await pgEmpty.close();
		}

		// An event through RESONANCE_WRITE_KEY makes that source foreign too.
		const sourceId = own.sourceId;
		writeEvents(
			db,
			[{ id: 'e1', type: 'contact', ts: 5000, customerId: 'c1', channel: 'app', properties: {} }],
			{ sourceId }
		);
		await seedDirectory(db, 1000);
		const pg = await mirrorToPostgres(db);
		try {
			const s = postgresStorage(pg.db);
			expect(await isDatabaseEmpty(db)).toBe(false);
			expect(await isDatabaseEmpty(s)).toBe(false);
			expect(await foreignSources(db)).toEqual(['RESONANCE_WRITE_KEY', 'Mobile banking app']);
			expect(await foreignSources(s)).toEqual(await foreignSources(db));
			expect((await decideDemo(s, { RESONANCE_DEMO: '1' })).on).toBe(false);
			const [a] = await pg.db.$client`SELECT count(*) AS n FROM agents`;
			expect(a.n).toBe(db.$client.prepare('SELECT count(*) AS n FROM agents').pluck().get());
		} finally {
			await pg.close();
		}
	});
});
