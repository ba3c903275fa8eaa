/**
 * `npm run admin -- user|key|data|embed …` against DATABASE_URL on either engine: a SQLite file and a test PostgreSQL
 * database (a mirror of the same fixture). The commands' effects are read back through the domains on the test's own
 * connection, and the data commands' counts compared across engines and to the fixture.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { listAudit } from '$lib/server/auth/audit';
import { listKeys } from '$lib/server/auth/keys';
import { authenticate, listUsers } from '$lib/server/auth/users';
import { listIntegrations } from '$lib/server/embed/integrations';
import { ensureDefaultJourneysSync, validJourney } from '$lib/server/journeys/registry';
import { upsertDefinitionSync } from '$lib/server/journeys/sqlite';
import { DAY, FIXTURE_JOURNEY, ingest, MIN, step, survey, T0 } from '$lib/server/journeys/testing';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { runAdmin } from '.';

const FILE = `/tmp/cli-engines-${process.pid}-${Date.now()}.db`;

/**
 * Three customers on the fixture journey: two finish (a, b, c_ok, d), one stops after b; each answers a CSAT survey
 * (the three events the KPI rollups count).
 */
function seed(db: Db): void {
	ensureDefaultJourneysSync(db, T0);
	upsertDefinitionSync(db, validJourney(FIXTURE_JOURNEY), 'test', T0);
	const events = ['x1', 'x2', 'x3'].flatMap((c, i) => {
		const t = T0 + i * MIN;
		const steps = i < 2 ? ['a', 'b', 'c_ok', 'd'] : ['a', 'b'];
		return [
			...steps.map((name, k) => step(c, name, t + k * MIN)),
			survey(c, t + 5 * MIN, 'csat', 5 - i, { teamId: 't1' })
		];
	});
	ingest(db, events, T0 + DAY);
}

let sqlite: Db;
let pg: TestPostgres;
const engines: { engine: string; url: () => string; storage: () => Storage }[] = [
	{ engine: 'sqlite', url: () => FILE, storage: () => sqliteStorage(sqlite) },
	{ engine: 'postgres', url: () => pg.url, storage: () => postgresStorage(pg.db) }
];

beforeAll(async () => {
	sqlite = openDatabase(FILE);
	seed(sqlite);
	pg = await mirrorToPostgres(sqlite);
}, 60_000); // Building and mirroring the fixture: seconds, more on a busy machine.

afterAll(async () => {
	await pg?.close();
	sqlite?.$client.close();
	for (const suffix of ['', '-wal', '-shm']) rmSync(FILE + suffix, { force: true });
});

/** Runs one command against the engine's DATABASE_URL; its exit code and printed lines. */
async function admin(url: string, ...argv: string[]): Promise<{ code: number; out: string[] }> {
	const out: string[] = [];
	const code = await runAdmin(argv, {
		env: { DATABASE_URL: url },
		out: (l) => out.push(l),
		err: (l) => out.push(l)
	});
	return { code, out };
}

const counts: Record<string, string[]> = {};

describe.each(engines)('npm run admin on $engine', ({ engine, url, storage }) => {
	it('user add|list|disable|enable|password, audited', async () => {
		const email = 'li.na@bank.example';
		let r = await admin(
			url(),
			'user',
			'add',
			'--email',
			email,
			'--password',
			'first-password-123',
			'--role',
			'manager',
			'--teams',
			't1,t2'
		);
		expect(r).toEqual({ code: 0, out: [`user ${email} added (manager, teams t1,t2)`] });
		expect(
			(
				await admin(
					url(),
					'user',
					'add',
					'--email',
					email,
					'--password',
					'x-password-1234',
					'--role',
					'admin'
				)
			).code
		).toBe(1);
		r = await admin(url(), 'user', 'list');
		expect(r.out.join('\n')).toMatch(/li\.na@bank\.example\s+manager\s+t1,t2\s+active/);
		expect((await admin(url(), 'user', 'disable', '--email', email)).code).toBe(0);
		let [user] = (await listUsers(storage())).filter((u) => u.email === email);
		expect(user).toMatchObject({ role: 'manager', teams: ['t1', 't2'], disabled: true });
		expect((await admin(url(), 'user', 'enable', '--email', email)).code).toBe(0);
		r = await admin(url(), 'user', 'password', '--email', email, '--password', 'second-password-456');
		expect(r.code).toBe(0);
		[user] = (await listUsers(storage())).filter((u) => u.email === email);
		expect(user.disabled).toBe(false);
		expect((await authenticate(storage(), email, 'second-password-456')).ok).toBe(true);
		expect((await authenticate(storage(), email, 'first-password-123')).ok).toBe(false);
		expect((await admin(url(), 'user', 'disable', '--email', 'nobody@bank.example')).code).toBe(1);
		const audited = (await listAudit(storage(), { pageSize: 200 })).rows
			.filter((a) => a.target === email)
			.map((a) => a.action)
			.sort();
		expect(audited).toEqual(['user.created', 'user.disabled', 'user.enabled', 'user.password_reset']);
	});

	it('key add (write, read)|list|revoke', async () => {
		let r = await admin(url(), 'key', 'add', '--name', 'CRM feed', '--kind', 'write');
		expect(r.code).toBe(0);
		expect(r.out[1]).toMatch(/^rsw_|^\S{20,}$/);
		r = await admin(url(), 'key', 'add', '--name', 'BI', '--kind', 'read', '--role', 'executive');
		expect(r.code).toBe(0);
		const keys = await listKeys(storage());
		const read = keys.find((k) => k.name === 'BI');
		const write = keys.find((k) => k.name === 'CRM feed');
		expect(read).toMatchObject({ kind: 'read', role: 'executive', revokedAt: null });
		expect(write).toMatchObject({ kind: 'write', revokedAt: null });
		expect(write?.sourceId).toEqual(expect.any(Number));
		r = await admin(url(), 'key', 'list');
		expect(r.out.join('\n')).toContain('CRM feed');
		expect(r.out.join('\n')).toContain('BI');
		expect((await admin(url(), 'key', 'revoke', '--id', String(read?.id))).out).toEqual([
			`key ${read?.id} (BI) revoked`
		]);
		expect((await admin(url(), 'key', 'revoke', '--id', String(read?.id))).out).toEqual([
			`key ${read?.id} was already revoked`
		]);
		expect((await listKeys(storage())).find((k) => k.name === 'BI')?.revokedAt).toEqual(expect.any(Number));
		expect((await admin(url(), 'key', 'revoke', '--id', '999999')).code).toBe(1);
		expect((await admin(url(), 'key', 'add', '--name', 'x', '--kind', 'other')).code).toBe(2);
	});

	it('embed add|list|revoke|remove', async () => {
		let r = await admin(
			url(),
			'embed',
			'add',
			'--name',
			'Portal',
			'--origins',
			'https://p.example',
			'--json'
		);
		expect(r.code).toBe(0);
		const { id } = JSON.parse(r.out[0]) as { id: string };
		expect((await listIntegrations(storage())).map((i) => [i.id, i.name, i.origins])).toEqual([
			[id, 'Portal', ['https://p.example']]
		]);
		r = await admin(url(), 'embed', 'list', '--json');
		expect((JSON.parse(r.out[0]) as { id: string }[]).map((i) => i.id)).toEqual([id]);
		expect((await admin(url(), 'embed', 'revoke', '--id', id)).code).toBe(0);
		expect((await listIntegrations(storage()))[0].revokedBefore).toBeGreaterThan(0);
		expect((await admin(url(), 'embed', 'remove', '--id', id)).code).toBe(0);
		expect(await listIntegrations(storage())).toEqual([]);
		expect((await admin(url(), 'embed', 'remove', '--id', id)).code).toBe(1);
	});

	it('data rebuild-rollups and restitch (all journeys, one, an unknown one)', async () => {
		let r = await admin(url(), 'data', 'rebuild-rollups');
		expect(r.code).toBe(0);
		expect(r.out[0]).toMatch(/^rollups rebuilt from 3 events: \d+ cells in /);
		const cells = r.out[0].replace(/ in .*/, '');
		r = await admin(url(), 'data', 'restitch', '--journey', 'fixture');
		expect(r.code).toBe(0);
		// One instance per customer who started the fixture journey.
		expect(r.out[0]).toMatch(/^3 journey instances rebuilt in /);
		r = await admin(url(), 'data', 'restitch');
		expect(r.code).toBe(0);
		const all = r.out[0].replace(/ in .*/, '');
		expect((await admin(url(), 'data', 'restitch', '--journey', 'nope')).code).toBe(2);
		const audited = (await listAudit(storage(), { pageSize: 200 })).rows.filter(
			(a) => a.action === 'data.rebuilt'
		);
		expect(audited.map((a) => a.target).sort()).toEqual(['journey:fixture', 'journeys', 'rollups']);
		counts[engine] = [cells, all];
		if (Object.keys(counts).length === engines.length) expect(counts.postgres).toEqual(counts.sqlite);
	});
});
