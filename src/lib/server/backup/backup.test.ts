import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { lockFileOf } from '$lib/server/db/server-lock';
import { ingestConfig } from '$lib/server/ingest/config';
import { createIngestContext, type IngestContext } from '$lib/server/ingest/context';
import { writeEvents } from '$lib/server/ingest/writer';
import { backup, listBackups, restore, rotateBackups, scheduledBackup, backupConfig } from '.';

let dir: string;
let file: string;
let db: Db;
let ctx: IngestContext;

const base = Date.now() - 3_600_000;
const event = (id: string, i: number): CxEvent =>
	({
		id,
		type: 'feedback',
		ts: base + i,
		customerId: `c-${i % 500}`,
		channel: 'app',
		metric: 'csat',
		score: 1 + (i % 5),
		properties: { note: 'x'.repeat(150) }
	}) as CxEvent;

beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'resonance-backup-'));
	file = join(dir, 'live.db');
	db = openDatabase(file);
	// A history big enough that the copy takes a while (tens of ms) with ingestion going on.
	for (let b = 0; b < 40; b++)
		writeEvents(
			db,
			Array.from({ length: 1000 }, (_, i) => event(`old-${b}-${i}`, b * 1000 + i)),
			{ sourceId: null, dedupe: false, derive: false }
		);
	ctx = createIngestContext(db, { ...ingestConfig({}), groupCommitMs: 2 }, { writerThreadUrl: null });
});

afterAll(async () => {
	await ctx.close();
	db.$client.close();
	rmSync(dir, { recursive: true, force: true });
});

describe('backup and restore', { timeout: 60_000 }, () => {
	it('copies a consistent database while ingestion goes on, and restore brings back every event acknowledged before it began', async () => {
		const acknowledged: string[] = [];
		const latencies: number[] = [];
		let stop = false;
		let n = 0;
		const ingest = async () => {
			while (!stop) {
				const ids = Array.from({ length: 100 }, () => `live-${n++}`);
				const started = performance.now();
				await ctx.committer.submit({
					sourceId: null,
					events: ids.map((id, i) => event(id, 40_000 + n + i))
				});
				latencies.push(performance.now() - started);
				acknowledged.push(...ids);
				await new Promise((r) => setTimeout(r, 1));
			}
		};
		const writers = [ingest(), ingest()];
		await new Promise((r) => setTimeout(r, 100));
		const before = acknowledged.slice();
		const during = latencies.length;
		const copy = await backup(file, join(dir, 'copies', 'backup.db'));
		const duringBackup = latencies.slice(during);
		await new Promise((r) => setTimeout(r, 50));
		stop = true;
		await Promise.all(writers);
		expect(copy.bytes).toBeGreaterThan(1_000_000);
		// Ingestion went on while the copy was made, without a stall.
		expect(duringBackup.length).toBeGreaterThan(0);
		expect(acknowledged.length).toBeGreaterThan(before.length);
		expect(Math.max(...duringBackup)).toBeLessThan(1000);
		await expect(backup(file, copy.file)).rejects.toThrow(/exists already/);

		// A live server holds the target: restore refuses (the lock names a process that runs: our parent).
		const target = join(dir, 'restored.db');
		writeFileSync(
			lockFileOf(target),
			JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: Date.now() })
		);
		await expect(restore(copy.file, target)).rejects.toThrow(/a server \(pid \d+/);
		// A lock left by a process that is gone is ignored.
		writeFileSync(
			lockFileOf(target),
			JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: Date.now() })
		);
		await expect(restore(join(dir, 'nothing.db'), target)).rejects.toThrow(/no file/);
		writeFileSync(join(dir, 'junk.db'), 'not a database at all');
		await expect(restore(join(dir, 'junk.db'), target)).rejects.toThrow(/not a SQLite database/);

		expect(await restore(copy.file, target)).toEqual({ previous: null });
		const restored = openDatabase(target);
		try {
			const stored = new Set(restored.$client.prepare('SELECT id FROM events').pluck().all() as string[]);
			expect(stored.size).toBeGreaterThanOrEqual(40_000 + before.length);
			expect(before.filter((id) => !stored.has(id))).toEqual([]);
			// Restoring again keeps the replaced database beside it.
			restored.$client.close();
			const again = await restore(copy.file, target);
			expect(again.previous).toMatch(/restored\.db\.before-restore-/);
			expect(existsSync(again.previous!)).toBe(true);
		} finally {
			if (restored.$client.open) restored.$client.close();
		}
	});

	it('scheduled backups are named by time and rotated, keeping the newest', async () => {
		const config = backupConfig({ RESONANCE_BACKUP_DIR: join(dir, 'scheduled'), RESONANCE_BACKUP_KEEP: '2' });
		expect(config).toMatchObject({ hours: 24, keep: 2 });
		for (const minute of [1, 2, 3])
			await scheduledBackup(file, config, new Date(Date.UTC(2026, 11, 6, 3, minute)));
		expect(listBackups(config.dir!).map((b) => b.name)).toEqual([
			'resonance-2026-12-06T03-03-00Z.db',
			'resonance-2026-12-06T03-02-00Z.db'
		]);
		expect(rotateBackups(config.dir!, 1)).toEqual(['resonance-2026-12-06T03-02-00Z.db']);
		expect(() => backupConfig({ RESONANCE_BACKUP_HOURS: '-1' })).toThrow(/RESONANCE_BACKUP_HOURS/);
		expect(() => backupConfig({ RESONANCE_BACKUP_KEEP: '1.5' })).toThrow(/RESONANCE_BACKUP_KEEP/);
	});
});
