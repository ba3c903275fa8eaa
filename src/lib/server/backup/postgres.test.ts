import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { audit } from '$lib/server/auth/audit';
import { writeEvents } from '$lib/server/ingest/writer';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import type { DatabaseTarget } from '$lib/server/db/url';
import { backup, listBackups, restore, scheduledBackup } from '.';

const dir = mkdtempSync(join(tmpdir(), 'resonance-pgbackup-'));
let pg: TestPostgres | undefined;
afterAll(async () => {
	await pg?.close();
	rmSync(dir, { recursive: true, force: true });
});

const counts = async (url: string) => {
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	try {
		const [row] =
			await sql`SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM audit_log)::int AS audit`;
		return row;
	} finally {
		await sql.end();
	}
};

describe('backup and restore on PostgreSQL (pg_dump / pg_restore)', { timeout: 60_000 }, () => {
	it('dumps a consistent copy, refuses to restore while a server is connected, then restores it and keeps the replaced one', async () => {
		const db = openDatabase(':memory:');
		const events = Array.from(
			{ length: 300 },
			(_, i) =>
				({
					id: `e${i}`,
					type: 'feedback',
					ts: Date.now() - i * 1000,
					customerId: `c${i % 40}`,
					channel: 'app',
					metric: 'csat',
					score: 1 + (i % 5),
					properties: {}
				}) as CxEvent
		);
		writeEvents(db, events, { sourceId: null });
		await audit(db, { action: 'data.imported', target: 'fixture' });
		pg = await mirrorToPostgres(db);
		const target: DatabaseTarget = { engine: 'postgres', url: pg.url };
		const before = await counts(pg.url);
		expect(before).toEqual({ events: 300, audit: 1 });

		const out = join(dir, 'manual.dump');
		const result = await backup(target, out);
		expect(result.bytes).toBeGreaterThan(1000);
		expect(existsSync(out)).toBe(true);
		await expect(backup(target, out)).rejects.toThrow(/exists already/);

		// Changes after the backup, which the restore takes back.
		await pg.db.$client`DELETE FROM events WHERE customer_id = 'c1'`;
		await audit({ engine: 'postgres', db: pg.db }, { action: 'data.restored', target: 'later' });

		// A server (a pool named resonance-<pid>) is connected: refused, nothing changed.
		await expect(restore(out, target)).rejects.toThrow(/Resonance server connection/);
		await pg.db.$client.end();
		const { previous } = await restore(out, target);
		expect(await counts(pg.url)).toEqual(before);
		expect(previous && existsSync(previous)).toBe(true);

		// A file that is not a dump is refused with a reason.
		const bogus = join(dir, 'not-a-dump.db');
		writeFileSync(bogus, 'SQLite format 3\u0000 not really');
		await expect(restore(bogus, target)).rejects.toThrow(/not a PostgreSQL dump/);

		// Scheduled backups of PostgreSQL are .dump files, listed and rotated like SQLite's.
		const scheduled = join(dir, 'scheduled');
		const first = await scheduledBackup(
			target,
			{ dir: scheduled, hours: 24, keep: 1 },
			new Date('2026-12-01T00:00:00Z')
		);
		expect(first.file).toMatch(/resonance-2026-12-01T00-00-00Z\.dump$/);
		await scheduledBackup(target, { dir: scheduled, hours: 24, keep: 1 }, new Date('2026-12-02T00:00:00Z'));
		expect(listBackups(scheduled).map((b) => b.name)).toEqual(['resonance-2026-12-02T00-00-00Z.dump']);
	});
});
