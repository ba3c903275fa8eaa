import { describe, expect, it } from 'vitest';
import { createRandom } from '$lib/server/demo/random';
import { quantileInterval, quantileSorted } from './quantiles';

describe('quantileInterval', () => {
	it('covers the true median and 90th percentile about 95% of the time', () => {
		const random = createRandom(7);
		// Exponential times with mean 600 s: median 600·ln 2, 90th percentile 600·ln 10.
		const truth = { 0.5: 600 * Math.LN2, 0.9: 600 * Math.LN10 };
		for (const p of [0.5, 0.9] as const) {
			let covered = 0;
			const trials = 2000;
			for (let t = 0; t < trials; t++) {
				const sample = Float64Array.from({ length: 60 }, () => random.exponential(600)).sort();
				const ci = quantileInterval(sample, p);
				if (ci && ci[0] <= truth[p] && truth[p] <= ci[1]) covered++;
			}
			expect(covered / trials, `p = ${p}`).toBeGreaterThan(0.93);
			expect(covered / trials, `p = ${p}`).toBeLessThan(0.99);
		}
	});

	it('contains the point estimate, stays inside the sample, and narrows as n grows', () => {
		const random = createRandom(3);
		const widths: number[] = [];
		for (const n of [30, 300, 3000]) {
			const sample = Float64Array.from({ length: n }, () => random.exponential(100)).sort();
			const ci = quantileInterval(sample, 0.5) as [number, number];
			const median = quantileSorted(sample, 0.5) as number;
			expect(ci[0]).toBeLessThanOrEqual(median);
			expect(ci[1]).toBeGreaterThanOrEqual(median);
			expect(ci[0]).toBeGreaterThanOrEqual(sample[0]);
			expect(ci[1]).toBeLessThanOrEqual(sample[n - 1]);
			widths.push(ci[1] - ci[0]);
		}
		expect(widths[1]).toBeLessThan(widths[0]);
		expect(widths[2]).toBeLessThan(widths[1]);
		expect(quantileInterval([], 0.5)).toBeNull();
	});
});
