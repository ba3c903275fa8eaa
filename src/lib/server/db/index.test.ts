import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { databasePathFromEnv, openDatabase } from './index';

function tableNames(db: ReturnType<typeof openDatabase>): string[] {
	return (
		db.$client
			.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
			.pluck()
			.all() as string[]
	).filter((name) => !name.startsWith('sqlite_') && !name.startsWith('__'));
}

describe('openDatabase', () => {
	it('opens and migrates an in-memory database', () => {
		const db = openDatabase(':memory:');
		expect(tableNames(db)).toEqual(
			expect.arrayContaining(['events', 'event_ids', 'customers', 'teams', 'agents', 'users', 'sessions'])
		);
		const indexes = db.$client
			.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
			.pluck()
			.all();
		expect(indexes).toEqual(
			expect.arrayContaining(['events_ts', 'events_journey_steps', 'events_customer_interactions'])
		);
	});

	it('creates the folder of a file database, uses WAL and migrates idempotently', () => {
		const dir = mkdtempSync(join(tmpdir(), 'resonance-db-'));
		const file = join(dir, 'nested', 'folder', 'test.db');
		try {
			const first = openDatabase(file);
			expect(first.$client.pragma('journal_mode', { simple: true })).toBe('wal');
			first.$client.close();
			expect(existsSync(file)).toBe(true);
			const again = openDatabase(file);
			expect(tableNames(again)).toContain('events');
			again.$client.close();
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('databasePathFromEnv', () => {
	it('defaults to ./data/resonance.db and accepts file: URLs', () => {
		expect(databasePathFromEnv({})).toBe('./data/resonance.db');
		expect(databasePathFromEnv({ DATABASE_URL: 'file:/tmp/x.db' })).toBe('/tmp/x.db');
		expect(databasePathFromEnv({ DATABASE_URL: '/var/lib/r.db' })).toBe('/var/lib/r.db');
	});
});
