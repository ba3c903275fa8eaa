import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, sqliteCacheMb, type Db } from './index';

describe('SQLite page cache settings', () => {
	let db: Db | undefined;
	afterEach(() => db?.$client.close());

	it('reads RESONANCE_SQLITE_CACHE_MB, or a writer variable with its own default', () => {
		expect(sqliteCacheMb({})).toBe(32);
		expect(sqliteCacheMb({ RESONANCE_SQLITE_CACHE_MB: ' ' })).toBe(32);
		expect(sqliteCacheMb({ RESONANCE_SQLITE_CACHE_MB: '128' })).toBe(128);
		expect(sqliteCacheMb({}, 'RESONANCE_SQLITE_WRITER_CACHE_MB', 64)).toBe(64);
		expect(
			sqliteCacheMb({ RESONANCE_SQLITE_WRITER_CACHE_MB: '16' }, 'RESONANCE_SQLITE_WRITER_CACHE_MB', 64)
		).toBe(16);
	});

	it('refuses a value that is not a whole number of MB from 8 to 4096, naming the variable', () => {
		for (const raw of ['abc', '4', '1.5', '5000', '-32'])
			expect(() => sqliteCacheMb({ RESONANCE_SQLITE_CACHE_MB: raw })).toThrow(
				`RESONANCE_SQLITE_CACHE_MB: expected a whole number of MB from 8 to 4096, got "${raw}"`
			);
		expect(() =>
			sqliteCacheMb({ RESONANCE_SQLITE_WRITER_CACHE_MB: 'x' }, 'RESONANCE_SQLITE_WRITER_CACHE_MB', 64)
		).toThrow(/^RESONANCE_SQLITE_WRITER_CACHE_MB: /);
	});

	it('sets the connection’s page cache in KiB (negative cache_size)', () => {
		db = openDatabase(':memory:', { cacheMb: 48 });
		expect(db.$client.pragma('cache_size', { simple: true })).toBe(-48 * 1024);
	});
});
