import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { funnel, orderStatistics } from './funnel';
import { quantileInterval, quantileSorted } from '$lib/server/stats';
import { createRandom } from '$lib/server/demo/random';
import { referenceFunnel } from './funnel-reference';
import { getJourney, journeyStore } from './registry';
import { FUNNEL_WINDOW_MS, funnelWindows } from './sqlite';
import { DAY, HOUR, MIN, step, T0, walkedFixture } from './testing';

/**
 * funnel.ts (one pass over the lines, customers found in a typed hash table, times in typed arrays) against the
 * funnel as computed before (funnel-reference.ts), on both engines: the same numbers, to the last digit, over a
 * history with repeat customers (second and third journeys, some deeper than the first, some equal), drops,
 * retries and loops, for ranges that cut through customers' journeys, filters, splits and both minimum n.
 */

const mirrors: TestPostgres[] = [];
afterEach(async () => {
	for (const m of mirrors.splice(0)) await m.close();
});

function build(seed: number): Db {
	return walkedFixture(seed, 'F', {
		afterStep(r, id, t, events) {
			// Retries and loops: the step again, or back to the start and through b again.
			if (r.bernoulli(0.15)) events.push(step(id, 'b', t + 2 * MIN));
			if (r.bernoulli(0.1)) {
				events.push(step(id, 'a', t + 3 * MIN));
				events.push(step(id, 'b', t + 9 * MIN));
			}
		},
		afterJourney(r, id, t, channel, events) {
			// Repeat customers: a second journey (as deep as the first, deeper or shallower) and sometimes a third.
			if (r.bernoulli(0.35)) {
				const s = t + Math.floor((1 + r.next() * 3) * DAY);
				events.push(step(id, 'a', s, channel));
				if (r.bernoulli(0.6)) events.push(step(id, 'b', s + Math.floor(r.next() * 10 * HOUR), channel));
				if (r.bernoulli(0.3)) events.push(step(id, 'c_ok', s + 11 * HOUR, 'phone'));
				if (r.bernoulli(0.3)) events.push(step(id, 'a', s + 2 * DAY, channel));
			} else if (r.bernoulli(0.2)) {
				// Two complete journeys more, days apart, with different step times: equally deep, so the earlier
				// one must be the one counted.
				for (const s of [t + 2 * DAY, t + 4 * DAY]) {
					let at = s;
					for (const name of ['a', 'b', 'c_ok', 'd']) {
						events.push(step(id, name, at, channel));
						at += Math.floor((1 + r.next() * 5) * HOUR);
					}
				}
			}
		}
	});
}

const RANGES = [
	{ from: T0 - 30 * DAY, to: T0 + 10 * DAY },
	{ from: T0 - 5 * DAY - 7 * HOUR, to: T0 + 13 * HOUR },
	{ from: T0 - 2 * DAY, to: T0 + 6 * DAY },
	{ from: T0 - 3 * HOUR, to: T0 + 5 * HOUR }
];
const FILTERS = [
	{ segment: null, channel: null },
	{ segment: 'mass', channel: null },
	{ segment: null, channel: 'app' }
] as const;
const NOWS = [T0 + 2 * DAY, T0 + 30 * DAY];

async function expectSameFunnels(target: Storage, db: Db): Promise<number> {
	const def = (await getJourney(db, 'fixture'))!.definition;
	let compared = 0;
	for (const range of RANGES)
		for (const filter of FILTERS)
			for (const now of NOWS)
				for (const by of [null, 'segment', 'channel'] as const)
					for (const minN of [1, 30]) {
						const q = { ...range, ...filter };
						const expected = await referenceFunnel(target, def, q, { now, by, minN });
						expect(await funnel(target, def, q, { now, by, minN })).toEqual(expected);
						compared++;
					}
	return compared;
}

describe('funnel against the reference', () => {
	it('has repeat customers, drops, retries and loops in its history', async () => {
		const db = build(22);
		const c = db.$client;
		const repeat = c
			.prepare(
				`SELECT count(*) FROM (SELECT customer_key FROM journey_instances GROUP BY customer_key HAVING count(*) > 1)`
			)
			.pluck()
			.get() as number;
		const equalDepths = c
			.prepare(
				`SELECT count(*) FROM (SELECT customer_key, depth FROM journey_instances
				 GROUP BY customer_key, depth HAVING count(*) > 1)`
			)
			.pluck()
			.get() as number;
		expect(repeat).toBeGreaterThan(20);
		expect(equalDepths).toBeGreaterThan(5);
		const statuses = c.prepare('SELECT DISTINCT status FROM journey_instances ORDER BY 1').pluck().all();
		expect(statuses).toEqual(['abandoned', 'completed', 'failed', 'in_progress']);
		const f = await funnel(db, (await getJourney(db, 'fixture'))!.definition, {
			...RANGES[0],
			segment: null,
			channel: null
		});
		expect(f.customers).toBe(160);
		expect(f.steps[1].timeN).toBeGreaterThan(30);
		// Customers with instances in two of the windows funnelText reads the widest range in: the deepest of each is
		// found across windows.
		expect(funnelWindows(RANGES[0].from, RANGES[0].to, FUNNEL_WINDOW_MS).length).toBeGreaterThan(1);
		const across = c
			.prepare(
				`SELECT count(*) FROM (SELECT customer_key FROM journey_instances WHERE started_at >= @from AND started_at < @to
				 GROUP BY customer_key HAVING min((started_at - @from) / @window) < max((started_at - @from) / @window))`
			)
			.pluck()
			.get({ ...RANGES[0], window: FUNNEL_WINDOW_MS }) as number;
		expect(across).toBeGreaterThan(10);
	});

	it.each([1, 2, 3])('gives the same funnels on SQLite and PostgreSQL (seed %i)', async (seed) => {
		const db = build(seed);
		const onSqlite = await expectSameFunnels(sqliteStorage(db), db);
		const pg = await mirrorToPostgres(db);
		mirrors.push(pg);
		const onPostgres = await expectSameFunnels(postgresStorage(pg.db), db);
		expect(onPostgres).toBe(onSqlite);
		expect(onSqlite).toBe(RANGES.length * FILTERS.length * NOWS.length * 3 * 2);
		// And the engines agree with each other.
		const def = (await getJourney(db, 'fixture'))!.definition;
		const q = { ...RANGES[0], segment: null, channel: null };
		expect(await funnel(postgresStorage(pg.db), def, q, { now: NOWS[0], by: 'segment' })).toEqual(
			await funnel(db, def, q, { now: NOWS[0], by: 'segment' })
		);
	});
});

describe('funnelText', () => {
	it.each([1, 2])(
		'carries the funnel lines in start order, in windows of any size, on both engines (seed %i)',
		async (seed) => {
			const db = build(seed);
			const pg = await mirrorToPostgres(db);
			mirrors.push(pg);
			let compared = 0;
			for (const target of [sqliteStorage(db), postgresStorage(pg.db)]) {
				const store = journeyStore(target);
				for (const range of RANGES)
					for (const by of [null, 'segment', 'channel'] as const) {
						const q = { ...range, segment: null, channel: null };
						const lines = await store.funnelLines('fixture', q, NOWS[0], by);
						expect(lines.length).toBeGreaterThan(0);
						for (const windowMs of [HOUR, 7 * HOUR, DAY, undefined]) {
							const texts = await store.funnelText('fixture', q, NOWS[0], by, windowMs);
							expect(texts.flatMap((t) => t.text.split('\n'))).toEqual(lines);
							expect(texts.map((t) => t.lines)).toEqual(texts.map((t) => t.text.split('\n').length));
							compared++;
						}
					}
			}
			expect(compared).toBe(2 * RANGES.length * 3 * 4);
		}
	);
});

describe('orderStatistics', () => {
	it('gives the quantiles and intervals of a full sort, for large samples with ties', () => {
		const r = createRandom(7);
		for (const n of [1, 2, 3, 30, 601, 5_000, 120_001]) {
			for (const spread of [5, 86_400]) {
				const values = Float64Array.from({ length: n }, () => Math.floor(r.next() * r.next() * spread));
				const sorted = values.slice().sort();
				const selected = orderStatistics(values.slice(), true);
				for (const p of [0.5, 0.9]) {
					expect([n, spread, p, quantileSorted(selected, p)]).toEqual([
						n,
						spread,
						p,
						quantileSorted(sorted, p)
					]);
					expect(quantileInterval(selected, p)).toEqual(quantileInterval(sorted, p));
				}
				// The same values, only rearranged.
				expect(selected.slice().sort()).toEqual(sorted);
			}
		}
	});
});
