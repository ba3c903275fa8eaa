import { describe, expect, it } from 'vitest';
import {
	labelEvery,
	lineGeometry,
	nearestIndex,
	niceTicks,
	valueDomain,
	type LinePoint
} from './line-geometry';

const box = { width: 320, height: 120, left: 40, right: 20, top: 10, bottom: 10 };
const point = (value: number | null, ci95: [number, number] | null = null, n = 50): LinePoint => ({
	value,
	n,
	ci95: value === null ? null : ci95
});

describe('SVG line chart geometry', () => {
	it('scales categories across the plot and values onto nice ticks that cover the data and the target', () => {
		// Values 60…84 with their intervals, target 90: ticks every 10 from 60 to 90 on a 100 px high plot.
		const g = lineGeometry({
			points: [
				point(70, [65, 75]),
				point(80, [76, 84]),
				point(null, null, 12),
				point(60),
				point(75, [70, 80])
			],
			target: 90,
			bounds: { max: 100 },
			box
		});
		expect(g.domain).toEqual([60, 90]);
		expect(g.ticks).toEqual([
			{ value: 60, y: 110 },
			{ value: 70, y: 76.7 },
			{ value: 80, y: 43.3 },
			{ value: 90, y: 10 }
		]);
		// 260 px wide plot, 5 categories: 65 px apart, the first on the left edge, the last on the right edge.
		expect(g.xs).toEqual([40, 105, 170, 235, 300]);
		expect(g.ys).toEqual([76.7, 43.3, null, 110, 60]);
		expect(g.targetY).toBe(10);
		expect(g.current).toEqual({ index: 4, x: 300, y: 60 });
	});

	it('breaks the line and the band where a point is under the minimum n, and draws no segment for a lone value', () => {
		const g = lineGeometry({
			points: [
				point(70, [65, 75]),
				point(80, [76, 84]),
				point(null, null, 12),
				point(60),
				point(75, [70, 80])
			],
			target: 90,
			bounds: { max: 100 },
			box
		});
		// Two runs: days 0–1, then days 3–4 (day 2 has n = 12, under the minimum).
		expect(g.line).toBe('M40,76.7L105,43.3M235,110L300,60');
		// The band of days 0–1 (upper bounds left to right, lower bounds back); day 3 has no interval, day 4's alone.
		expect(g.band).toBe('M40,60L105,30L105,56.7L40,93.3Z');

		const lone = lineGeometry({ points: [point(null), point(50, [40, 60]), point(null)], target: null, box });
		expect(lone.line).toBe('');
		expect(lone.band).toBe('');
		expect(lone.current?.index).toBe(1);
		// A single category sits in the middle of the plot.
		expect(lineGeometry({ points: [point(5)], target: null, box }).xs).toEqual([170]);
	});

	it('keeps the axis within the unit’s bounds, and has a domain when nothing has a value', () => {
		// An index near 100 with an interval past it: the axis stops at 100.
		const high = valueDomain({
			points: [point(98, [95, 101]), point(99, [97, 101.5])],
			target: 90,
			bounds: { max: 100 }
		});
		expect(high.domain[1]).toBe(100);
		expect(high.ticks.every((t) => t <= 100)).toBe(true);
		expect(high.domain[0]).toBeLessThanOrEqual(90);
		const nps = valueDomain({
			points: [point(-10), point(20)],
			target: null,
			bounds: { min: -100, max: 100 }
		});
		expect(nps).toEqual({ domain: [-10, 20], ticks: [-10, 0, 10, 20] });
		const empty = lineGeometry({
			points: [point(null), point(null)],
			target: null,
			bounds: { max: 100 },
			box
		});
		expect(empty.line).toBe('');
		expect(empty.current).toBeNull();
		expect(empty.domain).toEqual([0, 100]);
		expect(empty.ticks.map((t) => t.value)).toEqual([0, 25, 50, 75, 100]);
	});

	it('makes nice ticks, finds the nearest category and thins labels', () => {
		expect(niceTicks(0.1, 0.3, 4)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
		expect(niceTicks(3, 17, 4)).toEqual([0, 5, 10, 15, 20]);
		// One value: ±10% around it, in quarters.
		expect(niceTicks(50, 50, 4)).toEqual([45, 47.5, 50, 52.5, 55]);
		expect(nearestIndex([40, 105, 170], 80)).toBe(1);
		expect(nearestIndex([40, 105, 170], 0)).toBe(0);
		expect(nearestIndex([40, 105, 170], 500)).toBe(2);
		// 14 days on 260 px: 4 labels fit (56 px each), so every 4th day.
		expect(labelEvery(14, 260)).toBe(4);
		expect(labelEvery(14, 1000)).toBe(1);
	});
});
