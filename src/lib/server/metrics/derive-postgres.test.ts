import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { ensureDefaultJourneys, saveJourney } from '$lib/server/journeys/registry';
import { FIXTURE_JOURNEY } from '$lib/server/journeys/testing';
import { copySqliteToPostgres } from '$lib/server/db/copy';
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
	ensureDefaultJourneys(sqlite, T0);
	saveJourney(sqlite, FIXTURE_JOURNEY, 'test', { now: T0 });
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
