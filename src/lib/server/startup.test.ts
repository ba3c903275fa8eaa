import { afterEach, describe, expect, it, vi } from 'vitest';
import { testPostgres } from '$lib/server/testing/postgres';

/** startServer picks the engine from DATABASE_URL; every test gets fresh modules (startServer runs once a process). */
afterEach(() => {
	vi.resetModules();
});

describe('startServer', () => {
	it('stops the start on an unknown DATABASE_URL scheme with the DatabaseUrlError message', async () => {
		const { startServer } = await import('./startup');
		const { DatabaseUrlError } = await import('$lib/server/db/url');
		const start = startServer({ DATABASE_URL: 'mysql://db.example/resonance' });
		await expect(start).rejects.toBeInstanceOf(DatabaseUrlError);
		await expect(start).rejects.toThrow('DATABASE_URL: unknown scheme "mysql:"');
	});

	it('opens PostgreSQL from a postgres:// DATABASE_URL and makes it the process storage', async () => {
		const pg = await testPostgres();
		try {
			const { startServer } = await import('./startup');
			const db = await import('$lib/server/db');
			const relay = await import('$lib/server/live/relay');
			try {
				const s = await startServer({ DATABASE_URL: pg.url, RESONANCE_PG_POOL: '2' });
				expect(s.engine).toBe('postgres');
			} catch (error) {
				// Until every domain is ported, the start stops at the first service still on SQLite (startup.ts).
				expect(String(error)).toMatch(/does not run on PostgreSQL yet/);
			}
			const s = db.storage();
			expect(s.engine).toBe('postgres');
			expect(() => db.database()).toThrow();
			if (s.engine !== 'postgres') return;
			// Migrated, and the relay listens: another process's invalidation reaches this one.
			const [row] = await s.db.$client`SELECT count(*) AS n FROM embed_integrations`;
			expect(row.n).toBe(0);
			const heard: (string | null)[] = [];
			relay.onInvalidate('settings', (d) => heard.push(d));
			await s.db.$client.notify('resonance_invalidate', 'another-process settings kpi');
			const end = Date.now() + 5000;
			while (!heard.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
			expect(heard).toEqual(['kpi']);
			await relay.stopLive();
			await s.db.$client.end({ timeout: 1 });
		} finally {
			await pg.close();
		}
	});
});
