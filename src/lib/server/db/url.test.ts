import { describe, expect, it } from 'vitest';
import { DatabaseUrlError, describeDatabase, parseDatabaseUrl } from './url';

describe('parseDatabaseUrl', () => {
	it('defaults to the SQLite file and accepts paths, file: URLs and :memory:', () => {
		expect(parseDatabaseUrl(undefined)).toEqual({ engine: 'sqlite', file: './data/resonance.db' });
		expect(parseDatabaseUrl('  ')).toEqual({ engine: 'sqlite', file: './data/resonance.db' });
		expect(parseDatabaseUrl('/var/lib/resonance/r.db')).toEqual({
			engine: 'sqlite',
			file: '/var/lib/resonance/r.db'
		});
		expect(parseDatabaseUrl('file:./x.db')).toEqual({ engine: 'sqlite', file: './x.db' });
		expect(parseDatabaseUrl('file:///tmp/x.db')).toEqual({ engine: 'sqlite', file: '/tmp/x.db' });
		expect(parseDatabaseUrl(':memory:')).toEqual({ engine: 'sqlite', file: ':memory:' });
		expect(parseDatabaseUrl('C:\\data\\r.db')).toEqual({ engine: 'sqlite', file: 'C:\\data\\r.db' });
	});

	it('recognises PostgreSQL URLs in both spellings', () => {
		expect(parseDatabaseUrl('postgres://u:p@db.bank.local:5432/resonance')).toEqual({
			engine: 'postgres',
			url: 'postgres://u:p@db.bank.local:5432/resonance'
		});
		expect(parseDatabaseUrl('postgresql://127.0.0.1/resonance').engine).toBe('postgres');
	});

	it('stops on an unknown scheme or an incomplete PostgreSQL URL, naming DATABASE_URL', () => {
		for (const bad of [
			'mysql://u@h/db',
			'postgre://h/db',
			'sqlite://x.db',
			'postgres://h',
			'postgres:///db'
		]) {
			expect(() => parseDatabaseUrl(bad), bad).toThrow(DatabaseUrlError);
			expect(() => parseDatabaseUrl(bad), bad).toThrow(/DATABASE_URL/);
		}
	});

	it('hides the password when describing the database', () => {
		expect(describeDatabase(parseDatabaseUrl('postgres://app:s3cret@h:5432/r'))).toBe(
			'PostgreSQL postgres://app:***@h:5432/r'
		);
		expect(describeDatabase(parseDatabaseUrl('./r.db'))).toBe('SQLite ./r.db');
	});
});
