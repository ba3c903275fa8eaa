import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { openPostgres } from '$lib/server/db/postgres';
import { deriveOnPostgres } from '$lib/server/metrics/derive-postgres';
import {
	cellsOf,
	eventNamesOf,
	flagsOf,
	instancesOf,
	randomHistory,
	T0,
	DAY
} from '$lib/server/metrics/derive-testing';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { postgresWriter } from './postgres-writer';
import { writeEvents } from './writer';

const opened: TestPostgres[] = [];
afterAll(async () => {
	for (const pg of opened) await pg.close();
});

/**
 * The whole write path on both engines: the same requests written by the SQLite writer and by the PostgreSQL writer
 * with its real derivation (not a replay) leave the same rollup cells, contact-chain flags, journey instances and
 * event-name counts; and split between two processes (two pools) at once, the same again.
 */
describe('ingestion on PostgreSQL, end to end', { timeout: 120_000 }, () => {
	it('derives what SQLite derives, from one process and from two at once', async () => {
		const batches = randomHistory(11, 300);
		const now = T0 + 20 * DAY;
		const sqlite = openDatabase(':memory:');
		for (const batch of batches) writeEvents(sqlite, batch, { sourceId: 1, receivedAt: now });

		const one = await testPostgres();
		opened.push(one);
		const writer = postgresWriter(one.db, { derive: deriveOnPostgres });
		for (const batch of batches) await writer.writeEvents(batch, { sourceId: 1, receivedAt: now });

		const expected = {
			cells: await cellsOf(sqlite),
			flags: await flagsOf(sqlite),
			instances: await instancesOf(sqlite),
			names: await eventNamesOf(sqlite)
		};
		expect(expected.cells.length).toBeGreaterThan(20);
		expect(expected.instances.length).toBeGreaterThan(5);
		expect(await cellsOf(one.db)).toEqual(expected.cells);
		expect(await flagsOf(one.db)).toEqual(expected.flags);
		expect(await instancesOf(one.db)).toEqual(expected.instances);
		expect(await eventNamesOf(one.db)).toEqual(expected.names);

		// Two processes: every request sent to both pools at the same time; each event is stored once, by whichever
		// process claims it first, and the two derive concurrently for the same customers.
		const two = await testPostgres();
		opened.push(two);
		const otherPool = await openPostgres(two.url, { pool: 4 });
		try {
			const a = postgresWriter(two.db, { derive: deriveOnPostgres });
			const b = postgresWriter(otherPool, { derive: deriveOnPostgres });
			for (const batch of batches) {
				const results = await Promise.all([
					a.writeEvents(batch, { sourceId: 1, receivedAt: now }),
					b.writeEvents(batch, { sourceId: 1, receivedAt: now })
				]);
				const accepted = results.reduce((n, r) => n + r.accepted, 0);
				expect(accepted).toBeLessThanOrEqual(new Set(batch.map((e) => e.id)).size);
			}
			expect(await cellsOf(two.db)).toEqual(expected.cells);
			expect(await flagsOf(two.db)).toEqual(expected.flags);
			expect(await instancesOf(two.db)).toEqual(expected.instances);
		} finally {
			await otherPool.$client.end();
		}
	});
});
