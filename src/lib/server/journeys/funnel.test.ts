import { afterEach, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import { postgresStorage, type Storage } from '$lib/server/db/storage';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { deepestInstances, funnel } from './funnel';
import { getJourney } from './registry';
import { DAY, fixtureDb, HOUR, ingest, MIN, step, T0 } from './testing';

const NOW = T0 + 2 * DAY;
const range = { from: T0 - 30 * DAY, to: T0 + DAY, segment: null, channel: null };

/**
 * Six customers through a → b → (c_ok | c_no) → d, with the funnel worked out by hand:
 *   C1 a0 b10 c_ok70 d130            completed, every step
 *   C2 a0 b20 c_no50                 failed at c
 *   C3 a0 b30                        in progress at b
 *   C4 a (21 days before)            abandoned at a (window 10 days)
 *   C5 a0 c_ok5 b15 d45              c came before b: in order only a, b (completed, but not through c)
 *   C6 a0 b10 b20 a25 b30 c_ok40 d100  loops: the first b counts, c 30 min after it
 */
function sixCustomers(): CxEvent[] {
	const m = (n: number) => T0 + n * MIN;
	return [
		step('C1', 'a', m(0)),
		step('C1', 'b', m(10)),
		step('C1', 'c_ok', m(70), 'phone'),
		step('C1', 'd', m(130)),
		step('C2', 'a', m(0)),
		step('C2', 'b', m(20)),
		step('C2', 'c_no', m(50)),
		step('C3', 'a', m(0)),
		step('C3', 'b', m(30)),
		step('C4', 'a', T0 - 21 * DAY),
		step('C5', 'a', m(0)),
		step('C5', 'c_ok', m(5)),
		step('C5', 'b', m(15)),
		step('C5', 'd', m(45)),
		step('C6', 'a', m(0)),
		step('C6', 'b', m(10)),
		step('C6', 'b', m(20)),
		step('C6', 'a', m(25)),
		step('C6', 'b', m(30)),
		step('C6', 'c_ok', m(40)),
		step('C6', 'd', m(100))
	];
}

const mirrors: TestPostgres[] = [];
afterEach(async () => {
	for (const m of mirrors.splice(0)) await m.close();
});

/**
 * The funnel of a SQLite fixture and of its PostgreSQL mirror: asserted equal, so the hand-computed expectations
 * below hold on both engines.
 */
async function bothEngines(db: Db) {
	const pg = await mirrorToPostgres(db);
	mirrors.push(pg);
	return async <T>(ask: (target: Db | Storage) => Promise<T>): Promise<T> => {
		const onSqlite = await ask(db);
		expect(await ask(postgresStorage(pg.db))).toEqual(onSqlite);
		return onSqlite;
	};
}

describe('funnel', () => {
	it('counts customers reaching each step in order, with conversions and times computed by hand', async () => {
		const db = fixtureDb();
		ingest(db, sixCustomers(), NOW);
		const def = (await getJourney(db, 'fixture'))!.definition;
		const both = await bothEngines(db);
		const f = await both((t) => funnel(t, def, range, { minN: 1, now: NOW }));
		expect(f.customers).toBe(6);
		const [a, b, c, d] = f.steps;

		expect(a).toMatchObject({ step: 'a', customers: 6, conversionFromStart: 100, lost: 1, inProgress: 0 });
		expect(a.medianSecondsFromPrevious).toBeNull();

		// b: C1 600 s, C2 1200, C3 1800, C5 900, C6 600 → median 900; p90 at rank 3.6 → 1200 + 0.6·600
		expect(b).toMatchObject({ step: 'b', customers: 5, timeN: 5, inProgress: 1, lost: 0 });
		expect(b.conversionFromStart).toBeCloseTo(83.333, 2);
		expect(b.conversionFromPrevious).toBeCloseTo(83.333, 2);
		expect(b.medianSecondsFromPrevious).toBe(900);
		expect(b.p90SecondsFromPrevious).toBeCloseTo(1560, 6);

		// c: C1 3600 (c_ok), C2 1800 (c_no), C6 1800 (c_ok) → median 1800, p90 1800 + 0.8·1800
		expect(c).toMatchObject({ step: 'c_ok|c_no', customers: 3, lost: 1, timeN: 3 });
		// C3 is still in progress at b (its window has not passed): out of the denominators after b (DOMAIN.md).
		expect(c.conversionFromStart).toBe(60);
		expect(c).toMatchObject({ startCustomers: 5, previousCustomers: 4 });
		expect(c.conversionFromPrevious).toBe(75);
		expect(c.medianSecondsFromPrevious).toBe(1800);
		expect(c.p90SecondsFromPrevious).toBeCloseTo(3240, 6);
		expect(c.branches).toEqual([
			{ event: 'c_ok', customers: 2 },
			{ event: 'c_no', customers: 1 }
		]);

		// d: C1 and C6, an hour after c each
		expect(d).toMatchObject({
			step: 'd',
			customers: 2,
			medianSecondsFromPrevious: 3600,
			p90SecondsFromPrevious: 3600
		});
		expect(d.conversionFromStart).toBe(40);
		expect(d.conversionFromPrevious).toBeCloseTo(66.667, 2);

		// 95% Wilson intervals of the conversions, by hand: 5 of 6 → 43.6%…97.0%; 2 of 5 → 11.8%…76.9%.
		const [lo, hi] = b.conversionFromStartCi95 ?? [NaN, NaN];
		expect(lo).toBeCloseTo(43.65, 1);
		expect(hi).toBeCloseTo(96.99, 1);
		expect(d.conversionFromStartCi95?.[0]).toBeCloseTo(11.76, 1);
		expect(d.conversionFromStartCi95?.[1]).toBeCloseTo(76.93, 1);
		// Order-statistic intervals of the times cover the whole of a tiny sample.
		expect(b.medianSecondsCi95).toEqual([600, 1800]);
		expect(b.p90SecondsCi95?.[1]).toBe(1800);
	});

	it('shows nothing under the minimum n', async () => {
		const db = fixtureDb();
		ingest(db, sixCustomers(), NOW);
		const both = await bothEngines(db);
		const def = (await getJourney(db, 'fixture'))!.definition;
		const f = await both((t) => funnel(t, def, range, { now: NOW }));
		expect(f.minN).toBe(30);
		expect(f.steps[1]).toMatchObject({
			customers: 5,
			conversionFromStart: null,
			conversionFromStartCi95: null,
			conversionFromPrevious: null,
			conversionFromPreviousCi95: null,
			medianSecondsFromPrevious: null,
			medianSecondsCi95: null
		});
	});

	it('counts a customer once, by their deepest journey in the range', async () => {
		const db = fixtureDb();
		ingest(
			db,
			[
				step('C7', 'a', T0 - 20 * DAY),
				step('C7', 'b', T0 - 20 * DAY + HOUR),
				step('C7', 'c_ok', T0 - 20 * DAY + 2 * HOUR),
				step('C7', 'a', T0),
				step('C8', 'a', T0)
			],
			NOW
		);
		const both = await bothEngines(db);
		const def = (await getJourney(db, 'fixture'))!.definition;
		const f = await both((t) => funnel(t, def, range, { minN: 1, now: NOW }));
		expect(f.steps.map((s) => s.customers)).toEqual([2, 1, 1, 0]);
		const recent = await both((t) => funnel(t, def, { ...range, from: T0 - DAY }, { minN: 1, now: NOW }));
		expect(recent.steps.map((s) => s.customers)).toEqual([2, 0, 0, 0]);
	});

	it('lets customers skip an optional step (password reset fallback) and splits by segment and channel', async () => {
		const db = fixtureDb();
		const m = (n: number) => T0 + n * MIN;
		ingest(
			db,
			[
				step('P1', 'reset_requested', m(0)),
				step('P1', 'sms_face_check', m(2)),
				step('P1', 'reset_done', m(5)),
				step('P2', 'reset_requested', m(0), 'wechat'),
				step('P2', 'sms_face_check', m(3), 'app', { properties: { result: 'failed' } }),
				step('P2', 'fallback_video_agent', m(123), 'video'),
				step('P2', 'reset_done', m(130)),
				step('P3', 'reset_requested', m(0)),
				step('P3', 'sms_face_check', m(1), 'app', { properties: { result: 'failed' } })
			],
			NOW
		);
		const def = (await getJourney(db, 'password_reset'))!.definition;
		const both = await bothEngines(db);
		const f = await both((t) => funnel(t, def, range, { minN: 1, now: NOW, by: 'channel' }));
		const bySegment = await both((t) => funnel(t, def, range, { minN: 1, now: NOW, by: 'segment' }));
		expect(bySegment.groups?.map((g) => [g.group, g.customers])).toEqual([[null, 3]]);
		expect(f.steps.map((s) => [s.step, s.customers])).toEqual([
			['reset_requested', 3],
			['sms_face_check', 3],
			['fallback_video_agent|branch_referral', 1],
			['reset_done', 2]
		]);
		// The step after an optional one converts from the last required step; P3, still in progress at the
		// check, is outside the denominator (2 of 2, not 2 of 3).
		expect(f.steps[3].conversionFromPrevious).toBe(100);
		expect(f.steps[3].previousCustomers).toBe(2);
		// P1: 3 min after the check; P2: 7 min after the fallback.
		expect(f.steps[3].medianSecondsFromPrevious).toBe(300);
		expect(f.steps[1]).toMatchObject({ inProgress: 1 });
		expect(f.groups?.map((g) => [g.group, g.customers])).toEqual([
			['app', 2],
			['wechat', 1]
		]);
	});

	it('rejects a funnel text whose line is cut short instead of reading past its end', () => {
		// Two whole lines (customer 7 twice: the deeper is kept), then a line without its fields.
		const whole = '7;1;0;;10\n7;2;1;;10,20\n';
		expect(deepestInstances([{ lines: 2, text: whole }], 3).deeper[0]).toBe(1);
		expect(() => deepestInstances([{ lines: 3, text: whole + '8' }], 3)).toThrow(
			/line 3 ends before its depth/
		);
		expect(() => deepestInstances([{ lines: 3, text: whole + '8;2' }], 3)).toThrow(
			/line 3 ends before its status/
		);
	});
});
