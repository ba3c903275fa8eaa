import { describe, expect, it } from 'vitest';
import type * as metrics from '$lib/server/metrics';
import { boardSignificance, kpiTile } from './kpi-tile';

const result = (p: number | null | undefined): metrics.KpiResult => ({
	value: 80,
	n: 1000,
	ci95: [77, 82],
	unit: 'percent',
	lowConfidence: false,
	target: 85,
	status: 'amber',
	change: 2,
	significant: p === null || p === undefined ? null : p < 0.05,
	...(p === undefined ? {} : { p })
});

describe('significance over a board of tiles (Benjamini–Hochberg at 5%)', () => {
	it('keeps a lone p = 0.03 among ten tiles from being shown as significant', () => {
		const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] as const;
		const ps = [0.03, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1];
		const results = Object.fromEntries(keys.map((k, i) => [k, result(ps[i])])) as Record<
			(typeof keys)[number],
			metrics.KpiResult
		>;
		// On its own the first tile is significant (what the board showed before).
		expect(results.a.significant).toBe(true);
		const board = boardSignificance(results, keys);
		expect(board.a).toBe(false);
		expect(kpiTile('csat', results.a, [], board.a).significant).toBe(false);
	});

	it('adjusts over the tiles where a test ran only; the others stay null (no claim either way)', () => {
		// BH over 3 tested tiles: 0.01 ≤ 1·0.05/3, 0.03 ≤ 2·0.05/3 → both discoveries; 0.2 is not.
		const results = {
			a: result(0.01),
			b: result(0.03),
			c: result(0.2),
			d: result(null),
			e: result(undefined)
		};
		expect(boardSignificance(results, ['a', 'b', 'c', 'd', 'e'] as const)).toEqual({
			a: true,
			b: true,
			c: false,
			d: null,
			e: null
		});
	});
});
