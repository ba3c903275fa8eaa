import { afterAll, describe, expect, it } from 'vitest';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { openDatabase } from './index';
import { tablesInCopyOrder } from './copy';
import { runExclusive } from './jobs';
import { sqliteStorage, postgresStorage } from './storage';
import { mirrorToPostgres, testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { audit } from '$lib/server/auth/audit';
import { createWriteKey } from '$lib/server/auth/keys';

const opened: TestPostgres[] = [];
afterAll(async () => {
	for (const pg of opened) await pg.close();
});

describe('copying SQLite to PostgreSQL', () => {
	it('orders parents before the tables that reference them', () => {
		const names = tablesInCopyOrder().map((t) => getTableConfig(t).name);
		expect(names.indexOf('users')).toBeLessThan(names.indexOf('sessions'));
		expect(names.indexOf('alert_rules')).toBeLessThan(names.indexOf('alerts'));
		expect(names.indexOf('alerts')).toBeLessThan(names.indexOf('alert_history'));
		expect(new Set(names).size).toBe(names.length);
	});

	it('copies rows exactly (63-bit hashes, flags, JSON, Chinese text) and continues identities after them', async () => {
		const db = openDatabase(':memory:');
		await createWriteKey(db, { name: '渠道 app', allowedOrigins: ['https://bank.example'] });
		await audit(db, {
			action: 'key.created',
			target: 'key:1',
			details: { 名: '张三' },
			ts: 1_700_000_000_000
		});
		const hash = 2n ** 62n + 12345n;
		db.$client.prepare('INSERT INTO event_ids (hash, seen_at) VALUES (?, ?)').run(hash, 1);
		// SQLite's log may hold a hash twice; PostgreSQL's unique index keeps the first sighting.
		db.$client.prepare('INSERT INTO event_ids (hash, seen_at) VALUES (?, ?)').run(hash, 2);
		const pg = await mirrorToPostgres(db);
		opened.push(pg);
		const logged = await pg.db.$client`SELECT hash::text AS hash, seen_at FROM event_ids`;
		expect(logged).toEqual([{ hash: hash.toString(), seen_at: 1 }]);
		const [entry] = await pg.db.$client`SELECT details FROM audit_log`;
		expect(JSON.parse(entry.details as string)).toEqual({ 名: '张三' });
		const [source] = await pg.db.$client`SELECT name, allowed_origins FROM sources`;
		expect(source).toEqual({ name: '渠道 app', allowed_origins: '["https://bank.example"]' });
		// The next id on PostgreSQL follows the copied ones.
		await audit(postgresStorage(pg.db), { action: 'key.revoked', target: 'key:1' });
		const ids = await pg.db.$client`SELECT id FROM audit_log ORDER BY id`;
		expect(ids.map((r) => r.id)).toEqual([1, 2]);
	});

	it('refuses to copy into a database that already holds data', async () => {
		const db = openDatabase(':memory:');
		await audit(db, { action: 'key.created' });
		const pg = await mirrorToPostgres(db);
		opened.push(pg);
		const { copySqliteToPostgres } = await import('./copy');
		await expect(copySqliteToPostgres(db, pg.db)).rejects.toThrow(/not empty/);
	});
});

describe('runExclusive', () => {
	it('runs a job in one process at a time on PostgreSQL and always on SQLite', async () => {
		const pg = await testPostgres();
		opened.push(pg);
		const storage = postgresStorage(pg.db);
		let release!: () => void;
		const first = runExclusive(
			storage,
			'alerts',
			() => new Promise<string>((r) => (release = () => r('first')))
		);
		await new Promise((r) => setTimeout(r, 100));
		expect(await runExclusive(storage, 'alerts', async () => 'second')).toEqual({ ran: false });
		expect(await runExclusive(storage, 'backup', async () => 'other job')).toEqual({
			ran: true,
			value: 'other job'
		});
		release();
		expect(await first).toEqual({ ran: true, value: 'first' });
		expect(await runExclusive(storage, 'alerts', async () => 'again')).toEqual({ ran: true, value: 'again' });
		expect(await runExclusive(sqliteStorage(openDatabase(':memory:')), 'alerts', async () => 1)).toEqual({
			ran: true,
			value: 1
		});
	});
});
