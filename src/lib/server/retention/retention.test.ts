import { afterEach, describe, expect, it } from 'vitest';
import { postgresStorage } from '$lib/server/db/storage';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { openDatabase, type Db } from '$lib/server/db';
import { kpis } from '$lib/server/metrics/kpis';
import { cxQuery, type CxQuery } from '$lib/server/metrics/query';
import { DAY_MS, writeHistory } from '$lib/server/testing/history';
import { MIN_RETENTION_DAYS, pruneExpired, retentionDays, retentionStatus } from '.';

const now = Date.parse('2026-12-01T04:00:00Z');
let db: Db;
afterEach(() => db?.$client.close());

const query = (from: number, to: number, by: CxQuery['by'] = null): CxQuery =>
	cxQuery({ from, to, by, grain: by === 'day' ? 'day' : null });
const all = (sql: string) => db.$client.prepare(sql).all();
const one = (sql: string, ...p: unknown[]) =>
	db.$client
		.prepare(sql)
		.pluck()
		.get(...p) as number;

describe('retention', { timeout: 60_000 }, () => {
	it('deletes raw events and texts past the period in batches, and the KPIs of those days stay as they were', async () => {
		db = openDatabase(':memory:');
		await writeHistory(db, { customers: 60, days: 45, now });
		const pruned = query(now - 45 * DAY_MS, now - 35 * DAY_MS, 'day');
		const whole = query(now - 45 * DAY_MS, now);
		const before = {
			days: await kpis(db, pruned),
			whole: await kpis(db, whole),
			team: await kpis(db, { ...pruned, by: 'team' }),
			cells: all('SELECT * FROM metric_cells ORDER BY key'),
			dayCells: all('SELECT * FROM metric_day_cells ORDER BY key'),
			journeys: all('SELECT * FROM journey_instances ORDER BY id'),
			cases: all('SELECT * FROM follow_up_cases ORDER BY id')
		};
		// The pruned days have answers with samples (not only insufficient data).
		expect(JSON.stringify(before.days)).toMatch(/"n":[1-9]/);
		const cutoff = now - 35 * DAY_MS;
		const old = one('SELECT count(*) FROM events WHERE ts < ?', cutoff);
		const oldTexts = one(
			'SELECT count(*) FROM text_docs WHERE seq IN (SELECT seq FROM events WHERE ts < ?)',
			cutoff
		);
		const kept = one('SELECT count(*) FROM events WHERE ts >= ?', cutoff);
		expect(old).toBeGreaterThan(1000);
		expect(oldTexts).toBeGreaterThan(100);

		const run = await pruneExpired(db, 35, { now, batch: 500, pauseMs: 0 });
		expect(run).toMatchObject({ before: cutoff, events: old, texts: oldTexts });
		expect(one('SELECT count(*) FROM events WHERE ts < ?', cutoff)).toBe(0);
		expect(one('SELECT count(*) FROM events')).toBe(kept);
		expect(one('SELECT count(*) FROM text_docs WHERE ts < ?', cutoff)).toBe(0);

		expect(await kpis(db, pruned)).toEqual(before.days);
		expect(await kpis(db, whole)).toEqual(before.whole);
		expect(await kpis(db, { ...pruned, by: 'team' })).toEqual(before.team);
		expect(all('SELECT * FROM metric_cells ORDER BY key')).toEqual(before.cells);
		expect(all('SELECT * FROM metric_day_cells ORDER BY key')).toEqual(before.dayCells);
		expect(all('SELECT * FROM journey_instances ORDER BY id')).toEqual(before.journeys);
		expect(all('SELECT * FROM follow_up_cases ORDER BY id')).toEqual(before.cases);
		expect((await retentionStatus(db)).lastRun).toEqual(run);
		expect((await retentionStatus(db)).oldestEvent).toBeGreaterThanOrEqual(cutoff);
		expect(
			db.$client.prepare("SELECT details FROM audit_log WHERE action = 'data.retention_pruned'").pluck().get()
		).toContain(`"events":${old}`);

		// Idempotent: a second run finds nothing.
		expect(await pruneExpired(db, 35, { now })).toMatchObject({ events: 0, texts: 0 });
	});

	it('prunes the same rows on PostgreSQL, once even when two processes prune together, and keeps what was derived', async () => {
		db = openDatabase(':memory:');
		await writeHistory(db, { customers: 40, days: 45, now });
		const cutoff = now - 35 * DAY_MS;
		const old = one('SELECT count(*) FROM events WHERE ts < ?', cutoff);
		const kept = one('SELECT count(*) FROM events WHERE ts >= ?', cutoff);
		const oldTexts = one(
			'SELECT count(*) FROM text_docs WHERE seq IN (SELECT seq FROM events WHERE ts < ?)',
			cutoff
		);
		let pg: TestPostgres | undefined;
		try {
			pg = await mirrorToPostgres(db);
			const sql = pg.db.$client;
			const derived = async () => ({
				cells: await sql`SELECT * FROM metric_cells ORDER BY key`,
				dayCells: await sql`SELECT * FROM metric_day_cells ORDER BY key`,
				journeys: await sql`SELECT * FROM journey_instances ORDER BY id`,
				cases: await sql`SELECT * FROM follow_up_cases ORDER BY id`
			});
			const before = await derived();
			// Two processes: two pools on the same database, pruning at once.
			const other = await pg.another();
			const [a, b] = await Promise.all([
				pruneExpired(postgresStorage(pg.db), 35, { now, batch: 300, pauseMs: 0 }),
				pruneExpired(postgresStorage(other), 35, { now, batch: 300, pauseMs: 0 })
			]);
			expect(a.events + b.events).toBe(old);
			expect(a.texts + b.texts).toBe(oldTexts);
			const [counts] = await sql`SELECT
				(SELECT count(*) FROM events WHERE ts < ${cutoff}) AS old,
				(SELECT count(*) FROM events) AS kept,
				(SELECT count(*) FROM text_docs WHERE ts < ${cutoff}) AS texts`;
			expect(counts).toEqual({ old: 0, kept, texts: 0 });
			expect(await derived()).toEqual(before);
			expect((await retentionStatus(postgresStorage(pg.db))).oldestEvent).toBeGreaterThanOrEqual(cutoff);
		} finally {
			await pg?.close();
		}
	});

	it('reads RESONANCE_RETENTION_DAYS, refusing a period too short for late events', () => {
		expect(retentionDays({})).toBeNull();
		expect(retentionDays({ RESONANCE_RETENTION_DAYS: '365' })).toBe(365);
		expect(() => retentionDays({ RESONANCE_RETENTION_DAYS: String(MIN_RETENTION_DAYS - 1) })).toThrow(
			/RESONANCE_RETENTION_DAYS must be a whole number of days of at least 30/
		);
		expect(() => retentionDays({ RESONANCE_RETENTION_DAYS: 'forever' })).toThrow(/not forever/);
	});
});
