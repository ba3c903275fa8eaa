import { describe, expect, it } from 'vitest';
import { pChart, pChartLimits } from './control-chart';

describe('p-chart', () => {
	it('computes p₀ ± 3√(p₀(1−p₀)/n) per subgroup, clamped to 0…1', () => {
		// p₀ = 0.8, n = 100: 3·√(0.16/100) = 0.12.
		const [lo, hi] = pChartLimits(0.8, 100);
		expect(lo).toBeCloseTo(0.68, 10);
		expect(hi).toBeCloseTo(0.92, 10);
		expect(pChartLimits(0.98, 30)[1]).toBe(1);
		expect(pChartLimits(0.02, 30)[0]).toBe(0);
	});

	it('takes the centre from all answers and marks the points outside their limits', () => {
		const chart = pChart(
			[
				{ bucket: 'd1', x: 80, n: 100 },
				{ bucket: 'd2', x: 95, n: 100 }, // 95% > 80% + 12 → above
				{ bucket: 'd3', x: 60, n: 100 }, // below
				{ bucket: 'd4', x: 85, n: 100 },
				{ bucket: 'd5', x: 10, n: 20 } // under the minimum n: hidden, still in p₀
			],
			30
		);
		expect(chart.center).toBeCloseTo((330 / 420) * 100, 10);
		expect(chart.points.map((p) => p.signal)).toEqual([null, 'above', 'below', null, null]);
		expect(chart.points[4]).toEqual({ bucket: 'd5', n: 20, value: null, lcl: null, ucl: null, signal: null });
		expect(chart.signals).toBe(2);
		const p0 = 330 / 420;
		expect(chart.points[0].ucl).toBeCloseTo((p0 + 3 * Math.sqrt((p0 * (1 - p0)) / 100)) * 100, 10);
	});

	it('uses a baseline when given, and stays empty without answers', () => {
		expect(pChart([{ bucket: 'a', x: 50, n: 100 }], 30, 0.5).points[0].signal).toBeNull();
		expect(pChart([{ bucket: 'a', x: 30, n: 100 }], 30, 0.5).points[0].signal).toBe('below');
		expect(pChart([{ bucket: 'a', x: 0, n: 0 }], 30)).toEqual({
			center: null,
			n: 0,
			points: [{ bucket: 'a', n: 0, value: null, lcl: null, ucl: null, signal: null }],
			signals: 0
		});
	});
});
