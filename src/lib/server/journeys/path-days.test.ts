import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { instanceGroups } from './groups';
import { closeTimedOut, restitchAll } from './stitch';
import {
	contact,
	DAY,
	HOUR,
	ingest,
	MIN,
	step,
	storedVsRecomputed,
	survey,
	T0,
	walkedFixture
} from './testing';

/**
 * The day rollup of path maps (journey_path_days, kept by triggers) against the scan of the instances: the same
 * groups for whole days, ranges with ragged edges, filters and every `now` (in-progress instances expiring on its
 * day), on both engines, after late events, re-stitching, closing timed-out instances and deleting instances.
 */

const mirrors: TestPostgres[] = [];
afterEach(async () => {
	for (const m of mirrors.splice(0)) await m.close();
});

/** The fixture walk, with contacts after some steps and a second journey days later for some customers. */
function build(seed: number): Db {
	return walkedFixture(seed, 'P', {
		afterStep(r, id, t, events) {
			if (r.bernoulli(0.2)) events.push(contact(id, t + 5 * MIN, 'phone'));
		},
		afterJourney(r, id, t, channel, events) {
			// A second journey for some customers, days later.
			if (r.bernoulli(0.2)) events.push(step(id, 'a', t + 3 * DAY, channel));
		}
	});
}

const QUERIES = [
	{ from: T0 - 12 * DAY, to: T0 + 4 * DAY },
	// Whole UTC days only.
	{ from: Date.UTC(2024, 11, 28), to: Date.UTC(2025, 0, 8) },
	// Ragged edges, a single whole day, no whole day.
	{ from: T0 - 5 * DAY - 7 * HOUR, to: T0 + 13 * HOUR },
	{ from: Date.UTC(2025, 0, 2) - HOUR, to: Date.UTC(2025, 0, 3) + HOUR },
	{ from: T0 - 3 * HOUR, to: T0 + 5 * HOUR }
];
const FILTERS = [
	{ segment: null, channel: null },
	{ segment: 'mass', channel: null },
	{ segment: null, channel: 'app' },
	{ segment: 'affluent', channel: 'chat' }
] as const;
/** Before, on and after the days the 10-day deadlines fall on. */
const NOWS = [T0 + 2 * DAY, T0 + 3 * DAY + 5 * HOUR, T0 + 6 * DAY, T0 + 30 * DAY];

async function expectSameGroups(storage: Storage): Promise<number> {
	let compared = 0;
	for (const range of QUERIES)
		for (const f of FILTERS)
			for (const now of NOWS) {
				const q = { ...range, ...f };
				const scan = await instanceGroups(storage, 'fixture', q, now, { scan: true });
				const fast = await instanceGroups(storage, 'fixture', q, now);
				expect(fast).toEqual(scan);
				compared += scan.length;
			}
	return compared;
}

/** The rollup as stored, and as recomputed from the instances. */
async function rollupVsInstances(storage: Storage): Promise<[unknown[], unknown[]]> {
	const key = `journey_key, day, segment, first_channel, shape_id, depth, status, open_day`;
	const stored = `SELECT ${key}, n, nps_n, nps_promoters, nps_detractors, csat_n, csat_satisfied, journey_nps_n,
		journey_nps_promoters, journey_nps_detractors, journey_csat_n, journey_csat_satisfied
		FROM journey_path_days ORDER BY ${key}`;
	const flag = (c: string) => `sum(CASE WHEN ${c} THEN 1 ELSE 0 END)`;
	const recomputed = `SELECT journey_key, started_at / 86400000 AS day, coalesce(segment, '') AS segment,
		coalesce(first_channel, '') AS first_channel, shape_id, depth, status,
		CASE WHEN status = 'in_progress' THEN deadline / 86400000 ELSE 0 END AS open_day, count(*) AS n,
		${['nps IS NOT NULL', 'nps >= 9', 'nps <= 6', 'csat IS NOT NULL', 'csat >= 4', 'journey_nps IS NOT NULL', 'journey_nps >= 9', 'journey_nps <= 6', 'journey_csat IS NOT NULL', 'journey_csat >= 4'].map(flag).join(', ')}
		FROM journey_instances GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`;
	return storedVsRecomputed(storage, stored, recomputed);
}

async function expectConsistent(storage: Storage): Promise<void> {
	const [stored, recomputed] = await rollupVsInstances(storage);
	expect(stored.length).toBeGreaterThan(0);
	expect(stored).toEqual(recomputed);
}

describe('path map day rollup', () => {
	it('equals the scan of the instances on both engines, through late events, re-stitching and deletions', async () => {
		const db = build(22);
		const sqlite = sqliteStorage(db);
		await expectConsistent(sqlite);
		const segments = db.$client
			.prepare('SELECT count(DISTINCT segment) FROM journey_instances WHERE segment IS NOT NULL')
			.pluck()
			.get();
		expect(segments).toBe(3);
		const compared = await expectSameGroups(sqlite);
		expect(compared).toBeGreaterThan(200);

		const pg = await mirrorToPostgres(db);
		mirrors.push(pg);
		const postgres = postgresStorage(pg.db);
		await expectConsistent(postgres);
		await expectSameGroups(postgres);
		// The same groups on both engines.
		const q = { ...QUERIES[0], segment: null, channel: null };
		expect(await instanceGroups(postgres, 'fixture', q, NOWS[1])).toEqual(
			await instanceGroups(sqlite, 'fixture', q, NOWS[1])
		);

		// Late answers and steps after the mirror, on both: updates through the triggers.
		const later = [
			survey('P1', T0 + 3 * HOUR, 'nps', 10, { journey: 'fixture' }),
			step('P2', 'd', T0 + 2 * HOUR),
			step('P3', 'b', T0 - 9 * DAY + HOUR)
		];
		ingest(db, later, T0 + 3 * DAY);
		await expectConsistent(sqlite);
		await expectSameGroups(sqlite);

		// Re-stitching deletes and rewrites instances; closing timed-out ones updates their status.
		for (const storage of [sqlite, postgres]) {
			await restitchAll(storage, { now: T0 + 3 * DAY });
			await expectConsistent(storage);
			await expectSameGroups(storage);
			expect(await closeTimedOut(storage, T0 + 6 * DAY)).toBeGreaterThan(0);
			await expectConsistent(storage);
			await expectSameGroups(storage);
		}
		// Retention and erasure delete instances.
		db.$client.prepare('DELETE FROM journey_instances WHERE started_at < ?').run(T0 - 4 * DAY);
		await pg.db.$client.unsafe('DELETE FROM journey_instances WHERE started_at < $1', [T0 - 4 * DAY]);
		for (const storage of [sqlite, postgres]) {
			await expectConsistent(storage);
			await expectSameGroups(storage);
		}
		db.$client.close();
	}, 240_000);
});
