import { afterEach, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { copySqliteToPostgres } from '$lib/server/db/copy';
import { openPostgres, type PgDb } from '$lib/server/db/postgres';
import { createRandom } from '$lib/server/demo/random';
import { postgresWriter } from '$lib/server/ingest/postgres-writer';
import { writeEvents } from '$lib/server/ingest/writer';
import { ensureDefaultJourneys, saveJourney } from '$lib/server/journeys/registry';
import { FIXTURE_JOURNEY } from '$lib/server/journeys/testing';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { deriveOnPostgres } from './derive-postgres';
import { cellsOf, DAY, flagsOf, randomHistory, T0 } from './derive-testing';

/**
 * Several server processes writing the same customers' events at once, in different orders, must derive what one
 * SQLite writer derives from the same events: every rollup cell, every contact's chain flags, every answer's and
 * complaint's link. Each "process" is its own pool with its own writer; their requests (group commits of one to
 * three requests) interleave.
 *
 * Events at the same instant are ordered by arrival (flags.ts `byTime`: (ts, seq)), so the answer depends on that
 * order when a customer has several: with such ties the reference is SQLite given the events in the order
 * PostgreSQL stored them; with distinct instants it is SQLite given them in time order.
 */

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
	for (const o of open.splice(0).reverse()) await o.close();
});

/** The events of a random history once each, without identifies (a customer's segment is stamped as of arrival). */
function eventsOf(seed: number, count: number, distinctInstants: boolean): CxEvent[] {
	const byId = new Map<string, CxEvent>();
	for (const batch of randomHistory(seed, count))
		for (const e of batch) if (e.type !== 'identify' && !byId.has(e.id)) byId.set(e.id, e);
	const events = [...byId.values()];
	if (!distinctInstants) return events;
	// Moved by a few milliseconds so that no two events share an instant (the chain and FCR windows' edges stay
	// exercised: an event 48 h after another is now 48 h ± a few ms after it).
	const taken = new Set<number>();
	return events.map((e) => {
		let ts = e.ts;
		while (taken.has(ts)) ts++;
		taken.add(ts);
		return { ...e, ts };
	});
}

/** The events shuffled, cut into requests of 1–12 events and groups of 1–3 requests, dealt to the writers in turn. */
function deal(events: readonly CxEvent[], seed: number, processes: number): CxEvent[][][][] {
	const r = createRandom(seed);
	const shuffled = [...events];
	for (let i = shuffled.length - 1; i > 0; i--) {
		const j = r.int(0, i);
		[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
	}
	const requests: CxEvent[][] = [];
	for (let i = 0; i < shuffled.length;) {
		const size = r.int(1, 12);
		requests.push(shuffled.slice(i, i + size));
		i += size;
	}
	const perProcess: CxEvent[][][][] = Array.from({ length: processes }, () => []);
	for (let i = 0, k = 0; i < requests.length; k++) {
		const size = r.int(1, 3);
		perProcess[k % processes].push(requests.slice(i, i + size));
		i += size;
	}
	return perProcess;
}

async function sqliteWith(events: readonly CxEvent[], now: number): Promise<Db> {
	const sqlite = openDatabase(':memory:');
	await ensureDefaultJourneys(sqlite, T0);
	await saveJourney(sqlite, FIXTURE_JOURNEY, 'test', { now: T0 });
	for (let i = 0; i < events.length; i += 10)
		writeEvents(sqlite, events.slice(i, i + 10), { sourceId: 1, receivedAt: now });
	return sqlite;
}

/** PostgreSQL with the journeys of the SQLite references, and a second pool on it (a second process). */
async function twoProcesses(): Promise<{ pg: TestPostgres; other: PgDb }> {
	const pg = await testPostgres();
	open.push(pg);
	await copySqliteToPostgres(await sqliteWith([], T0), pg.db);
	const other = await openPostgres(pg.url, { pool: 3, applicationName: 'resonance-second' });
	open.push({ close: () => other.$client.end({ timeout: 1 }) });
	return { pg, other };
}

/** Writes `events` through two processes at once, each its share of requests in a shuffled order. */
async function writeConcurrently(events: readonly CxEvent[], order: number, now: number) {
	const { pg, other } = await twoProcesses();
	const writers = [pg.db, other].map((db) => postgresWriter(db, { derive: deriveOnPostgres }));
	const groups = deal(events, order, writers.length);
	await Promise.all(
		writers.map(async (writer, p) => {
			for (const group of groups[p]) {
				const results = await writer.writeBatches(
					group.map((request) => ({ events: request, sourceId: 1, receivedAt: now }))
				);
				for (const result of results) if (result instanceof Error) throw result;
			}
		})
	);
	const [{ n }] = await pg.db.$client`SELECT count(*)::int AS n FROM events`;
	expect(n).toBe(events.length);
	return pg.db;
}

describe('two processes writing the same customers out of order on PostgreSQL', () => {
	const now = T0 + 12 * DAY;

	it.each([
		[21, 1],
		[22, 2]
	])(
		'history %i at distinct instants, order %i: what SQLite derives from the events in time order',
		{ timeout: 180_000 },
		async (seed, order) => {
			const events = eventsOf(seed, 300, true);
			const pg = await writeConcurrently(events, seed * 100 + order, now);
			const sqlite = await sqliteWith(
				[...events].sort((a, b) => a.ts - b.ts),
				now
			);
			const cells = await cellsOf(sqlite);
			expect(cells.length).toBeGreaterThan(100);
			expect(await flagsOf(pg)).toEqual(await flagsOf(sqlite));
			expect(await cellsOf(pg)).toEqual(cells);
		}
	);

	it.each([[11, 1]])(
		'history %i with simultaneous legs, order %i: what SQLite derives from the events in stored order',
		{ timeout: 180_000 },
		async (seed, order) => {
			const events = eventsOf(seed, 300, false);
			const pg = await writeConcurrently(events, seed * 100 + order, now);
			const stored = (await pg.$client`SELECT id FROM events ORDER BY seq`).map((r) => String(r.id));
			const byId = new Map(events.map((e) => [e.id, e]));
			const sqlite = await sqliteWith(
				stored.map((id) => byId.get(id) as CxEvent),
				now
			);
			const cells = await cellsOf(sqlite);
			expect(cells.length).toBeGreaterThan(100);
			expect(await flagsOf(pg)).toEqual(await flagsOf(sqlite));
			expect(await cellsOf(pg)).toEqual(cells);
		}
	);
});
