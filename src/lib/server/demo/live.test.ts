import { describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { HISTORY_CUSTOMERS, createLiveStream } from './live';

const START = Date.UTC(2025, 5, 2, 2); // 10:00 in China
const MINUTE = 60_000;

/** Runs a stream for `minutes`, asking for events every 10 s like the simulator does. */
function run(
	options: { seed: number; ratePerMinute: number; incident?: boolean },
	minutes: number
): CxEvent[] {
	const stream = createLiveStream({ ...options, start: START });
	const events: CxEvent[] = [];
	for (let now = START; now <= START + minutes * MINUTE; now += 10_000) events.push(...stream.next(now));
	return events;
}

function queueStats(events: CxEvent[]) {
	const offers = events.filter(
		(e) => e.type === 'contact' && e.handledBy === 'agent' && e.waitS !== undefined
	);
	const abandoned = offers.filter((e) => e.outcome === 'abandoned').length;
	const withinTwenty = offers.filter((e) => e.outcome !== 'abandoned' && (e.waitS ?? 0) <= 20).length;
	return {
		offers: offers.length,
		abandonment: abandoned / offers.length,
		serviceLevel: withinTwenty / offers.length
	};
}

describe('createLiveStream', () => {
	const events = run({ seed: 1, ratePerMinute: 120 }, 120);

	it('produces about the requested rate of "now" events, in time order, never in the future', () => {
		const lastHour = events.filter((e) => e.ts >= START + 60 * MINUTE);
		expect(lastHour.length / 60).toBeGreaterThan(120 * 0.6);
		expect(lastHour.length / 60).toBeLessThan(120 * 1.5);
		for (let i = 1; i < events.length; i++) expect(events[i].ts).toBeGreaterThanOrEqual(events[i - 1].ts);
		expect(events[events.length - 1].ts).toBeLessThanOrEqual(START + 120 * MINUTE);
		expect(events[0].ts).toBeGreaterThanOrEqual(START - MINUTE);
	});

	it('uses ids of its own, unique and deterministic for a seed and start', () => {
		expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
		expect(events.every((e) => e.id.startsWith(`l1-${START.toString(36)}-`))).toBe(true);
		const again = run({ seed: 1, ratePerMinute: 120 }, 10);
		expect(JSON.stringify(again)).toBe(JSON.stringify(events.filter((e) => e.ts <= START + 10 * MINUTE)));
		const restarted = createLiveStream({ seed: 1, ratePerMinute: 120, start: START + 1000 });
		restarted.next(START + 5 * MINUTE);
		const later = restarted.next(START + 6 * MINUTE);
		expect(later.some((e) => events.some((x) => x.id === e.id))).toBe(false);
	});

	it('continues the history: returning customers, identified before their first live event', () => {
		const numbers = events.map((e) => Number(e.customerId.slice(2)));
		expect(numbers.some((n) => n <= HISTORY_CUSTOMERS)).toBe(true);
		expect(numbers.some((n) => n >= 2_000_000)).toBe(true);
		const identified = new Set<string>();
		for (const e of events) {
			if (e.type === 'identify') identified.add(e.customerId);
			else expect(identified.has(e.customerId)).toBe(true);
		}
		const types = new Set(events.map((e) => e.type));
		for (const t of ['contact', 'feedback', 'journey', 'identify']) expect(types).toContain(t);
	});

	it('worsens service, complaints and comments while the incident flag is set', () => {
		const calm = run({ seed: 2, ratePerMinute: 300 }, 90);
		const incident = run({ seed: 2, ratePerMinute: 300, incident: true }, 90);
		const q0 = queueStats(calm);
		const q1 = queueStats(incident);
		expect(q1.serviceLevel).toBeLessThan(q0.serviceLevel - 0.1);
		expect(q1.abandonment).toBeGreaterThan(q0.abandonment * 1.5);
		const complaints = (list: CxEvent[]) => list.filter((e) => e.type === 'complaint').length;
		expect(complaints(incident)).toBeGreaterThan(complaints(calm));
		const detractorShare = (list: CxEvent[]) => {
			const nps = list.filter((e) => e.metric === 'nps');
			return nps.filter((e) => (e.score ?? 0) <= 6).length / nps.length;
		};
		expect(detractorShare(incident)).toBeGreaterThan(detractorShare(calm) + 0.1);
	});

	it('takes the incident flag per call, as the simulator passes it', () => {
		const stream = createLiveStream({ seed: 3, ratePerMinute: 60, start: START });
		stream.next(START + MINUTE, true);
		expect(stream.incident).toBe(true);
		stream.next(START + 2 * MINUTE, false);
		expect(stream.incident).toBe(false);
		expect(stream.pending).toBeGreaterThan(0);
	});
});
