import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { kpis } from './kpis';
import { emptyVector, MEASURE_COLUMNS, toMeasures, type Measures } from './measures';
import { changeTest, evaluate, evaluateStandardised, KPIS, significantChange } from './registry';
import { cxQuery, type CxQuery } from './query';
import {
	applySentimentScores,
	CELL_KEY_SQL,
	cellKey,
	CUBOIDS,
	DAY_ONLY_CUBOIDS,
	dayOfHour,
	rebuildRollups
} from './rollups';
import { hourOf } from './time';
import { setKpiSettings } from './settings';
import { writeWithRollups, closeMirror, onBothEngines } from './testing';

afterAll(closeMirror);

// Hand-computed fixtures: every expected number below is worked out from the events by hand (intervals from the
// formulas of DOMAIN.md, evaluated with a calculator).

const T0 = Date.parse('2025-03-03T00:00:00+08:00'); // a Monday in China time
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

let counter = 0;
function event(e: Partial<CxEvent> & Pick<CxEvent, 'type' | 'customerId' | 'ts'>): CxEvent {
	return { id: `e${++counter}`, properties: {}, ...e };
}
const contact = (customerId: string, ts: number, e: Partial<CxEvent> = {}) =>
	event({ type: 'contact', customerId, ts, channel: 'phone', ...e });
const answer = (
	customerId: string,
	ts: number,
	metric: 'nps' | 'csat' | 'ces',
	score: number,
	e: Partial<CxEvent> = {}
) => event({ type: 'feedback', customerId, ts, metric, score, channel: 'phone', ...e });

function query(q: Partial<CxQuery> = {}): CxQuery {
	return cxQuery({ from: T0, to: T0 + DAY, ...q });
}

function fresh(): Db {
	return openDatabase(':memory:');
}

/** Cells as a comparable list (key → non-zero measures). */
function cells(db: Db): Record<string, unknown>[] {
	return db.$client
		.prepare(
			`SELECT 'hour' AS level, k.cuboid, k.v1, k.v2, k.v3, ${CELL_KEY_SQL.hour} AS unit, m.* FROM metric_cells m
			 JOIN metric_combos k ON k.id = ${CELL_KEY_SQL.combo}
			 UNION ALL
			 SELECT 'day' AS level, k.cuboid, k.v1, k.v2, k.v3, ${CELL_KEY_SQL.hour} AS unit, m.* FROM metric_day_cells m
			 JOIN metric_combos k ON k.id = ${CELL_KEY_SQL.combo}
			 ORDER BY level, cuboid, v1, v2, v3, unit`
		)
		.all()
		.map((r) => {
			const { key: _key, ...rest } = r as Record<string, unknown>;
			return rest;
		});
}

/** The queue fixture: 50 requests for an agent, 30 bot contacts, 3 complaints (worked through in the test). */
function queueFixture(): CxEvent[] {
	const events: CxEvent[] = [];
	for (let i = 0; i < 50; i++) {
		const ts = T0 + 9 * HOUR + i * MIN;
		if (i < 40)
			events.push(
				contact(`p${i}`, ts, {
					handledBy: 'agent',
					teamId: i % 2 === 0 ? 't1' : 't2',
					agentId: `a${i % 4}`,
					waitS: i < 30 ? 10 : 40,
					handleS: i % 2 === 0 ? 200 : 400,
					outcome: i < 4 ? 'transferred' : 'resolved',
					reason: `r${i % 4}`
				})
			);
		else events.push(contact(`p${i}`, ts, { outcome: 'abandoned', waitS: i < 48 ? 30 : 3 }));
	}
	for (let i = 0; i < 30; i++)
		events.push(
			contact(`b${i}`, T0 + 10 * HOUR + i * MIN, {
				channel: 'bot',
				handledBy: 'bot',
				outcome: i < 20 ? 'resolved' : 'unresolved',
				reason: 'balance'
			})
		);
	for (let i = 0; i < 3; i++)
		events.push(
			event({
				type: 'complaint',
				customerId: `p${i}`,
				ts: T0 + 11 * HOUR + i * MIN,
				channel: 'phone',
				category: 'fee',
				regulator: i === 0
			})
		);
	return events;
}

describe('kpis: hand-computed fixtures', () => {
	it('no data: every KPI null with n 0', async () => {
		const db = fresh();
		const answer = await onBothEngines(db, (t) => kpis(t, query()));
		expect(answer.rows).toHaveLength(1);
		expect(answer.rows[0].group).toBeNull();
		for (const [key, k] of Object.entries(answer.rows[0].kpis)) {
			expect(k.value, key).toBeNull();
			expect(k.n, key).toBe(0);
			expect(k.ci95, key).toBeNull();
		}
		expect(answer.path).toBe('rollup');
	});

	it('queue, handling and self-service KPIs', async () => {
		const db = fresh();
		writeWithRollups(db, queueFixture());
		const k = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis;
		// Requests for an agent 50 (40 answered + 8 abandons ≥ 5 s + 2 short abandons); offered 48.
		expect(k.answer_rate).toMatchObject({ value: 80, n: 50 });
		expect(k.answer_rate.ci95?.[0]).toBeCloseTo(66.96262789551477, 9);
		expect(k.answer_rate.ci95?.[1]).toBeCloseTo(88.75637005402611, 9);
		expect(k.service_level).toMatchObject({ value: 62.5, n: 48 });
		expect(k.service_level.ci95?.[0]).toBeCloseTo(48.362506125249574, 9);
		expect(k.service_level.ci95?.[1]).toBeCloseTo(74.78492759593188, 9);
		expect(k.abandonment_rate.n).toBe(48);
		expect(k.abandonment_rate.value).toBeCloseTo(100 / 6, 12);
		expect(k.abandonment_rate.ci95?.[0]).toBeCloseTo(8.695410039453222, 9);
		expect(k.transfer_rate).toMatchObject({ value: 10, n: 40 });
		expect(k.transfer_rate.ci95?.[1]).toBeCloseTo(23.0520743804739, 9);
		// AHT: 20 × 200 s and 20 × 400 s; ASA: 30 × 10 s and 10 × 40 s.
		expect(k.aht_s).toMatchObject({ value: 300, n: 40 });
		expect(k.aht_s.ci95?.[0]).toBeCloseTo(300 - 31.385118145797076, 9);
		expect(k.asa_s).toMatchObject({ value: 17.5, n: 40 });
		expect(k.asa_s.ci95?.[1]).toBeCloseTo(17.5 + 4.077046442255434, 9);
		// Contacts 78 (short abandons are not contacts); 20 bot contacts resolved, none repeated.
		expect(k.containment_rate.n).toBe(78);
		expect(k.containment_rate.value).toBeCloseTo((20 / 78) * 100, 12);
		expect(k.containment_rate.ci95?.[0]).toBeCloseTo(17.255308571556622, 9);
		expect(k.repeat_contact_rate).toMatchObject({ value: 0, n: 78 });
		// Every contact with a reason is a first contact here (distinct customers): 40 + 30, all resolved.
		expect(k.fcr).toMatchObject({ value: 100, n: 70 });
		// 3 complaints per 78 contacts.
		expect(k.complaint_rate.n).toBe(78);
		expect(k.complaint_rate.value).toBeCloseTo(384.61538461538464, 9);
		expect(k.complaint_rate.ci95?.[0]).toBeCloseTo(131.65586780815215, 7);
		// 3 complaints are below the minimum n of 30.
		expect(k.regulator_share).toMatchObject({ value: null, n: 3, ci95: null });
		expect(k.nps).toMatchObject({ value: null, n: 0 });
		// Status: SL 62.5 is below the red line 70; transfer 10 meets its amber line 10.
		expect(k.service_level.status).toBe('red');
		expect(k.transfer_rate.status).toBe('green');
		expect(k.answer_rate.status).toBe('red');
	});

	it('surveys: NPS, CSAT top-2-box, CES top-3-box with its mean', async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		// 50 NPS answers: 25 × 10, 15 × 7, 10 × 3 → 50% − 20% = 30.
		for (let i = 0; i < 50; i++)
			events.push(answer(`n${i}`, T0 + i * MIN, 'nps', i < 25 ? 10 : i < 40 ? 7 : 3));
		// 40 CSAT answers: 34 of 4–5.
		for (let i = 0; i < 40; i++)
			events.push(answer(`c${i}`, T0 + i * MIN, 'csat', i < 20 ? 5 : i < 34 ? 4 : 2));
		// 40 CES answers: 30 of 5–7 (10 × 7, 20 × 5), 10 × 1: mean (70 + 100 + 10) / 40 = 4.5.
		for (let i = 0; i < 40; i++)
			events.push(answer(`s${i}`, T0 + i * MIN, 'ces', i < 10 ? 7 : i < 30 ? 5 : 1));
		writeWithRollups(db, events);
		const k = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis;
		expect(k.nps).toMatchObject({ value: 30, n: 50, lowConfidence: true });
		expect(k.nps.ci95?.[0]).toBeCloseTo(8.351092406312969, 9);
		expect(k.nps.ci95?.[1]).toBeCloseTo(51.64890759368703, 9);
		expect(k.csat).toMatchObject({ value: 85, n: 40, lowConfidence: true });
		expect(k.csat.ci95?.[0]).toBeCloseTo(70.92737396097996, 9);
		expect(k.ces).toMatchObject({ value: 75, n: 40 });
		expect(k.ces.ci95?.[1]).toBeCloseTo(85.8130321044505, 9);
		expect(k.ces.mean?.value).toBe(4.5);
		// Σx² = 10·49 + 20·25 + 10·1 = 1000; s² = (1000 − 180²/40) / 39 = 190/39.
		expect(k.ces.mean?.ci95?.[0]).toBeCloseTo(4.5 - 1.96 * Math.sqrt(190 / 39 / 40), 12);
	});

	it('n below the minimum, exactly the minimum, one answer, all promoters', async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		for (let i = 0; i < 29; i++) events.push(answer(`x${i}`, T0 + i * MIN, 'nps', 10));
		writeWithRollups(db, events);
		expect((await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis.nps).toMatchObject({
			value: null,
			n: 29,
			ci95: null
		});
		writeWithRollups(db, [answer('x29', T0 + 30 * MIN, 'nps', 10)]);
		const nps = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis.nps;
		expect(nps).toMatchObject({ value: 100, n: 30, ci95: [100, 100], lowConfidence: false });

		const one = fresh();
		writeWithRollups(one, [answer('y', T0, 'csat', 5)]);
		expect((await onBothEngines(one, (t) => kpis(t, query()))).rows[0].kpis.csat).toMatchObject({
			value: null,
			n: 1,
			ci95: null
		});
	});

	it('duplicates are counted once', async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		for (let i = 0; i < 30; i++) events.push(answer(`d${i}`, T0 + i * MIN, 'nps', i < 15 ? 9 : 0));
		writeWithRollups(db, events, { sourceId: 1 });
		const again = writeWithRollups(db, [...events, ...events.slice(0, 5)], { sourceId: 1 });
		expect(again.accepted).toBe(0);
		const nps = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis.nps;
		expect(nps).toMatchObject({ value: 0, n: 30 });
		// The same ids repeated inside one batch: stored and counted once.
		const db2 = fresh();
		writeWithRollups(db2, [...events, ...events], { sourceId: 1 });
		expect((await onBothEngines(db2, (t) => kpis(t, query()))).rows[0].kpis.nps).toMatchObject({
			value: 0,
			n: 30
		});
	});

	it('complaints: regulator share with its interval', async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		for (let i = 0; i < 40; i++)
			events.push(
				event({
					type: 'complaint',
					customerId: `q${i}`,
					ts: T0 + i * MIN,
					category: 'fee',
					regulator: i < 10
				})
			);
		writeWithRollups(db, events);
		const k = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis;
		expect(k.regulator_share).toMatchObject({ value: 25, n: 40 });
		expect(k.regulator_share.ci95?.[0]).toBeCloseTo(14.186967895549518, 9);
		expect(k.complaint_rate).toMatchObject({ value: null, n: 0 });
	});

	it('sentiment scored after arrival moves between cells', async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		for (let i = 0; i < 40; i++) events.push(answer(`t${i}`, T0 + i * MIN, 'csat', 5, { text: '很好' }));
		writeWithRollups(db, events);
		const seqs = db.$client.prepare('SELECT seq FROM events ORDER BY seq').pluck().all() as number[];
		db.$client.transaction(() =>
			applySentimentScores(
				db,
				seqs.map((seq, i) => ({ seq, sentiment: i < 20 ? 0.5 : i < 28 ? -0.6 : 0 }))
			)
		)();
		const k = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis;
		// (20 − 8) / 40 = 30; SE = √((.5 + .2 − .09) / 40).
		expect(k.sentiment.value).toBeCloseTo(30, 12);
		expect(k.sentiment.n).toBe(40);
		expect(k.sentiment.ci95?.[0]).toBeCloseTo(30 - 24.2042145090478, 9);
		const before = cells(db);
		await rebuildRollups(db);
		expect(cells(db)).toEqual(before);
	});
});

describe('cross-event KPIs: late and out-of-order repeat contacts', () => {
	/**
	 * 40 customers, each with a first contact at day 0 about 'card'. Customers 0–9 contact again about 'card' on
	 * day 3 (a repeat within 7 days → not resolved; not within 48 h), 10–19 on day 1 about 'loan' (within 48 h, other
	 * reason → still resolved), 20–39 never again.
	 */
	function scenario(): { first: CxEvent[]; later: CxEvent[] } {
		const first: CxEvent[] = [];
		const later: CxEvent[] = [];
		for (let i = 0; i < 40; i++) {
			first.push(
				contact(`f${i}`, T0 + HOUR + i * MIN, {
					handledBy: 'agent',
					outcome: 'resolved',
					reason: 'card',
					waitS: 5
				})
			);
			if (i < 10)
				later.push(
					contact(`f${i}`, T0 + 3 * DAY + i * MIN, {
						handledBy: 'agent',
						outcome: 'resolved',
						reason: 'card'
					})
				);
			else if (i < 20)
				later.push(
					contact(`f${i}`, T0 + DAY + i * MIN, { handledBy: 'agent', outcome: 'resolved', reason: 'loan' })
				);
		}
		return { first, later };
	}
	const expectDayZero = async (db: Db) => {
		const k = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis;
		expect(k.fcr).toMatchObject({ value: 75, n: 40 });
		expect(k.repeat_contact_rate).toMatchObject({ value: 25, n: 40 });
	};

	it('in order, later contacts in a later batch, reversed, or all at once: the same numbers and cells', async () => {
		const { first, later } = scenario();
		const inOrder = fresh();
		writeWithRollups(inOrder, first);
		writeWithRollups(inOrder, later);
		await expectDayZero(inOrder);

		const reversed = fresh();
		writeWithRollups(reversed, later);
		writeWithRollups(reversed, [...first].reverse());
		await expectDayZero(reversed);

		const oneByOne = fresh();
		for (const e of [...later, ...first].reverse()) writeWithRollups(oneByOne, [e]);
		await expectDayZero(oneByOne);

		const together = fresh();
		writeWithRollups(together, [...later, ...first]);
		await expectDayZero(together);

		// Cells (not only the answers) equal a rebuild from raw rows.
		for (const db of [inOrder, reversed, oneByOne, together]) {
			const incremental = cells(db);
			await rebuildRollups(db);
			expect(cells(db)).toEqual(incremental);
		}
		// Day 3 holds the 10 repeats: they are not first contacts (the day-0 contact is 3 days before).
		const day3 = (
			await onBothEngines(together, (t) => kpis(t, query({ from: T0 + 3 * DAY, to: T0 + 4 * DAY })))
		).rows[0].kpis;
		expect(day3.fcr.n).toBe(0);
	});

	it('containment: a bot contact followed within 48 h by a call is not contained, even when the call came first', async () => {
		const db = fresh();
		const bots: CxEvent[] = [];
		const calls: CxEvent[] = [];
		for (let i = 0; i < 40; i++) {
			bots.push(
				contact(`g${i}`, T0 + HOUR + i * MIN, { channel: 'bot', handledBy: 'bot', outcome: 'resolved' })
			);
			if (i < 8) calls.push(contact(`g${i}`, T0 + 30 * HOUR, { handledBy: 'agent', outcome: 'resolved' }));
		}
		writeWithRollups(db, calls);
		writeWithRollups(db, bots);
		const k = (await onBothEngines(db, (t) => kpis(t, query({ filters: { channel: ['bot'] } })))).rows[0]
			.kpis;
		expect(k.containment_rate).toMatchObject({ value: 80, n: 40 });
		const incremental = cells(db);
		await rebuildRollups(db);
		expect(cells(db)).toEqual(incremental);
	});

	it('a short abandon is neither a contact nor a repeat', async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		for (let i = 0; i < 30; i++) {
			events.push(
				contact(`h${i}`, T0 + HOUR + i * MIN, { handledBy: 'agent', outcome: 'resolved', reason: 'card' })
			);
			events.push(
				contact(`h${i}`, T0 + 2 * HOUR + i * MIN, { outcome: 'abandoned', waitS: 2, reason: 'card' })
			);
		}
		writeWithRollups(db, events);
		const k = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis;
		expect(k.repeat_contact_rate).toMatchObject({ value: 0, n: 30 });
		expect(k.fcr).toMatchObject({ value: 100, n: 30 });
		expect(k.answer_rate).toMatchObject({ value: 50, n: 60 });
		expect(k.abandonment_rate).toMatchObject({ value: 0, n: 30 });
	});

	it('a survey answer naming a contact inherits its team and reason, whichever arrives first', async () => {
		const answers: CxEvent[] = [];
		const calls: CxEvent[] = [];
		for (let i = 0; i < 30; i++) {
			calls.push(
				contact(`k${i}`, T0 + HOUR + i * MIN, {
					id: `call-${i}`,
					handledBy: 'agent',
					outcome: 'resolved',
					teamId: 't9',
					reason: 'card'
				})
			);
			answers.push(
				answer(`k${i}`, T0 + 2 * HOUR + i * MIN, 'csat', i < 27 ? 5 : 1, { contactId: `call-${i}` })
			);
		}
		for (const order of [
			[calls, answers],
			[answers, calls]
		]) {
			const db = fresh();
			for (const batch of order) writeWithRollups(db, batch);
			const t9 = (
				await onBothEngines(db, (t) => kpis(t, query({ filters: { team: ['t9'], reason: ['card'] } })))
			).rows[0].kpis;
			expect(t9.csat).toMatchObject({ value: 90, n: 30 });
			const incremental = cells(db);
			await rebuildRollups(db);
			expect(cells(db)).toEqual(incremental);
		}
	});
});

describe('scope, grouping and comparison', () => {
	function teamsFixture(): CxEvent[] {
		const events: CxEvent[] = [];
		for (let i = 0; i < 90; i++) {
			const team = ['t1', 't2', 't3'][i % 3];
			events.push(
				answer(`m${i}`, T0 + 2 * HOUR + i * MIN, 'csat', team === 't1' ? 5 : i % 2 ? 5 : 1, { teamId: team })
			);
		}
		return events;
	}

	it("a manager's scope: only their teams, in totals and groups", async () => {
		const db = fresh();
		writeWithRollups(db, teamsFixture());
		const all = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis.csat;
		expect(all.n).toBe(90);
		const manager = await onBothEngines(db, (t) => kpis(t, query({ scope: { teams: ['t1'] } })));
		expect(manager.rows[0].kpis.csat).toMatchObject({ value: 100, n: 30 });
		const byTeam = await onBothEngines(db, (t) =>
			kpis(t, query({ by: 'team', scope: { teams: ['t1', 't2'] } }))
		);
		expect(byTeam.rows.map((r) => r.group)).toEqual(['t1', 't2']);
		expect(byTeam.rows[0].kpis.csat.n).toBe(30);
		// A team filter outside the scope gives nothing (the route answers 403 before it gets here).
		const outside = await onBothEngines(db, (t) =>
			kpis(t, query({ filters: { team: ['t3'] }, scope: { teams: ['t1'] } }))
		);
		expect(outside.rows[0].kpis.csat.n).toBe(0);
		const none = await onBothEngines(db, (t) => kpis(t, query({ scope: { teams: [] } })));
		expect(none.rows[0].kpis.csat.n).toBe(0);
	});

	it('by day in China time, with empty days', async () => {
		const db = fresh();
		writeWithRollups(db, teamsFixture());
		const r = await onBothEngines(db, (t) => kpis(t, query({ by: 'day', to: T0 + 3 * DAY })));
		expect(r.rows.map((x) => x.group)).toEqual([
			'2025-03-03T00:00:00+08:00',
			'2025-03-04T00:00:00+08:00',
			'2025-03-05T00:00:00+08:00'
		]);
		expect(r.rows.map((x) => x.kpis.csat.n)).toEqual([90, 0, 0]);
	});

	it('comparison with the previous period and its significance', async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		// Yesterday 100 answers, 50 top-2; today 100 answers, 80 top-2: z ≈ 4.45.
		for (let i = 0; i < 100; i++) {
			events.push(answer(`u${i}`, T0 - DAY + i * MIN, 'csat', i < 50 ? 5 : 1));
			events.push(answer(`v${i}`, T0 + i * MIN, 'csat', i < 80 ? 5 : 1));
		}
		writeWithRollups(db, events);
		const csat = (await onBothEngines(db, (t) => kpis(t, query({ compare: { from: T0 - DAY, to: T0 } }))))
			.rows[0].kpis.csat;
		expect(csat.value).toBe(80);
		expect(csat.previous).toMatchObject({ value: 50, n: 100 });
		expect(csat.change).toBe(30);
		expect(csat.significant).toBe(true);
	});

	it('a range that does not fall on whole hours is exact', async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		for (let i = 0; i < 120; i++) events.push(answer(`w${i}`, T0 + i * MIN, 'csat', 5));
		writeWithRollups(db, events);
		const mid = (await onBothEngines(db, (t) => kpis(t, query({ from: T0 + 10 * MIN, to: T0 + 70 * MIN }))))
			.rows[0];
		expect(mid.kpis.csat.n).toBe(60);
		const r = await onBothEngines(db, (t) => kpis(t, query({ from: T0 + 10 * MIN, to: T0 + 70 * MIN })));
		expect(r.path).toBe('rollup+raw');
		// "to = now" after the last event: the last hour's cell serves, no raw rows needed.
		const now = await onBothEngines(db, (t) => kpis(t, query({ from: T0, to: T0 + 119 * MIN + 30_000 })));
		expect(now.rows[0].kpis.csat.n).toBe(120);
		expect(now.path).toBe('rollup');
	});

	it('a combination no cuboid holds falls back to raw rows with the same answer', async () => {
		const db = fresh();
		writeWithRollups(db, queueFixture());
		const r = await onBothEngines(db, (t) =>
			kpis(t, query({ filters: { agent: ['a0'], channel: ['phone'] } }))
		);
		expect(r.path).toBe('raw');
		expect(r.rows[0].kpis.aht_s.n).toBe(10);
	});

	it('agent × reason is answered from the team × agent × reason cuboid, as the raw rows answer it', async () => {
		const db = fresh();
		writeWithRollups(db, queueFixture());
		const q = query({ filters: { agent: ['a0'], reason: ['r0'] } });
		const r = await onBothEngines(db, (t) => kpis(t, q));
		expect(r.path).toBe('rollup');
		expect(r.rows[0].kpis.aht_s.n).toBe(10);
		// Agent a0 handles only r0 contacts: a reason filter that misses them finds none.
		const other = await kpis(db, query({ filters: { agent: ['a0'], reason: ['r1'] } }));
		expect(other.rows[0].kpis.aht_s.n).toBe(0);
		const raw = await onBothEngines(db, (t) => kpis(t, q, { raw: true }));
		expect(raw.path).toBe('raw');
		expect(r.rows).toStrictEqual(raw.rows);
	});

	it('team × agent × reason keeps day cells only: partial days are settled by day cells and raw rows, never its hour cells', async () => {
		const db = fresh();
		writeWithRollups(db, queueFixture());
		const c = db.$client;
		const cuboid = CUBOIDS.findIndex((d) => d.length === 3);
		expect(DAY_ONLY_CUBOIDS.has(cuboid)).toBe(true);
		const count = (table: string) =>
			c
				.prepare(`SELECT count(*) FROM ${table} WHERE key >= ? AND key < ?`)
				.pluck()
				.get(cellKey(cuboid, 0, 0), cellKey(cuboid + 1, 0, 0));
		expect(count('metric_cells')).toBe(0);
		expect(count('metric_day_cells')).toBeGreaterThan(0);
		// A stray hour cell of the cuboid where agent a0's r0 contacts are (9:00–10:00): reading it would count them twice.
		const combo = c
			.prepare(`SELECT id FROM metric_combos WHERE cuboid = ? AND v1 = 't1' AND v2 = 'a0' AND v3 = 'r0'`)
			.pluck()
			.get(cuboid) as number;
		const hour = hourOf(T0 + 9 * HOUR);
		const columns = MEASURE_COLUMNS.join(', ');
		c.prepare(
			`INSERT INTO metric_cells (key, ${columns}) SELECT ?, ${columns} FROM metric_day_cells WHERE key = ?`
		).run(cellKey(cuboid, hour, combo), cellKey(cuboid, dayOfHour(hour), combo));
		expect(count('metric_cells')).toBe(1);
		const filters = { agent: ['a0'], reason: ['r0'] };
		const cases: [Partial<CxQuery>, string, number][] = [
			// The whole day from its day cell.
			[{ filters }, 'rollup', 10],
			// From 9:05 to the day's end (a0's contacts at 9:08, 9:12, … 9:36): the day cell minus the raw rows of the
			// shorter part outside, 0:00–9:05.
			[{ filters, from: T0 + 9 * HOUR + 5 * MIN }, 'rollup+raw', 8],
			// Up to 12:00, after the day's last event ("up to now"): nothing lies outside, the day cell alone.
			[{ filters, to: T0 + 12 * HOUR }, 'rollup', 10],
			// Up to 9:30, events after it: the raw rows of the shorter part inside.
			[{ filters, to: T0 + 9 * HOUR + 30 * MIN }, 'raw', 8],
			// 9:05–9:30 inside one day: raw rows.
			[{ filters, from: T0 + 9 * HOUR + 5 * MIN, to: T0 + 9 * HOUR + 30 * MIN }, 'raw', 6],
			// A whole day and part of the next, empty one: the day cells.
			[{ filters, to: T0 + DAY + 5 * HOUR }, 'rollup', 10],
			// By hour: raw rows (no cuboid with hour cells holds agent × reason).
			[{ filters, by: 'hour' }, 'raw', 10]
		];
		for (const [partial, path, n] of cases) {
			const q = query(partial);
			const r = await onBothEngines(db, (t) => kpis(t, q));
			expect(r.path, JSON.stringify(partial)).toBe(path);
			expect(r.rows.reduce((sum, row) => sum + row.kpis.aht_s.n, 0)).toBe(n);
			const raw = await onBothEngines(db, (t) => kpis(t, q, { raw: true }));
			expect(r.rows).toStrictEqual(raw.rows);
		}
	});

	it('targets and thresholds edited by an admin change the status', async () => {
		const db = fresh();
		writeWithRollups(db, queueFixture());
		await setKpiSettings(db, 'service_level', { target: 60, amber: 60, red: 50 });
		const k = (await onBothEngines(db, (t) => kpis(t, query()))).rows[0].kpis.service_level;
		expect(k).toMatchObject({ target: 60, status: 'green' });
		await expect(setKpiSettings(db, 'service_level', { red: 90 })).rejects.toThrow(/red/);
	});
});

describe("reason-standardised KPIs (Simpson's paradox)", () => {
	it('team B is better within every reason but worse raw; standardised on the center mix it is better', async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		let n = 0;
		// A: 80 easy (90% resolved), 20 hard (50%); B: 20 easy (95%), 80 hard (60%).
		const plan: [string, string, number, number][] = [
			['A', 'easy', 80, 72],
			['A', 'hard', 20, 10],
			['B', 'easy', 20, 19],
			['B', 'hard', 80, 48]
		];
		for (const [team, reason, count, resolved] of plan)
			for (let i = 0; i < count; i++) {
				const customer = `s${n++}`;
				events.push(
					contact(customer, T0 + HOUR, { handledBy: 'agent', outcome: 'resolved', teamId: team, reason })
				);
				if (i >= resolved)
					events.push(
						contact(customer, T0 + 2 * DAY, { handledBy: 'agent', outcome: 'resolved', teamId: 'Z', reason })
					);
			}
		writeWithRollups(db, events);
		const r = await onBothEngines(db, (t) =>
			kpis(t, query({ by: 'team', filters: { team: ['A', 'B'] }, standardise: true }))
		);
		const [a, b] = r.rows;
		expect(a.kpis.fcr.value).toBeCloseTo(82, 12);
		expect(b.kpis.fcr.value).toBeCloseTo(67, 12);
		// Reference mix: 100 easy + 100 hard → 50/50: A = (90 + 50)/2 = 70, B = (95 + 60)/2 = 77.5.
		expect(a.kpis.fcr_std?.value).toBeCloseTo(70, 12);
		expect(b.kpis.fcr_std?.value).toBeCloseTo(77.5, 12);
		// SE of B: √(.25·Var_easy + .25·Var_hard) × 100, each the Agresti–Coull p̃(1 − p̃)/(n + z²).
		const ac = (x: number, n: number) => {
			const nt = n + 1.96 ** 2;
			const p = (x + 1.96 ** 2 / 2) / nt;
			return (p * (1 - p)) / nt;
		};
		const se = Math.sqrt(0.25 * ac(19, 20) + 0.25 * ac(48, 80)) * 100;
		expect(b.kpis.fcr_std?.ci95?.[0]).toBeCloseTo(77.5 - 1.96 * se, 9);
		expect(b.kpis.fcr_std?.n).toBe(100);
	});
});

describe('reason-standardised KPIs weigh by a fixed reference mix (DOMAIN.md)', () => {
	it("uses the center's reason mix of the 90 days before today, not the query's own population", async () => {
		const db = fresh();
		const events: CxEvent[] = [];
		let n = 0;
		const plan: [string, string, number, number, number][] = [
			// team, reason, count, resolved, day: A and B as above on day 0; team C took 600 easy calls a month before.
			['A', 'easy', 80, 72, 0],
			['A', 'hard', 20, 10, 0],
			['B', 'easy', 20, 19, 0],
			['B', 'hard', 80, 48, 0],
			['C', 'easy', 600, 600, -30]
		];
		for (const [team, reason, count, resolved, day] of plan)
			for (let i = 0; i < count; i++) {
				const customer = `s${n++}`;
				const at = T0 + day * DAY + HOUR;
				events.push(contact(customer, at, { handledBy: 'agent', outcome: 'resolved', teamId: team, reason }));
				if (i >= resolved)
					events.push(
						contact(customer, at + 2 * DAY, { handledBy: 'agent', outcome: 'resolved', teamId: 'Z', reason })
					);
			}
		writeWithRollups(db, events);
		const q = query({ by: 'team', filters: { team: ['A', 'B'] }, standardise: true });
		const r = await onBothEngines(db, (t) => kpis(t, q, { now: T0 + 10 * DAY }));
		const [a, b] = r.rows;
		// Reference: the whole center's first contacts in the 90 days before the day of the query: easy 100 + 600,
		// hard 100 → weights 7/8 and 1/8 (the query's own A + B population would say 1/2 and 1/2: 70 and 77.5).
		expect(a.kpis.fcr_std?.value).toBeCloseTo(0.875 * 90 + 0.125 * 50, 12);
		expect(b.kpis.fcr_std?.value).toBeCloseTo(0.875 * 95 + 0.125 * 60, 12);
		// The same weights whatever the filter: B alone is standardised on the same mix.
		const onlyB = await onBothEngines(db, (t) =>
			kpis(t, { ...q, by: null, filters: { team: ['B'] } }, { now: T0 + 10 * DAY })
		);
		expect(onlyB.rows[0].kpis.fcr_std?.value).toBeCloseTo(0.875 * 95 + 0.125 * 60, 12);
	});
});

describe('reason-standardised variance and small strata', () => {
	const fcr = (firstContacts: number, firstResolved: number): Measures => ({
		...toMeasures(emptyVector()),
		firstContacts,
		firstResolved
	});

	it('has a variance above zero when every stratum is at p = 1', async () => {
		const group = new Map([
			['easy', fcr(40, 40)],
			['hard', fcr(30, 30)]
		]);
		const e = evaluateStandardised(KPIS.fcr, group, group);
		expect(e.value).toBe(100);
		expect(e.se as number).toBeGreaterThan(0);
		expect((e.ci95 as [number, number])[0]).toBeLessThan(100);
	});

	it("pools a group's strata under the minimum instead of giving 3 contacts a reason's full weight", async () => {
		// Reference: easy 1000, hard 500, medium 500. The group: 60 easy at 90%, 3 hard at 0%, 5 medium at 100%.
		const reference = new Map([
			['easy', fcr(1000, 900)],
			['hard', fcr(500, 300)],
			['medium', fcr(500, 400)]
		]);
		const group = new Map([
			['easy', fcr(60, 54)],
			['hard', fcr(3, 0)],
			['medium', fcr(5, 5)]
		]);
		const e = evaluateStandardised(KPIS.fcr, group, reference);
		// hard and medium pooled: 5 of 8 (62.5%) with their weight 1000 → (1000·90 + 1000·62.5) / 2000 = 76.25,
		// not (1000·90 + 500·0 + 500·100) / 2000 = 70 from strata of 3 and 5 contacts.
		expect(e.value).toBeCloseTo(76.25, 9);
		expect(e.n).toBe(68);
	});
});

describe('complaint rate significance and confidence', () => {
	const complaints = (x: number, contacts: number): Measures => ({
		...toMeasures(emptyVector()),
		complaints: x,
		// Complaint rate is per contact chain (DOMAIN.md); here every contact is a chain of one leg.
		contacts,
		chains: contacts
	});
	const side = (x: number, n: number) => {
		const measures = complaints(x, n);
		return { measures, estimate: evaluate(KPIS.complaint_rate, measures) };
	};

	it('uses an exact test on rare counts: 0 vs 3 and 0 vs 5 complaints in 10,000 contacts are not significant', async () => {
		// Exact conditional p: 0 of 3 at ½ → 0.25; 0 of 5 → 0.0625 (a normal z says 2.24 for 0 vs 5).
		expect(significantChange(KPIS.complaint_rate, side(0, 10_000), side(3, 10_000))).toBe(false);
		expect(significantChange(KPIS.complaint_rate, side(0, 10_000), side(5, 10_000))).toBe(false);
		expect(significantChange(KPIS.complaint_rate, side(0, 10_000), side(10, 10_000))).toBe(true);
	});

	it('divides rare counts by the dispersion factor before the exact test', () => {
		// 2 vs 14 complaints in 10,000 contacts a day each: p = 0.004 as Poisson counts. With τ² = 16 (per 10k)² a
		// day (an SD of 4 per 10k from day to day) φ = 1 + τ²·10,000/8 per 10k… = 1 + 16e-8·10⁴/8e-4 = 3: 1 vs 5.
		expect(changeTest(KPIS.complaint_rate, side(2, 10_000), side(14, 10_000)) as number).toBeLessThan(0.01);
		const p = changeTest(KPIS.complaint_rate, side(2, 10_000), side(14, 10_000), {
			tau2: 16,
			currentUnits: 1,
			previousUnits: 1
		});
		// Exact conditional p of 1 of 6 at ½: (1 + 6 + 6 + 1)/64 = 0.21875 (rounded counts 2/3 → 1, 14/3 → 5).
		expect(p).toBeCloseTo(14 / 64, 10);
	});

	it('flags a wide complaint-rate interval as low confidence', async () => {
		// 3 in 1,000 contacts: 30 per 10k with a Wilson interval of about 10–88 per 10k.
		expect(evaluate(KPIS.complaint_rate, complaints(3, 1_000)).lowConfidence).toBe(true);
		expect(evaluate(KPIS.complaint_rate, complaints(100, 200_000)).lowConfidence).toBe(false);
	});
});

describe('significance on boards: the overdispersion allowance', () => {
	const csat = (x: number, n: number) => {
		const measures = { ...toMeasures(emptyVector()), csatTop2: x, csatN: n };
		return { measures, estimate: evaluate(KPIS.csat, measures) };
	};

	it('a busy center’s day-to-day wobble is not a significant change once τ² is allowed for', () => {
		// 8,000 vs 7,800 of 10,000 answers: 80% vs 78%, pooled z = 3.49 (p = 0.0005) on sampling noise alone.
		const pooled = 15_800 / 20_000;
		const p0 = changeTest(KPIS.csat, csat(8_000, 10_000), csat(7_800, 10_000)) as number;
		expect(p0).toBeCloseTo(2 * (1 - normal(0.02 / Math.sqrt((pooled * (1 - pooled) * 2) / 10_000))), 5);
		expect(significantChange(KPIS.csat, csat(8_000, 10_000), csat(7_800, 10_000))).toBe(true);
		// Days vary by SD 2 points beyond sampling (τ² = 4 points²): one day against one day,
		// z = 2 / √(0.3318 + 8) = 0.693, p = 0.488.
		const dispersion = { tau2: 4, currentUnits: 1, previousUnits: 1 };
		const p1 = changeTest(KPIS.csat, csat(8_000, 10_000), csat(7_800, 10_000), dispersion) as number;
		const se = Math.sqrt(pooled * (1 - pooled) * 1e4 * (2 / 10_000) + 8);
		expect(p1).toBeCloseTo(2 * (1 - normal(2 / se)), 4);
		expect(significantChange(KPIS.csat, csat(8_000, 10_000), csat(7_800, 10_000), dispersion)).toBe(false);
		// Over 30 days against 30 days the same τ² weighs 30 times less: 2 / √(0.3318 + 8/30) = 2.59, significant.
		const month = { tau2: 4, currentUnits: 30, previousUnits: 30 };
		expect(changeTest(KPIS.csat, csat(8_000, 10_000), csat(7_800, 10_000), month) as number).toBeLessThan(
			0.05
		);
	});
});

/** Standard normal CDF by numerical integration (Simpson, independent of the stats module). */
function normal(z: number): number {
	const steps = 2000;
	const h = z / steps;
	const f = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
	let sum = f(0) + f(z);
	for (let i = 1; i < steps; i++) sum += (i % 2 ? 4 : 2) * f(i * h);
	return 0.5 + (sum * h) / 3;
}
