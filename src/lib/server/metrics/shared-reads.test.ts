/**
 * One KPI answer reads each part once (kpis.ts `aggregateOnce`): a range inside a follow-up window (today so far, an
 * alert's last hour) is its own open part, so it was read three times — the range, then the chains still open for
 * FCR's 7 days and for the 48 hours of repeat contact — and its comparison period three more. Shared reads must give
 * exactly the answers of separate reads (`shareReads: false`, the old path), on both engines, with fewer reads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { sqliteStorage } from '$lib/server/db/storage';
import { computeKpis, kpis } from './kpis';
import { cxQuery, type CxQuery } from './query';
import { metricsStores, type MetricsReader } from './read-store';
import { getIndexWeights, getKpiSettings } from './settings';
import { closeMirror, onBothEngines, writeWithRollups } from './testing';

afterAll(closeMirror);

const T0 = Date.parse('2025-03-03T00:00:00+08:00');
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The moment of the queries: 14:25 on the third day, with events up to it (a live centre). */
const NOW = T0 + 2 * DAY + 14 * HOUR + 25 * MIN;

/** Three days of a small centre: contacts on two teams and channels, repeats, answers and a complaint now and then. */
function centre(): CxEvent[] {
	const events: CxEvent[] = [];
	let k = 0;
	for (let ts = T0 + 7 * MIN; ts < NOW; ts += 11 * MIN + (k % 5) * MIN) {
		k++;
		const customerId = `c${k % 37}`;
		const team = k % 3 === 0 ? 't2' : 't1';
		events.push({
			id: `e${k}`,
			type: 'contact',
			customerId,
			ts,
			channel: k % 4 === 0 ? 'bot' : 'phone',
			handledBy: k % 4 === 0 ? 'bot' : 'agent',
			outcome: k % 6 === 0 ? 'unresolved' : 'resolved',
			teamId: k % 4 === 0 ? undefined : team,
			agentId: k % 4 === 0 ? undefined : `a${k % 5}`,
			reason: `r${k % 3}`,
			waitS: (k * 7) % 90,
			handleS: 60 + ((k * 13) % 400),
			properties: {}
		});
		if (k % 2 === 0)
			events.push({
				id: `f${k}`,
				type: 'feedback',
				customerId,
				ts: ts + 2 * MIN,
				metric: (['csat', 'nps', 'ces'] as const)[k % 3],
				score: (['csat', 'nps', 'ces'] as const)[k % 3] === 'nps' ? k % 11 : 1 + (k % 5),
				channel: 'phone',
				properties: {}
			});
		if (k % 17 === 0)
			events.push({
				id: `x${k}`,
				type: 'complaint',
				customerId,
				ts: ts + 5 * MIN,
				channel: 'phone',
				properties: {}
			});
	}
	return events;
}

let db: Db;
function database(): Db {
	if (!db) {
		db = openDatabase(':memory:');
		writeWithRollups(db, centre());
	}
	return db;
}

const today = T0 + 2 * DAY;
const QUERIES: Record<string, CxQuery> = {
	// The wallboard: today so far against the same hours yesterday, and its 14-day sparkline by day.
	'today so far, compared': cxQuery({ from: today, to: NOW, compare: { from: today - DAY, to: NOW - DAY } }),
	sparkline: cxQuery({ from: T0 - 11 * DAY, to: NOW, by: 'day' }),
	// An alert's window: the last hour, which starts inside an hour (raw rows at the edge).
	'last hour, by team': cxQuery({ from: NOW - HOUR, to: NOW, by: 'team' }),
	'last 45 minutes, a channel, a manager': cxQuery({
		from: NOW - 45 * MIN,
		to: NOW,
		filters: { channel: ['phone'] },
		scope: { teams: ['t1'] }
	}),
	// The strata's read is the reference mix's own (its 90 days before today, no filter): one read for both, each
	// taking its own open chains out.
	'the reference period, standardised': cxQuery({ from: today - 90 * DAY, to: today, standardise: true }),
	'today so far, standardised, by hour': cxQuery({ from: today, to: NOW, by: 'hour', standardise: true }),
	'an agent (no cuboid: raw rows)': cxQuery({
		from: NOW - 3 * HOUR,
		to: NOW,
		filters: { agent: ['a1'], channel: ['phone'] }
	})
};

/** The reader's calls, by method and arguments (functions left out). */
function counting(reader: MetricsReader, calls: string[]): MetricsReader {
	return new Proxy(reader, {
		get(target, prop, receiver) {
			const value = Reflect.get(target, prop, receiver);
			if (typeof value !== 'function') return value;
			return (...args: unknown[]) => {
				calls.push(JSON.stringify([prop, ...args.filter((a) => typeof a !== 'function')]));
				return value.apply(target, args);
			};
		}
	});
}

async function readsOf(q: CxQuery, shareReads: boolean): Promise<string[]> {
	const storage = sqliteStorage(database());
	const [settings, weights] = await Promise.all([getKpiSettings(storage), getIndexWeights(storage)]);
	const calls: string[] = [];
	await metricsStores
		.sqlite(database())
		.read((r) => computeKpis(counting(r, calls), q, { settings, weights, now: NOW, shareReads }));
	return calls;
}

describe('one KPI answer reads each part once', () => {
	for (const [name, q] of Object.entries(QUERIES))
		it(`${name}: the same answer as separate reads, on both engines`, async () => {
			const shared = await onBothEngines(database(), (t) => kpis(t, q, { now: NOW }));
			const separate = await onBothEngines(database(), (t) => kpis(t, q, { now: NOW, shareReads: false }));
			expect(shared).toStrictEqual(separate);
			// Not an empty comparison: the fixture has contacts in every one of these periods.
			expect(shared.rows.some((row) => Object.values(row.kpis).some((k) => k.n > 0))).toBe(true);
		});

	it('reads a range inside the follow-up windows once, not once per window', async () => {
		for (const name of ['today so far, compared', 'last hour, by team', 'an agent (no cuboid: raw rows)']) {
			const shared = await readsOf(QUERIES[name], true);
			const separate = await readsOf(QUERIES[name], false);
			const scans = (calls: string[]) => calls.filter((c) => c.startsWith('["scanRaw"'));
			// The same raw rows are never scanned twice for one answer…
			expect([name, scans(shared).length]).toEqual([name, new Set(scans(shared)).size]);
			expect([name, scans(shared).length > 0]).toEqual([name, true]);
			// … and the whole answer takes a third of the reads it took (range and both windows were one read).
			expect([name, shared.length * 3]).toEqual([name, separate.length]);
		}
	});
});
