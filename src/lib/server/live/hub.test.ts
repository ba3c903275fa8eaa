import { describe, expect, it } from 'vitest';
import { alertAudience, filterKey, parseFilterKey } from './hub';

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

describe('the live hub over a real database', () => {
	it('sends a viewer a new snapshot within a second of a commit being published', async () => {
		const { openDatabase, useDatabase } = await import('$lib/server/db');
		const { writeEvents } = await import('$lib/server/ingest/writer');
		const { publishAccepted } = await import('./bus');
		const { liveHub } = await import('./hub');
		const db = useDatabase(openDatabase(':memory:'));
		const answer = (i: number) => ({
			id: `a${i}`,
			type: 'feedback' as const,
			ts: Date.now() - 1000,
			customerId: `c${i}`,
			channel: 'app' as const,
			metric: 'csat' as const,
			score: 5,
			properties: {}
		});
		writeEvents(db, [answer(0)], { sourceId: null });
		const snapshots: { seq: number; kpis: { csat: { n: number } } }[] = [];
		const hub = liveHub();
		const leave = hub.subscribe(filterKey({ teams: null }, new URLSearchParams()), (event, data) => {
			if (event === 'kpis') snapshots.push(data as (typeof snapshots)[number]);
		});
		// The first snapshot is computed at once (asynchronously).
		while (!snapshots.length) await new Promise((r) => setTimeout(r, 5));
		expect(snapshots.at(-1)?.kpis.csat.n).toBe(1);
		// Wait out the interval that the subscription's snapshot started, then commit.
		await new Promise((r) => setTimeout(r, 1100));
		const events = [answer(1), answer(2)];
		writeEvents(db, events, { sourceId: null });
		const committed = Date.now();
		publishAccepted({
			sourceId: null,
			receivedAt: committed,
			accepted: 2,
			duplicates: 0,
			byType: { feedback: 2 },
			redacted: {},
			events
		});
		while (snapshots.at(-1)?.kpis.csat.n !== 3 && Date.now() - committed < 1500)
			await new Promise((r) => setTimeout(r, 10));
		expect(snapshots.at(-1)?.kpis.csat.n).toBe(3);
		expect(Date.now() - committed).toBeLessThan(1000);
		expect(snapshots.at(-1)?.seq).toBe(3);

		// Another process (its own relay on the same broadcast) commits: this process's viewers get a fresh snapshot.
		const { memoryBroadcast } = await import('./broadcast');
		const { createRelay, relay } = await import('./relay');
		const shared = memoryBroadcast();
		await relay().attach(shared);
		const otherProcess = createRelay();
		await otherProcess.attach(shared);
		await new Promise((r) => setTimeout(r, 1100));
		writeEvents(db, [answer(3)], { sourceId: null });
		const before = snapshots.length;
		const announced = Date.now();
		otherProcess.commitHappened();
		while (snapshots.length === before && Date.now() - announced < 1500)
			await new Promise((r) => setTimeout(r, 10));
		expect(snapshots.at(-1)?.kpis.csat.n).toBe(4);
		expect(Date.now() - announced).toBeLessThan(1000);
		await otherProcess.detach();
		await relay().detach();
		leave();
		hub.stop();
	});
});
