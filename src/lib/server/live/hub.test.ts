import { afterEach, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { useStorage } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { writeEvents } from '$lib/server/ingest/writer';
import { postgresWriter } from '$lib/server/ingest/postgres-writer';
import { deriveOnPostgres } from '$lib/server/metrics/derive-postgres';
import { testEngines } from '$lib/server/testing/postgres';
import { memoryBroadcast } from './broadcast';
import { publishAccepted } from './bus';
import { alertAudience, filterKey, liveHub, parseFilterKey, snapshotFingerprint } from './hub';
import { createRelay, relay } from './relay';

describe('live filter keys', () => {
	it('puts every link to the same view under one key, whatever order and extras it has', () => {
		const a = filterKey(
			{ teams: null },
			new URLSearchParams('tv=1&rotate=20&channel=phone,chat&segment=private')
		);
		const b = filterKey(
			{ teams: null },
			new URLSearchParams('segment=private&channel=chat&channel=phone&range=today')
		);
		expect(a).toBe(b);
		expect(a).toBe('*|range=today&channel=chat&channel=phone&segment=private');
		expect(filterKey({ teams: ['t-a'] }, new URLSearchParams('range=7d'))).toBe('t-a|range=7d');
		expect(parseFilterKey('t-a,t-b|range=7d&team=t-a')).toEqual({
			scope: { teams: ['t-a', 't-b'] },
			params: new URLSearchParams('range=7d&team=t-a')
		});
		expect(parseFilterKey('|range=today').scope).toEqual({ teams: [] });
	});

	it('sends an alert about a team only to viewers who may see that team', () => {
		const toTeam = alertAudience('t-a');
		expect(toTeam('*|range=today')).toBe(true);
		expect(toTeam('t-a,t-b|range=today')).toBe(true);
		expect(toTeam('t-c|range=today')).toBe(false);
		expect(alertAudience(null)('t-c|range=today')).toBe(true);
	});
});

const answer = (i: number, channel: 'app' | 'chat' = 'app'): CxEvent => ({
	id: `a${i}`,
	type: 'feedback',
	ts: Date.now() - 1000,
	customerId: `c${i}`,
	channel,
	metric: 'csat',
	score: 5,
	properties: {}
});

/** Writes events the way ingestion does on this engine, then tells the live bus (as the pipeline does). */
async function commit(s: Storage, events: CxEvent[]) {
	if (s.engine === 'sqlite') writeEvents(s.db, events, { sourceId: null });
	else await postgresWriter(s.db, { derive: deriveOnPostgres }).writeEvents(events, { sourceId: null });
	publishAccepted({
		sourceId: null,
		receivedAt: Date.now(),
		accepted: events.length,
		duplicates: 0,
		byType: { feedback: events.length },
		redacted: {},
		events
	});
}

type Seen = { seq: number; kpis: { csat: { n: number } } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, timeoutMs: number) {
	const started = Date.now();
	while (!check() && Date.now() - started < timeoutMs) await sleep(5);
	return Date.now() - started;
}

describe('snapshot fingerprints', () => {
	it('ignore when a snapshot was computed and the period it covers, not its numbers', () => {
		const base = {
			at: 1,
			seq: 10,
			range: 'today' as const,
			from: '2026-12-07T00:00:00+08:00',
			to: '2026-12-07T10:00:00+08:00',
			compare: { from: 'a', to: 'b' },
			sparkDays: ['2026-12-07'],
			cxTrend: [{ day: '2026-12-07', value: 70, n: 40, ci95: [65, 75] as [number, number] }],
			kpis: {} as never
		};
		const later = {
			...base,
			at: 2,
			seq: 11,
			to: '2026-12-07T10:00:05+08:00',
			compare: { from: 'a', to: 'c' }
		};
		expect(snapshotFingerprint(later)).toBe(snapshotFingerprint(base));
		const moved = { ...base, cxTrend: [{ ...base.cxTrend[0], n: 41 }] };
		expect(snapshotFingerprint(moved)).not.toBe(snapshotFingerprint(base));
		expect(snapshotFingerprint({ at: 1, error: { parameter: 'team', message: 'x' } })).toBe(
			snapshotFingerprint({ at: 2, error: { parameter: 'team', message: 'x' } })
		);
	});
});

describe.each(testEngines)('the live hub over a real database on $engine', ({ open }) => {
	let db: { storage: Storage; close: () => Promise<void> } | undefined;
	afterEach(async () => {
		await db?.close();
		db = undefined;
	});

	it('pushes a commit to the viewers whose numbers it changes, within ≈ 100 ms, and to no one else', async () => {
		db = await open();
		useStorage(db.storage);
		await commit(db.storage, [answer(0)]);
		const hub = liveHub();
		const all: Seen[] = [];
		const chat: Seen[] = [];
		const leaveAll = hub.subscribe(filterKey({ teams: null }, new URLSearchParams()), (event, data) => {
			if (event === 'kpis') all.push(data as Seen);
		});
		const leaveWeb = hub.subscribe(
			filterKey({ teams: null }, new URLSearchParams('channel=chat')),
			(event, data) => {
				if (event === 'kpis') chat.push(data as Seen);
			}
		);
		// The first snapshots are computed at once (asynchronously).
		await until(() => all.length > 0 && chat.length > 0, 5000);
		expect(all.at(-1)?.kpis.csat.n).toBe(1);
		expect(chat.at(-1)?.kpis.csat.n).toBe(0);
		// Past the rate bound that the subscriptions' snapshots started, two answers in the app are committed.
		await sleep(300);
		const committed = Date.now();
		await commit(db.storage, [answer(1), answer(2)]);
		const waited = await until(() => all.at(-1)?.kpis.csat.n === 3, 3000);
		expect(all.at(-1)?.kpis.csat.n).toBe(3);
		expect(all.at(-1)?.seq).toBe(3);
		// The 100 ms window and one computation (generous: the machine may be busy).
		expect(Date.now() - committed).toBeLessThan(800);
		expect(waited).toBeGreaterThanOrEqual(90);
		expect(all).toHaveLength(2);
		// The chat view's numbers did not change: it was recomputed but not sent again.
		await sleep(300);
		expect(chat).toHaveLength(1);
		// An answer in the chat changes both views: each gets one snapshot.
		await commit(db.storage, [answer(3, 'chat')]);
		await until(() => chat.length === 2 && all.length === 3, 3000);
		await sleep(300);
		expect(chat.map((s) => s.kpis.csat.n)).toEqual([0, 1]);
		expect(all.map((s) => s.kpis.csat.n)).toEqual([1, 3, 4]);

		// Another process (its own relay on the same broadcast) commits: this process's viewers get a fresh snapshot.
		const shared = memoryBroadcast();
		await relay().attach(shared);
		const otherProcess = createRelay();
		await otherProcess.attach(shared);
		if (db.storage.engine === 'sqlite') writeEvents(db.storage.db, [answer(4)], { sourceId: null });
		else
			await postgresWriter(db.storage.db, { derive: deriveOnPostgres }).writeEvents([answer(4)], {
				sourceId: null
			});
		const announced = Date.now();
		otherProcess.commitHappened();
		await until(() => all.length === 4, 3000);
		expect(all.at(-1)?.kpis.csat.n).toBe(5);
		expect(Date.now() - announced).toBeLessThan(800);
		// The chat view's recomputation (unchanged) ends before the database closes.
		await sleep(500);
		expect(chat).toHaveLength(2);
		await otherProcess.detach();
		await relay().detach();
		leaveAll();
		leaveWeb();
	});
});
