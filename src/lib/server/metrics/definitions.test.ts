import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { kpis } from './kpis';
import { cxQuery, type CxQuery } from './query';
import { rebuildRollups } from './rollups';
import { writeWithRollups, closeMirror, onBothEngines } from './testing';

afterAll(closeMirror);

// Fixtures for DOMAIN.md "Definitions made precise" (contact chains, maturity, complaint attribution, missing
// data): each was wrong on screen before, and each answer below is worked out by hand.

const T0 = Date.parse('2025-03-03T00:00:00+08:00');
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Long after the fixtures: every follow-up window has closed. */
const LATER = T0 + 60 * DAY;

let counter = 0;
function event(e: Partial<CxEvent> & Pick<CxEvent, 'type' | 'customerId' | 'ts'>): CxEvent {
	return { id: `d${++counter}`, properties: {}, ...e };
}
const contact = (customerId: string, ts: number, e: Partial<CxEvent> = {}) =>
	event({ type: 'contact', customerId, ts, channel: 'phone', ...e });

function query(q: Partial<CxQuery> = {}): CxQuery {
	return cxQuery({ from: T0, to: T0 + DAY, ...q });
}

/** Both paths: as ingested (rollups kept by the writer) and after a rebuild from raw rows. */
async function bothWays(events: CxEvent[], check: (db: Db) => Promise<void>) {
	const db = openDatabase(':memory:');
	writeWithRollups(db, events, { sourceId: 1 });
	await check(db);
	await rebuildRollups(db);
	await check(db);
}

/** 40 customers, each: an IVR leg transferred to an agent (2 min later) who resolves the call. */
function transferredAndResolved(): CxEvent[] {
	const events: CxEvent[] = [];
	for (let i = 0; i < 40; i++) {
		const ts = T0 + i * 10 * MIN;
		events.push(
			contact(`c${i}`, ts, { handledBy: 'ivr', channel: 'ivr', outcome: 'transferred', reason: 'card' }),
			contact(`c${i}`, ts + 2 * MIN, {
				handledBy: 'agent',
				outcome: 'resolved',
				reason: 'card',
				waitS: 10,
				handleS: 200,
				teamId: 't-a',
				agentId: 'a1'
			})
		);
	}
	return events;
}

describe('contact chains (DOMAIN.md)', () => {
	it('an IVR leg transferred to an agent who resolves is one contact: FCR 100%, repeat 0%', async () => {
		const events = transferredAndResolved();
		// Late and out of order: the agent legs arrive first, the IVR legs in a later batch.
		const db = openDatabase(':memory:');
		writeWithRollups(
			db,
			events.filter((_, i) => i % 2 === 1),
			{ sourceId: 1 }
		);
		writeWithRollups(
			db,
			events.filter((_, i) => i % 2 === 0),
			{ sourceId: 1 }
		);
		for (const round of ['ingested', 'rebuilt']) {
			const k = (await onBothEngines(db, (t) => kpis(t, query(), { now: LATER }))).rows[0].kpis;
			expect(k.fcr, round).toMatchObject({ value: 100, n: 40, pending: 0 });
			expect(k.repeat_contact_rate, round).toMatchObject({ value: 0, n: 40, pending: 0 });
			// The chain went to an agent: not contained; a transfer out of the IVR is no agent transfer.
			expect(k.containment_rate, round).toMatchObject({ value: 0, n: 40 });
			expect(k.transfer_rate, round).toMatchObject({ value: 0, n: 40 });
			// Per leg: 40 agent answers.
			expect(k.asa_s, round).toMatchObject({ value: 10, n: 40 });
			// The chain's team for FCR is its last leg's.
			const byTeam = (await onBothEngines(db, (t) => kpis(t, query({ by: 'team' }), { now: LATER }))).rows;
			expect(
				byTeam.map((r) => [r.group, r.kpis.fcr.value, r.kpis.fcr.n]),
				round
			).toEqual([['t-a', 100, 40]]);
			await rebuildRollups(db);
		}
	});

	it('a second call after 40 minutes is a repeat; an agent transfer to another agent is one chain', async () => {
		const events: CxEvent[] = [];
		for (let i = 0; i < 40; i++) {
			const ts = T0 + i * 10 * MIN;
			const agent = { handledBy: 'agent' as const, reason: 'loan', waitS: 5, handleS: 100 };
			events.push(
				contact(`r${i}`, ts, { ...agent, outcome: 'transferred', teamId: 't-a', agentId: 'a1' }),
				contact(`r${i}`, ts + 3 * MIN, { ...agent, outcome: 'resolved', teamId: 't-b', agentId: 'b1' })
			);
			// Half the customers call again 40 minutes later: a new chain, a repeat of the first.
			if (i % 2 === 0)
				events.push(
					contact(`r${i}`, ts + 43 * MIN, { ...agent, outcome: 'resolved', teamId: 't-b', agentId: 'b2' })
				);
		}
		await bothWays(events, async (db) => {
			const k = (await onBothEngines(db, (t) => kpis(t, query(), { now: LATER }))).rows[0].kpis;
			// 60 chains: 40 first, 20 of them repeated (same reason within 7 days).
			expect(k.fcr).toMatchObject({ value: 50, n: 40 });
			expect(k.repeat_contact_rate).toMatchObject({ value: (20 / 60) * 100, n: 60 });
			// 100 agent legs, 40 transferred to another team's agent.
			expect(k.transfer_rate).toMatchObject({ value: 40, n: 100 });
		});
	});
});

describe('maturity (DOMAIN.md)', () => {
	it('contacts whose 7-day window is still open are not counted as resolved; pending is reported', async () => {
		// 40 single-leg chains on day 0 and 40 on day 6, none repeated; asked on day 8 (+1 h), the day-6 FCR windows are open.
		const events: CxEvent[] = [];
		for (let i = 0; i < 40; i++) {
			const agent = { handledBy: 'agent' as const, outcome: 'resolved' as const, reason: 'card', waitS: 5 };
			events.push(contact(`m${i}`, T0 + i * MIN, { ...agent, teamId: 't-a', agentId: 'a1' }));
			events.push(contact(`n${i}`, T0 + 6 * DAY + i * MIN, { ...agent, teamId: 't-a', agentId: 'a1' }));
		}
		await bothWays(events, async (db) => {
			const now = T0 + 8 * DAY + HOUR;
			const week = (await onBothEngines(db, (t) => kpis(t, query({ to: T0 + 7 * DAY }), { now }))).rows[0]
				.kpis;
			expect(week.fcr).toMatchObject({ value: 100, n: 40, pending: 40 });
			// 48 h windows: all 80 have closed.
			expect(week.repeat_contact_rate).toMatchObject({ value: 0, n: 80, pending: 0 });
			// Day 6 alone: nothing has matured for FCR, so no value (under the minimum n).
			const day6 = (
				await onBothEngines(db, (t) => kpis(t, query({ from: T0 + 6 * DAY, to: T0 + 7 * DAY }), { now }))
			).rows[0].kpis;
			expect(day6.fcr).toMatchObject({ value: null, n: 0, pending: 40 });
			// An hour after the day-6 calls: their 48 h window is open too.
			const early = await onBothEngines(db, (t) =>
				kpis(t, query({ from: T0 + 6 * DAY, to: T0 + 7 * DAY }), { now: T0 + 6 * DAY + HOUR })
			);
			expect(early.rows[0].kpis.repeat_contact_rate).toMatchObject({ value: null, n: 0, pending: 40 });
			expect(early.rows[0].kpis.containment_rate).toMatchObject({ value: null, n: 0, pending: 40 });
			// A trend by day: the day-6 point carries its pending chains.
			const trend = (await onBothEngines(db, (t) => kpis(t, query({ to: T0 + 7 * DAY, by: 'day' }), { now })))
				.rows;
			expect(trend.map((r) => r.kpis.fcr.pending)).toEqual([0, 0, 0, 0, 0, 0, 40]);
		});
	});

	it('a CX index waiting only for follow-up windows is provisional, and has a value once they close', async () => {
		// 40 customers: a resolved agent call answered in 5 s, then CSAT 5, NPS 10 and CES 7 on it.
		const events: CxEvent[] = [];
		for (let i = 0; i < 40; i++) {
			const ts = T0 + i * MIN;
			events.push(
				contact(`x${i}`, ts, {
					handledBy: 'agent',
					outcome: 'resolved',
					reason: 'card',
					waitS: 5,
					teamId: 't-a'
				}),
				event({ type: 'feedback', customerId: `x${i}`, ts: ts + MIN, metric: 'csat', score: 5 }),
				event({ type: 'feedback', customerId: `x${i}`, ts: ts + MIN, metric: 'nps', score: 10 }),
				event({ type: 'feedback', customerId: `x${i}`, ts: ts + MIN, metric: 'ces', score: 7 })
			);
		}
		await bothWays(events, async (db) => {
			const open = (await onBothEngines(db, (t) => kpis(t, query(), { now: T0 + DAY + HOUR }))).rows[0].kpis;
			expect(open.fcr).toMatchObject({ value: null, pending: 40 });
			expect(open.cx_index).toMatchObject({ value: null, pending: 40 });
			expect(open.cx_index.missing).toEqual(expect.arrayContaining(['fcr', 'repeat_contact_rate']));
			const closed = (await onBothEngines(db, (t) => kpis(t, query(), { now: LATER }))).rows[0].kpis;
			expect(closed.cx_index.value).not.toBeNull();
			expect(closed.cx_index.pending ?? 0).toBe(0);
		});
	});
});

describe('complaint attribution (DOMAIN.md)', () => {
	function complaintFixture(): CxEvent[] {
		const events: CxEvent[] = [];
		// 40 chains of team t-x and 40 of team t-y (agent legs).
		for (let i = 0; i < 40; i++) {
			const agent = { handledBy: 'agent' as const, outcome: 'resolved' as const, waitS: 5 };
			events.push(contact(`x${i}`, T0 + i * MIN, { ...agent, id: `cx${i}`, teamId: 't-x', agentId: 'x1' }));
			events.push(contact(`y${i}`, T0 + i * MIN, { ...agent, teamId: 't-y', agentId: 'y1' }));
		}
		// 5 complaints naming contacts of t-x (filed by phone, 1 h later).
		for (let i = 0; i < 5; i++)
			events.push(
				event({
					type: 'complaint',
					customerId: `x${i}`,
					ts: T0 + 2 * HOUR,
					channel: 'phone',
					category: 'fee',
					contactId: `cx${i}`
				})
			);
		// 2 complaints naming nothing, by t-y customers: their last chain (within 7 days before) is t-y's.
		for (let i = 0; i < 2; i++)
			events.push(event({ type: 'complaint', customerId: `y${i}`, ts: T0 + 3 * HOUR, category: 'fee' }));
		// 1 complaint by a customer with no contact in the 7 days before: unattributed.
		events.push(event({ type: 'complaint', customerId: 'stranger', ts: T0 + 4 * HOUR, category: 'fee' }));
		return events;
	}

	it('complaints naming contacts of team t-x count for t-x; an unattributable one only in the totals', async () => {
		await bothWays(complaintFixture(), async (db) => {
			const byTeam = (await onBothEngines(db, (t) => kpis(t, query({ by: 'team' }), { now: LATER }))).rows;
			const rate = Object.fromEntries(byTeam.map((r) => [r.group, r.kpis.complaint_rate]));
			expect(rate['t-x']).toMatchObject({ value: (5 / 40) * 10_000, n: 40 });
			expect(rate['t-y']).toMatchObject({ value: (2 / 40) * 10_000, n: 40 });
			const filtered = (
				await onBothEngines(db, (t) => kpis(t, query({ filters: { team: ['t-x', 't-y'] } }), { now: LATER }))
			).rows[0].kpis;
			expect(filtered.complaint_rate).toMatchObject({ value: (7 / 80) * 10_000, unattributed: 0 });
			const total = (await onBothEngines(db, (t) => kpis(t, query(), { now: LATER }))).rows[0].kpis;
			expect(total.complaint_rate).toMatchObject({ value: (8 / 80) * 10_000, n: 80, unattributed: 1 });
		});
	});

	it('a contact arriving after the complaint that names it still takes the complaint', async () => {
		const events = complaintFixture();
		const db = openDatabase(':memory:');
		writeWithRollups(
			db,
			events.filter((e) => e.type === 'complaint'),
			{ sourceId: 1 }
		);
		writeWithRollups(
			db,
			events.filter((e) => e.type !== 'complaint'),
			{ sourceId: 1 }
		);
		const byTeam = (await onBothEngines(db, (t) => kpis(t, query({ by: 'team' }), { now: LATER }))).rows;
		const tx = byTeam.find((r) => r.group === 't-x');
		expect(tx?.kpis.complaint_rate.value).toBe((5 / 40) * 10_000);
	});
});

describe('missing data is not zero (DOMAIN.md)', () => {
	it('a contact without waitS is left out of ASA and service level', async () => {
		const events: CxEvent[] = [];
		const agent = { handledBy: 'agent' as const, outcome: 'resolved' as const, teamId: 't-a', agentId: 'a1' };
		// 40 answered after 30 s, 20 answered with no wait reported.
		for (let i = 0; i < 40; i++) events.push(contact(`w${i}`, T0 + i * MIN, { ...agent, waitS: 30 }));
		for (let i = 0; i < 20; i++) events.push(contact(`u${i}`, T0 + i * MIN, agent));
		await bothWays(events, async (db) => {
			const k = (await onBothEngines(db, (t) => kpis(t, query(), { now: LATER }))).rows[0].kpis;
			expect(k.asa_s).toMatchObject({ value: 30, n: 40 });
			expect(k.service_level).toMatchObject({ value: 0, n: 40 });
			// Per leg, answering is known: 60 answered of 60 requests.
			expect(k.answer_rate).toMatchObject({ value: 100, n: 60 });
		});
	});
});
