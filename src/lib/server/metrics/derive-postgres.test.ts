import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { ensureDefaultJourneys, saveJourney } from '$lib/server/journeys/registry';
import { FIXTURE_JOURNEY } from '$lib/server/journeys/testing';
import { copySqliteToPostgres } from '$lib/server/db/copy';
import { openPostgres } from '$lib/server/db/postgres';
import { postgresStorage } from '$lib/server/db/storage';
import { closeTimedOut, restitchAll } from '$lib/server/journeys/stitch';
import { rebuildRollups } from './rollups';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import {
	cellsOf,
	eventNamesOf,
	flagsOf,
	instancesOf,
	randomHistory,
	replayWrite,
	T0,
	DAY,
	writeAndCapture
} from './derive-testing';

/** A SQLite database with the default and fixture journeys, and its PostgreSQL copy before any event. */
async function engines(): Promise<{ sqlite: Db; pg: TestPostgres }> {
	const sqlite = openDatabase(':memory:');
	await ensureDefaultJourneys(sqlite, T0);
	await saveJourney(sqlite, FIXTURE_JOURNEY, 'test', { now: T0 });
	const pg = await testPostgres();
	await copySqliteToPostgres(sqlite, pg.db);
	return { sqlite, pg };
}

const open: TestPostgres[] = [];
afterEach(async () => {
	for (const pg of open.splice(0)) await pg.close();
});

describe('deriveOnPostgres replays the SQLite writer’s derived writes', () => {
	it.each([1, 2, 3])(
		'random history %i: same cells, flags, links and journey instances',
		{ timeout: 120_000 },
		async (seed) => {
			const { sqlite, pg } = await engines();
			open.push(pg);
			const now = T0 + 12 * DAY;
			const writes = writeAndCapture(sqlite, randomHistory(seed), now);
			for (const w of writes) await replayWrite(pg.db, w);
			const cells = await cellsOf(sqlite);
			expect(cells.length).toBeGreaterThan(100);
			expect(await cellsOf(pg.db)).toEqual(cells);
			expect(await flagsOf(pg.db)).toEqual(await flagsOf(sqlite));
			const instances = await instancesOf(sqlite);
			expect(instances.length).toBeGreaterThan(3);
			expect(await instancesOf(pg.db)).toEqual(instances);
			expect(await eventNamesOf(pg.db)).toEqual(await eventNamesOf(sqlite));
		}
	);
});

describe('rebuilds and re-stitching on PostgreSQL', () => {
	it(
		'rebuildRollups, restitchAll and closeTimedOut give what the SQLite writer and SQLite’s own give',
		{ timeout: 180_000 },
		async () => {
			const { sqlite, pg } = await engines();
			open.push(pg);
			const now = T0 + 12 * DAY;
			for (const w of writeAndCapture(sqlite, randomHistory(4, 250), now)) await replayWrite(pg.db, w);
			const cells = await cellsOf(sqlite);
			const flags = await flagsOf(sqlite);
			const pgStorage = postgresStorage(pg.db);
			const rebuilt = await rebuildRollups(pgStorage);
			expect(rebuilt).toEqual(await rebuildRollups(sqlite));
			expect(rebuilt.events).toBeGreaterThan(100);
			expect(await cellsOf(pg.db)).toEqual(cells);
			expect(await flagsOf(pg.db)).toEqual(flags);
			const instances = await instancesOf(sqlite);
			expect(await restitchAll(pgStorage, { now, chunk: 5 })).toBe(instances.length);
			expect(await instancesOf(pg.db)).toEqual(instances);
			const later = now + 30 * DAY;
			const closed = await closeTimedOut(sqlite, later);
			expect(closed).toBeGreaterThan(0);
			expect(await closeTimedOut(pgStorage, later)).toBe(closed);
			expect(await instancesOf(pg.db)).toEqual(await instancesOf(sqlite));
		}
	);
});

describe('concurrent writers on PostgreSQL', () => {
	it('two pools deriving at once give the same cells as one', { timeout: 180_000 }, async () => {
		const { sqlite, pg } = await engines();
		open.push(pg);
		const now = T0 + 12 * DAY;
		// Two histories of different customers, written on SQLite one after the other.
		const a = writeAndCapture(sqlite, randomHistory(5, 200), now);
		const b = writeAndCapture(sqlite, randomHistory(6, 200), now);
		const second = await openPostgres(pg.url, { pool: 2 });
		try {
			await Promise.all([
				(async () => {
					for (const w of a) await replayWrite(pg.db, w);
				})(),
				(async () => {
					for (const w of b) await replayWrite(second, w);
				})()
			]);
		} finally {
			await second.$client.end({ timeout: 1 });
		}
		const cells = await cellsOf(sqlite);
		expect(cells.length).toBeGreaterThan(100);
		expect(await cellsOf(pg.db)).toEqual(cells);
		expect(await flagsOf(pg.db)).toEqual(await flagsOf(sqlite));
	});
});
