import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { touchpointGap } from './gap';
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
 * The gap's answer table (journey_gap_answers, kept by triggers) against the links and events it stands for: the
 * same rows, and the same gap for every range, filter and team scope, on both engines, through late events,
 * re-stitching, closing timed-out instances, deleting instances and deleting answers (retention, erasure). Some
 * answers are linked to two instances of one customer (a second journey started inside the first one's window).
 */

const mirrors: TestPostgres[] = [];
afterEach(async () => {
	for (const m of mirrors.splice(0)) await m.close();
});

const TEAMS = ['t1', 't2', 't3'] as const;

/** The fixture walk, with contacts and answers of three teams after some steps and a second journey (hours or days later) for some customers. */
function build(seed: number): Db {
	return walkedFixture(seed, 'G', {
		afterStep(r, id, t, events) {
			if (r.bernoulli(0.3)) {
				const teamId = TEAMS[r.int(0, 2)];
				events.push(contact(id, t + 5 * MIN, 'phone', { teamId }));
				events.push(
					survey(id, t + 20 * MIN, r.bernoulli(0.5) ? 'nps' : 'csat', r.int(1, 5), {
						channel: 'phone',
						teamId: r.bernoulli(0.8) ? teamId : undefined
					})
				);
			}
		},
		afterJourney(r, id, t, channel, events) {
			// A second journey for some customers: hours later (inside the first one's window, so an untagged answer
			// after it is linked to both) or days later.
			if (r.bernoulli(0.3)) {
				const again = t + (r.bernoulli(0.5) ? 2 * HOUR : 3 * DAY);
				events.push(step(id, 'a', again, channel));
				events.push(survey(id, again + 30 * MIN, 'csat', r.int(1, 5), { channel: 'chat' }));
			}
		}
	});
}

const QUERIES = [
	{ from: T0 - 12 * DAY, to: T0 + 4 * DAY },
	{ from: Date.UTC(2024, 11, 28), to: Date.UTC(2025, 0, 8) },
	{ from: T0 - 5 * DAY - 7 * HOUR, to: T0 + 13 * HOUR },
	{ from: T0 - 3 * HOUR, to: T0 + 5 * HOUR }
];
const FILTERS = [
	{ segment: null, channel: null },
	{ segment: 'mass', channel: null },
	{ segment: null, channel: 'app' },
	{ segment: 'affluent', channel: 'chat' }
] as const;
const SCOPES = [null, ['t1'], ['t2', 't3'], []];

async function expectSameGaps(storage: Storage): Promise<number> {
	let answers = 0;
	for (const range of QUERIES)
		for (const f of FILTERS)
			for (const teams of SCOPES) {
				const q = { ...range, ...f };
				const scan = await touchpointGap(storage, 'fixture', q, { teams, minN: 1, scan: true });
				const fast = await touchpointGap(storage, 'fixture', q, { teams, minN: 1 });
				expect(fast).toEqual(scan);
				answers += scan.touchpoints.csat.n + scan.touchpoints.nps.n + scan.journeyLevel.csat.n;
			}
	return answers;
}

const COLUMNS = `journey_key, started_at, instance_id, seq, segment, first_channel, channel, metric, score, tagged, team_id`;

/** The table as stored, and as recomputed from the links, the instances and the events. */
async function tableVsLinks(storage: Storage): Promise<[unknown[], unknown[]]> {
	const stored = `SELECT ${COLUMNS} FROM journey_gap_answers ORDER BY instance_id, seq`;
	const recomputed = `SELECT i.journey_key, i.started_at, i.id, e.seq, i.segment, i.first_channel, e.channel, e.metric,
		e.score, CASE WHEN e.journey IS NOT NULL THEN 1 ELSE 0 END, e.team_id
		FROM journey_interactions l JOIN journey_instances i ON i.id = l.instance_id JOIN events e ON e.seq = l.seq
		WHERE l.type = 'feedback' AND e.metric IN ('csat', 'nps') AND e.score IS NOT NULL ORDER BY i.id, e.seq`;
	return storedVsRecomputed(storage, stored, recomputed);
}

async function expectConsistent(storage: Storage): Promise<void> {
	const [stored, recomputed] = await tableVsLinks(storage);
	expect(stored.length).toBeGreaterThan(0);
	expect(stored).toEqual(recomputed);
}

/** Answers linked to more than one instance. */
function sharedAnswers(db: Db): number {
	return db.$client
		.prepare(
			`SELECT count(*) FROM (SELECT seq FROM journey_gap_answers GROUP BY journey_key, seq HAVING count(*) > 1)`
		)
		.pluck()
		.get() as number;
}

describe('touchpoint gap answer table', () => {
	it('equals the links and events on both engines, through late events, re-stitching and deletions', async () => {
		const db = build(7);
		const sqlite = sqliteStorage(db);
		await expectConsistent(sqlite);
		expect(sharedAnswers(db)).toBeGreaterThan(0);
		expect(await expectSameGaps(sqlite)).toBeGreaterThan(500);

		const pg = await mirrorToPostgres(db);
		mirrors.push(pg);
		const postgres = postgresStorage(pg.db);
		await expectConsistent(postgres);
		await expectSameGaps(postgres);
		const q = { ...QUERIES[0], segment: null, channel: null };
		expect(await touchpointGap(postgres, 'fixture', q)).toEqual(await touchpointGap(sqlite, 'fixture', q));

		// Late answers and a step that moves an instance's start, on SQLite (links added, instances updated).
		ingest(
			db,
			[
				survey('G1', T0 + 3 * HOUR, 'nps', 10, { journey: 'fixture' }),
				survey('G2', T0 - 8 * DAY, 'csat', 2),
				step('G3', 'a', T0 - 11 * DAY)
			],
			T0 + 3 * DAY
		);
		await expectConsistent(sqlite);
		await expectSameGaps(sqlite);

		// Re-stitching deletes and rewrites instances and links; closing timed-out ones updates their status.
		for (const storage of [sqlite, postgres]) {
			await restitchAll(storage, { now: T0 + 3 * DAY });
			await expectConsistent(storage);
			await expectSameGaps(storage);
			await closeTimedOut(storage, T0 + 6 * DAY);
			await expectConsistent(storage);
		}
		// Retention deletes answers (their links stay); erasure deletes instances (links deleted after them).
		const before = T0 - 6 * DAY;
		db.$client.prepare('DELETE FROM events WHERE ts < ?').run(before);
		await pg.db.$client.unsafe('DELETE FROM events WHERE ts < $1', [before]);
		db.$client.prepare("DELETE FROM journey_instances WHERE customer_id IN ('G4', 'G5', 'G6')").run();
		await pg.db.$client.unsafe("DELETE FROM journey_instances WHERE customer_id IN ('G4', 'G5', 'G6')");
		for (const storage of [sqlite, postgres]) {
			await expectConsistent(storage);
			await expectSameGaps(storage);
		}
		db.$client.close();
	}, 240_000);
});
