import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { verifyReadKey, verifyWriteKey } from '$lib/server/auth/keys';
import { authenticate, findUserByEmail } from '$lib/server/auth/users';
import { writeEvents } from '$lib/server/ingest/writer';
import { testPostgres } from '$lib/server/testing/postgres';

let dir: string;
let database: string;

beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'resonance-cli-'));
	database = join(dir, 'nested', 'cli.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `npm run admin -- …` the way a shell does (node scripts/admin.js), against the temp database. */
function admin(...args: string[]) {
	return adminWith({ DATABASE_URL: database }, ...args);
}

function adminWith(env: Record<string, string>, ...args: string[]) {
	const result = spawnSync(process.execPath, ['scripts/admin.js', ...args], {
		env: { ...process.env, ...env },
		encoding: 'utf8'
	});
	return { code: result.status, out: result.stdout, err: result.stderr };
}

async function withDb<T>(fn: (db: ReturnType<typeof openDatabase>) => T | Promise<T>): Promise<T> {
	const db = openDatabase(database);
	try {
		return await fn(db);
	} finally {
		db.$client.close();
	}
}

// Each call is a real process (node + esbuild bundle): give the suite room on a busy machine.
describe('npm run admin', { timeout: 90_000 }, () => {
	it('adds, lists, disables and re-passwords users', async () => {
		const added = admin(
			'user',
			'add',
			'--email',
			'Lee@Bank.example',
			'--password',
			'first-pass',
			'--role',
			'manager',
			'--teams',
			't-cc1,t-cc2'
		);
		expect(added).toMatchObject({ code: 0, err: '' });
		expect(added.out).toContain('user lee@bank.example added (manager, teams t-cc1,t-cc2)');
		expect(
			admin('user', 'add', '--email', 'ops@bank.example', '--password', 'ops-password', '--role', 'admin')
				.code
		).toBe(0);

		const list = admin('user', 'list');
		expect(list.code).toBe(0);
		expect(list.out).toMatch(/lee@bank\.example\s+manager\s+t-cc1,t-cc2\s+active/);
		expect(list.out).toMatch(/ops@bank\.example\s+admin\s+-\s+active/);

		expect(admin('user', 'password', '--email', 'lee@bank.example', '--password', 'second-pass').code).toBe(
			0
		);
		await withDb(async (db) => {
			expect((await authenticate(db, 'lee@bank.example', 'second-pass')).ok).toBe(true);
			expect((await authenticate(db, 'lee@bank.example', 'first-pass')).ok).toBe(false);
		});

		expect(admin('user', 'disable', '--email', 'lee@bank.example')).toMatchObject({ code: 0 });
		expect(admin('user', 'list').out).toMatch(/lee@bank\.example\s+manager\s+t-cc1,t-cc2\s+disabled/);
	});

	it('refuses with exit code 1 what the rules refuse', () => {
		const duplicate = admin(
			'user',
			'add',
			'--email',
			'ops@bank.example',
			'--password',
			'whatever1',
			'--role',
			'admin'
		);
		expect(duplicate.code).toBe(1);
		expect(duplicate.err).toContain('already has an account');
		expect(
			admin('user', 'add', '--email', 'm@bank.example', '--password', 'whatever1', '--role', 'manager').code
		).toBe(1);
		expect(
			admin('user', 'add', '--email', 'x@bank.example', '--password', 'short', '--role', 'admin').code
		).toBe(1);
		expect(admin('user', 'disable', '--email', 'nobody@bank.example')).toMatchObject({ code: 1 });
		expect(admin('key', 'revoke', '--id', '999')).toMatchObject({ code: 1 });
	});

	it('answers bad arguments with usage and exit code 2', () => {
		for (const args of [
			[],
			['frobnicate'],
			['user', 'delete', '--email', 'a@b.c'],
			['user', 'add', '--email', 'a@b.c', '--password', 'password1', '--role', 'boss'],
			['user', 'add', '--email', 'a@b.c', '--password', 'password1', '--role', 'admin', '--bogus', 'x'],
			['user', 'add', '--email', 'a@b.c'],
			['key', 'add', '--name', 'x', '--kind', 'other'],
			['key', 'add', '--name', 'x', '--kind', 'read'],
			['key', 'revoke', '--id', 'abc']
		]) {
			const result = admin(...args);
			expect(result.code, args.join(' ')).toBe(2);
			expect(result.err).toContain('Usage: npm run admin');
		}
		expect(admin('help')).toMatchObject({ code: 0 });
	});

	it('creates write and read keys (printed once), lists and revokes them', async () => {
		const write = admin('key', 'add', '--name', 'Mobile app', '--kind', 'write');
		expect(write.code).toBe(0);
		const writeKey = write.out.trim().split('\n').at(-1) ?? '';
		expect(writeKey).toMatch(/^rsn_w_[a-z2-7]{32}$/);
		const read = admin(
			'key',
			'add',
			'--name',
			'BI board',
			'--kind',
			'read',
			'--role',
			'manager',
			'--teams',
			't-cc1'
		);
		expect(read.code).toBe(0);
		const readKey = read.out.trim().split('\n').at(-1) ?? '';
		expect(readKey).toMatch(/^rsn_r_[a-z2-7]{32}$/);
		await withDb(async (db) => {
			expect(await verifyWriteKey(db, writeKey)).not.toBeNull();
			expect(await verifyReadKey(db, readKey)).toMatchObject({ role: 'manager', teams: ['t-cc1'] });
		});

		const list = admin('key', 'list');
		expect(list.code).toBe(0);
		expect(list.out).toContain('Mobile app');
		expect(list.out).toContain('manager t-cc1');
		expect(list.out).not.toContain(writeKey);
		const id = list.out.match(/^(\d+)\s+write\s+Mobile app/m)?.[1] ?? '';

		expect(admin('key', 'revoke', '--id', id)).toMatchObject({ code: 0 });
		expect(admin('key', 'list').out).toMatch(new RegExp(`^${id}\\s+write\\s+Mobile app.*revoked$`, 'm'));
		await withDb(async (db) => expect(await verifyWriteKey(db, writeKey)).toBeNull());
	});

	it('rebuilds rollups and journey instances from the stored events, audited', async () => {
		const cells = (db: ReturnType<typeof openDatabase>) =>
			db.$client.prepare('SELECT * FROM metric_cells ORDER BY key').raw().all();
		const instances = (db: ReturnType<typeof openDatabase>) =>
			db.$client.prepare('SELECT count(*) FROM journey_instances').pluck().get();
		const before = await withDb((db) => {
			const t = Date.now() - 3_600_000;
			writeEvents(
				db,
				[
					{
						id: 'r1',
						type: 'journey',
						ts: t,
						customerId: 'k1',
						name: 'loss_reported',
						channel: 'app',
						properties: {}
					},
					{
						id: 'r2',
						type: 'journey',
						ts: t + 60_000,
						customerId: 'k1',
						name: 'card_blocked',
						channel: 'app',
						properties: {}
					},
					{
						id: 'r3',
						type: 'contact',
						ts: t,
						customerId: 'k2',
						channel: 'phone',
						handledBy: 'agent',
						teamId: 'T1',
						agentId: 'A1',
						waitS: 12,
						handleS: 200,
						outcome: 'resolved',
						reason: 'card_lost',
						properties: {}
					},
					{
						id: 'r4',
						type: 'feedback',
						ts: t + 120_000,
						customerId: 'k2',
						metric: 'csat',
						score: 2,
						contactId: 'r3',
						properties: {}
					}
				],
				{ sourceId: null }
			);
			const snapshot = { cells: cells(db), instances: instances(db) };
			db.$client.exec(
				'DELETE FROM metric_cells; DELETE FROM metric_day_cells; DELETE FROM journey_interactions; DELETE FROM journey_instances'
			);
			return snapshot;
		});
		expect(before.instances).toBeGreaterThan(0);

		const rollups = admin('data', 'rebuild-rollups');
		expect(rollups).toMatchObject({ code: 0, err: '' });
		expect(rollups.out).toMatch(/rollups rebuilt from \d+ events: \d+ cells/);
		const journeys = admin('data', 'restitch');
		expect(journeys).toMatchObject({ code: 0, err: '' });
		expect(admin('data', 'restitch', '--journey', 'no_such_journey')).toMatchObject({ code: 2 });

		await withDb((db) => {
			expect(cells(db)).toEqual(before.cells);
			expect(instances(db)).toBe(before.instances);
			expect(
				db.$client
					.prepare("SELECT target FROM audit_log WHERE action = 'data.rebuilt' ORDER BY id")
					.pluck()
					.all()
			).toEqual(['rollups', 'journeys']);
		});
	});

	it('backs the database up and restores it, refusing while a server holds it', async () => {
		const copy = join(dir, 'backups', 'copy.db');
		const made = admin('backup', '--out', copy);
		expect(made).toMatchObject({ code: 0, err: '' });
		expect(made.out).toMatch(/backup .*copy\.db written: [\d.]+ MB in [\d.]+ s/);
		expect(admin('backup')).toMatchObject({ code: 2 });
		expect(admin('backup', '--out', copy)).toMatchObject({ code: 1 });
		expect(admin('restore', '--from', join(dir, 'missing.db'))).toMatchObject({ code: 1 });

		// A server holds the database (the lock names a live process: this test's).
		writeFileSync(
			`${database}.server`,
			JSON.stringify({ pid: process.pid, host: hostname(), startedAt: Date.now() })
		);
		const refused = admin('restore', '--from', copy);
		expect(refused.code).toBe(1);
		expect(refused.err).toMatch(/a server \(pid \d+ .*stop it first/);
		rmSync(`${database}.server`);

		await withDb((db) => db.$client.exec("DELETE FROM users WHERE email = 'ops@bank.example'"));
		const restored = admin('restore', '--from', copy);
		expect(restored).toMatchObject({ code: 0, err: '' });
		expect(restored.out).toMatch(/kept as .*before-restore-/);
		await withDb(async (db) => {
			expect(await findUserByEmail(db, 'ops@bank.example')).toBeTruthy();
			// The backup's own audit entry was written after its copy was taken, so only the restore is in it.
			expect(
				db.$client
					.prepare("SELECT action FROM audit_log WHERE action LIKE 'data.%ed' ORDER BY id")
					.pluck()
					.all()
			).toEqual(['data.restored']);
		});
	});

	it('deletes a customer (idempotent) and runs retention', async () => {
		await withDb((db) =>
			writeEvents(
				db,
				[
					{
						id: 'p1',
						type: 'contact',
						ts: Date.now() - 40 * 86_400_000,
						customerId: 'pipl-1',
						channel: 'phone',
						properties: {}
					},
					{
						id: 'p2',
						type: 'feedback',
						ts: Date.now() - 60_000,
						customerId: 'pipl-1',
						metric: 'csat',
						score: 2,
						text: '太慢了',
						properties: {}
					}
				],
				{ sourceId: null }
			)
		);
		const deleted = admin('customer', 'delete', '--id', 'pipl-1');
		expect(deleted).toMatchObject({ code: 0, err: '' });
		expect(deleted.out).toMatch(/customer deleted: \d+ rows removed/);
		expect(deleted.out).toMatch(/events\s+2$/m);
		expect(admin('customer', 'delete', '--id', 'pipl-1').out).toMatch(/nothing stored for this customer/);
		expect(admin('customer', 'delete')).toMatchObject({ code: 2 });

		expect(admin('retention', 'run')).toMatchObject({ code: 1 });
		expect(admin('retention', 'run', '--days', '7')).toMatchObject({ code: 2 });
		const pruned = admin('retention', 'run', '--days', '30');
		expect(pruned).toMatchObject({ code: 0, err: '' });
		expect(pruned.out).toMatch(/^\d+ events and \d+ texts before .* deleted/);
	});

	it('copies the SQLite database into PostgreSQL (migrate-to), verified by row counts, once', async () => {
		const pg = await testPostgres();
		try {
			// The target must be empty of data: the test pool only migrated it.
			const migrated = admin('migrate-to', '--url', pg.url);
			expect(migrated).toMatchObject({ code: 0, err: '' });
			expect(migrated.out).toMatch(
				/rows in \d+ tables copied to PostgreSQL postgres:\/\/.*; row counts match/
			);
			const expected = await withDb((db) => ({
				events: db.$client.prepare('SELECT count(*) FROM events').pluck().get() as number,
				users: db.$client.prepare('SELECT count(*) FROM users').pluck().get() as number,
				keys: db.$client.prepare('SELECT count(*) FROM api_keys').pluck().get() as number
			}));
			expect(expected.events).toBeGreaterThan(0);
			const [copied] = await pg.db.$client`SELECT
				(SELECT count(*) FROM events) AS events, (SELECT count(*) FROM users) AS users,
				(SELECT count(*) FROM api_keys) AS keys`;
			expect(copied).toEqual(expected);
			// The copied tables' planner statistics refreshed (ANALYZE by hand, not autovacuum's).
			await expect
				.poll(
					async () =>
						(await pg.db.$client`SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'events'`)[0]
							?.last_analyze ?? null,
					{ timeout: 20_000 }
				)
				.not.toBeNull();
			// Once: a second copy into the same database is refused.
			const again = admin('migrate-to', '--url', pg.url);
			expect(again.code).toBe(1);
			expect(again.err).toMatch(/not empty/);
			expect(admin('migrate-to', '--url', 'mysql://h/db')).toMatchObject({ code: 2 });
			// An unknown scheme in DATABASE_URL stops any command with a message naming it.
			const unknown = adminWith({ DATABASE_URL: 'mysql://h/db' }, 'user', 'list');
			expect(unknown.code).toBe(2);
			expect(unknown.err).toMatch(/DATABASE_URL: unknown scheme "mysql:"/);
			// Customer deletion and retention work against PostgreSQL too.
			const onPg = adminWith({ DATABASE_URL: pg.url }, 'customer', 'delete', '--id', 'nobody-here');
			expect(onPg).toMatchObject({ code: 0 });
			expect(onPg.out).toMatch(/nothing stored for this customer/);
		} finally {
			await pg.close();
		}
	});
});
