import { describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { estimateHistoryEvents, generateHistory, historyIncidents } from './generator';
import { DAY_MS, chinaDayNumber, chinaWeekday } from './simulation';

const END = Date.UTC(2025, 5, 1, 4); // 12:00 in China

function collect(seed: number, days: number, end = END): CxEvent[] {
	const events: CxEvent[] = [];
	for (const chunk of generateHistory({ seed, days, end })) for (const e of chunk) events.push(e);
	return events;
}

describe('generateHistory: determinism', () => {
	it('gives identical events for a seed and different events for another seed', () => {
		const a = collect(7, 3);
		const b = collect(7, 3);
		const c = collect(8, 3);
		expect(a.length).toBeGreaterThan(10_000);
		// Compared as JSON: a deep equality walk over tens of thousands of objects is slow.
		expect(JSON.stringify(b)).toBe(JSON.stringify(a));
		expect(JSON.stringify(c.slice(0, 500))).not.toBe(JSON.stringify(a.slice(0, 500)));
		expect(c.length).not.toBe(a.length);
	});

	it('yields one China-local day per chunk, ending at `end`', () => {
		const chunks = [...generateHistory({ seed: 1, days: 2, end: END })];
		expect(chunks.length).toBe(3); // a partial first day, a full day, a partial last day
		for (const chunk of chunks) expect(new Set(chunk.map((e) => chinaDayNumber(e.ts))).size).toBe(1);
		const all = chunks.flat();
		expect(all[0].ts).toBeGreaterThanOrEqual(END - 2 * DAY_MS);
		expect(all[all.length - 1].ts).toBeLessThan(END);
	});
});

describe('historyIncidents', () => {
	it('places two short weekday incidents inside histories of two weeks or more', () => {
		const start = END - 90 * DAY_MS;
		const incidents = historyIncidents(1, start, END);
		expect(incidents).toHaveLength(2);
		for (const i of incidents) {
			expect(i.from).toBeGreaterThan(start);
			expect(i.to).toBeLessThan(END);
			expect(i.to - i.from).toBeLessThanOrEqual(3 * 3_600_000);
			expect([1, 2, 3, 4, 5]).toContain(chinaWeekday(i.from));
		}
		expect(historyIncidents(1, END - 7 * DAY_MS, END)).toEqual([]);
	});

	it('estimates the volume for progress bars', () => {
		expect(estimateHistoryEvents(90)).toBeGreaterThan(600_000);
		expect(estimateHistoryEvents(90)).toBeLessThan(900_000);
		expect(estimateHistoryEvents(10, 0.5)).toBe(estimateHistoryEvents(5));
	});
});
