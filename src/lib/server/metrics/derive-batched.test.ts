import { afterEach, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { copySqliteToPostgres } from '$lib/server/db/copy';
import { writeBatches, writeEvents } from '$lib/server/ingest/writer';
import { ensureDefaultJourneys, saveJourney } from '$lib/server/journeys/registry';
import { FIXTURE_JOURNEY } from '$lib/server/journeys/testing';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { rebuildRollups } from './rollups';
import {
	cellsOf,
	DAY,
	flagsOf,
	instancesOf,
	randomHistory,
	replayWrite,
	T0,
	writeAndCapture
} from './derive-testing';

/**
 * The writer reads the stored rows of the customers it reconciles, and their journey instances, 64 customers a
 * statement for the whole batch (rollups.ts storedWindows, journeys/stitch.ts). With hundreds of customers per
 * batch (several statements each), late and out-of-order events, repeats within 48 h and 7 days across batch
 * boundaries and answers naming contacts of earlier batches, what it maintains must equal the same events written
 * one at a time, a group commit of several requests, a rebuild from raw rows, and PostgreSQL's derivation.
 */

const NOW = T0 + 12 * DAY;

async function database(): Promise<Db> {
	const db = openDatabase(':memory:');
	await ensureDefaultJourneys(db, T0);
	await saveJourney(db, FIXTURE_JOURNEY, 'test', { now: T0 });
	return db;
}

async function derived(db: Db) {
	return { cells: await cellsOf(db), flags: await flagsOf(db), instances: await instancesOf(db) };
}

const open: TestPostgres[] = [];
afterEach(async () => {
	for (const pg of open.splice(0)) await pg.close();
});

describe('derivation with batched reads of many customers', () => {
	it.each([11])(
		'history %i: batches of hundreds of customers equal one event at a time, group commits, a rebuild and PostgreSQL',
		{ timeout: 240_000 },
		async (seed) => {
			const batches = randomHistory(seed, 1_500, { customers: 200, maxBatch: 500 });
			// Most batches hold more customers than one statement reads.
			const customersPerBatch = batches.map((b) => new Set(b.map((e) => e.customerId)).size);
			expect(Math.max(...customersPerBatch)).toBeGreaterThan(2 * 64);

			const batched = await database();
			const pg = await testPostgres();
			open.push(pg);
			await copySqliteToPostgres(batched, pg.db);
			const writes = writeAndCapture(batched, batches, NOW);
			const expected = await derived(batched);
			expect(expected.cells.length).toBeGreaterThan(100);
			expect(expected.instances.length).toBeGreaterThan(10);
			// Survey links and repeat flags set across batch boundaries (not only as first stored).
			const flags = batched.$client
				.prepare(
					`SELECT count(*) FILTER (WHERE linked_contact_seq IS NOT NULL) AS links,
					   count(*) FILTER (WHERE repeat_48h = 1) AS repeats FROM events`
				)
				.get() as { links: number; repeats: number };
			expect(flags.links).toBeGreaterThan(30);
			expect(flags.repeats).toBeGreaterThan(30);

			const oneByOne = await database();
			for (const e of batches.flat() as CxEvent[])
				writeEvents(oneByOne, [e], { sourceId: 1, receivedAt: NOW });
			expect(await derived(oneByOne)).toEqual(expected);

			const grouped = await database();
			for (let i = 0; i < batches.length; i += 4)
				writeBatches(
					grouped,
					batches.slice(i, i + 4).map((events) => ({ events, sourceId: 1, receivedAt: NOW }))
				);
			expect(await derived(grouped)).toEqual(expected);

			for (const w of writes) await replayWrite(pg.db, w);
			expect(await cellsOf(pg.db)).toEqual(expected.cells);
			expect(await flagsOf(pg.db)).toEqual(expected.flags);
			expect(await instancesOf(pg.db)).toEqual(expected.instances);

			await rebuildRollups(batched);
			expect(await cellsOf(batched)).toEqual(expected.cells);
			expect(await flagsOf(batched)).toEqual(expected.flags);
		}
	);
});
