import { describe, expect, it } from 'vitest';
import {
	isSignificant,
	adjustedProportionVariance,
	isWiderThan,
	meanInterval,
	npsChangeZ,
	npsInterval,
	npsStandardError,
	rateInterval,
	tQuantile975,
	twoProportionZ,
	welch,
	wilson,
	newcombe,
	npsFromCounts
} from './index';

// Expected values computed by hand (formulas of DOMAIN.md, z = 1.96) and checked with a calculator.

describe('wilson', () => {
	it('matches the formula for 40 of 50', () => {
		const [lo, hi] = wilson(40, 50) ?? [NaN, NaN];
		expect(lo).toBeCloseTo(0.669626279, 8);
		expect(hi).toBeCloseTo(0.887563701, 8);
	});
	it('stays inside 0…1 at the edges', () => {
		expect(wilson(0, 30)?.[0]).toBe(0);
		expect(wilson(0, 30)?.[1]).toBeCloseTo(0.113517091, 8);
		expect(wilson(30, 30)?.[0]).toBeCloseTo(0.886482909, 8);
		expect(wilson(30, 30)?.[1]).toBe(1);
		expect(wilson(1, 1)?.[0]).toBeCloseTo(0.206543291, 8);
	});
	it('has no interval without data', () => {
		expect(wilson(0, 0)).toBeNull();
	});
});

describe('NPS', () => {
	it('SE = √((p + d − (p − d)²) / n)', () => {
		// 50 answers, 25 promoters, 10 detractors: p = .5, d = .2, NPS = 30
		expect(npsStandardError(25, 10, 50)).toBeCloseTo(Math.sqrt(0.61 / 50), 12);
		const r = npsInterval(25, 10, 50);
		expect(r?.value).toBeCloseTo(30, 12);
		expect(r?.ci95[0]).toBeCloseTo(8.351092406, 8);
		expect(r?.ci95[1]).toBeCloseTo(51.648907594, 8);
	});
	it('all promoters: NPS 100 with a zero-width interval', () => {
		const r = npsInterval(30, 0, 30);
		expect(r?.value).toBe(100);
		expect(r?.se).toBe(0);
		expect(r?.ci95).toEqual([100, 100]);
	});
	it('no data: null', () => {
		expect(npsInterval(0, 0, 0)).toBeNull();
		expect(npsStandardError(0, 0, 0)).toBeNull();
	});
	it('change is significant when |ΔNPS| / √(SE₁² + SE₂²) > 1.96', () => {
		expect(npsChangeZ(30, 5, 10, 5)).toBeCloseTo(20 / Math.sqrt(50), 12);
		expect(isSignificant(npsChangeZ(30, 5, 10, 5))).toBe(true);
		expect(isSignificant(npsChangeZ(30, 8, 15, 8))).toBe(false);
		expect(npsChangeZ(10, 0, 10, 0)).toBe(0);
	});
});

describe('means', () => {
	it('mean ± 1.96·s/√n from n, Σx, Σx²', () => {
		// 1, 2, 3, 4: mean 2.5, s² = 5/3
		const r = meanInterval(4, 10, 30);
		expect(r?.mean).toBe(2.5);
		expect(r?.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
		expect(r?.ci95?.[0]).toBeCloseTo(2.5 - (1.96 * Math.sqrt(5 / 3)) / 2, 12);
		expect(r?.ci95?.[1]).toBeCloseTo(2.5 + (1.96 * Math.sqrt(5 / 3)) / 2, 12);
	});
	it('one value: a mean but no interval; no values: null', () => {
		expect(meanInterval(1, 7, 49)).toEqual({ mean: 7, sd: null, se: null, ci95: null });
		expect(meanInterval(0, 0, 0)).toBeNull();
	});
	it('identical values: zero width, never NaN', () => {
		const r = meanInterval(3, 0.3, 0.03);
		expect(r?.sd).toBe(0);
	});
	it("Welch's t on [10,12,14,16] vs [20,22,25,29,30]", () => {
		const r = welch({ n: 4, sum: 52, sumsq: 696 }, { n: 5, sum: 126, sumsq: 3250 });
		expect(r?.t).toBeCloseTo(-5.246806321, 8);
		expect(r?.df).toBeCloseTo(6.609359024, 8);
		expect(r?.significant).toBe(true);
	});
	it('t quantiles', () => {
		expect(tQuantile975(3)).toBeCloseTo(3.182, 3);
		expect(Math.abs(tQuantile975(5) - 2.5706)).toBeLessThan(0.003);
		expect(Math.abs(tQuantile975(10) - 2.2281)).toBeLessThan(0.003);
		expect(Math.abs(tQuantile975(30) - 2.0423)).toBeLessThan(0.003);
		expect(tQuantile975(Infinity)).toBe(1.96);
	});
});

describe('proportions and rates', () => {
	it('pooled two-proportion z: 45/100 vs 30/100', () => {
		expect(twoProportionZ(45, 100, 30, 100)).toBeCloseTo(2.19089023, 7);
		expect(twoProportionZ(1, 0, 1, 1)).toBeNull();
		expect(twoProportionZ(0, 10, 0, 10)).toBe(0);
	});
	it('complaints per 10,000: Wilson while counts ≤ contacts, Poisson beyond', () => {
		const r = rateInterval(3, 6000, 10_000);
		expect(r?.value).toBeCloseTo(5, 12);
		const w = wilson(3, 6000) ?? [0, 0];
		expect(r?.ci95).toEqual([w[0] * 10_000, w[1] * 10_000]);
		const p = rateInterval(40, 30, 10_000);
		expect(p?.value).toBeCloseTo(13333.333, 2);
		expect(p?.se).toBeCloseTo((Math.sqrt(40) / 30) * 10_000, 6);
		expect(rateInterval(0, 0, 10_000)).toBeNull();
	});
	it('low confidence: wider than ± the limit', () => {
		expect(isWiderThan([70, 80.2], 5)).toBe(true);
		expect(isWiderThan([70, 80], 5)).toBe(false);
		expect(isWiderThan(null, 5)).toBe(false);
	});
});

describe('NPS from counts (rounded, for topics)', () => {
	it('computes NPS with its interval and the minimum n', () => {
		const v = npsFromCounts(50, 20, 100);
		expect(v.value).toBe(30);
		const se = Math.sqrt((0.5 + 0.2 - 0.09) / 100) * 100;
		expect(v.ci95?.[0]).toBeCloseTo(30 - 1.96 * se, 1);
		expect(npsFromCounts(10, 5, 29)).toEqual({ value: null, n: 29, ci95: null });
	});
});

describe('newcombe', () => {
	it('matches Newcombe (1998) method 10 for 56/70 − 48/80', () => {
		const [lo, hi] = newcombe(56, 70, 48, 80) ?? [NaN, NaN];
		expect(lo).toBeCloseTo(0.0524, 4);
		expect(hi).toBeCloseTo(0.3339, 4);
		expect(newcombe(1, 0, 1, 2)).toBeNull();
	});
});

describe('adjustedProportionVariance', () => {
	it('is above zero at p = 0 and p = 1 and close to p(1 − p)/n inside', () => {
		expect(adjustedProportionVariance(50, 50) as number).toBeGreaterThan(0);
		expect(adjustedProportionVariance(0, 50)).toBeCloseTo(adjustedProportionVariance(50, 50) as number, 15);
		expect(adjustedProportionVariance(500, 1000) as number).toBeCloseTo(0.25 / 1000, 5);
		expect(adjustedProportionVariance(0, 0)).toBeNull();
	});
});
