import { describe, expect, it } from 'vitest';
import {
	benjaminiHochberg,
	binomialTwoSidedP,
	binomialUpperTail,
	growthTest,
	holm,
	logGamma,
	normalCdf,
	incompleteBeta,
	poissonRatesTest,
	tQuantile975,
	tTwoSidedP,
	twoSidedP,
	welch
} from './tests';

describe('normal tail and Holm', () => {
	it('has a correct normal CDF and Holm procedure', () => {
		expect(normalCdf(0)).toBeCloseTo(0.5, 7);
		expect(normalCdf(1.96)).toBeCloseTo(0.975, 4);
		expect(normalCdf(-1.96)).toBeCloseTo(0.025, 4);
		expect(twoSidedP(1.96)).toBeCloseTo(0.05, 3);
		// m = 3 at α = .05: thresholds .0167, .025, .05 in order of p.
		expect(holm([0.01, 0.04, 0.03])).toEqual([true, false, false]);
		expect(holm([0.01, 0.04, 0.02])).toEqual([true, true, true]);
		expect(holm([0.02, 0.04, 0.03])).toEqual([false, false, false]);
		expect(holm([0.001, 0.2, 0.03])).toEqual([true, false, false]);
	});
});

describe('exact binomial tests and growth', () => {
	it('computes ln Γ and binomial tails', () => {
		expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
		expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
		expect(binomialUpperTail(0, 10, 0.5)).toBe(1);
		expect(binomialUpperTail(10, 10, 0.5)).toBeCloseTo(1 / 1024, 12);
		expect(binomialUpperTail(6, 10, 0.5)).toBeCloseTo(386 / 1024, 12);
		expect(binomialUpperTail(11, 10, 0.5)).toBe(0);
	});

	it('flags growth beyond noise only', () => {
		// 40 this week vs 10 last week with steady volume: clearly emerging
		expect(growthTest(40, 10, 1000, 1000).pValue).toBeLessThan(1e-4);
		// 12 vs 10: noise
		expect(growthTest(12, 10, 1000, 1000).pValue).toBeGreaterThan(0.2);
		// 40 vs 20 when all volume doubled: the share did not grow
		expect(growthTest(40, 20, 2000, 1000).pValue).toBeGreaterThan(0.3);
	});
});

describe('Benjamini–Hochberg', () => {
	it('turns a lone p = 0.03 among 10 tiles into not significant', () => {
		const p = [0.03, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.4, 0.45, 0.55];
		expect(benjaminiHochberg(p).some(Boolean)).toBe(false);
		// Tested alone it would have been significant.
		expect(benjaminiHochberg([0.03])).toEqual([true]);
	});

	it('steps up: every p at or under its rank threshold k·q/m counts, unlike Holm', () => {
		// m = 3: thresholds .0167, .0333, .05 → all three; Holm (.0167, .025, .05) keeps only the first.
		expect(benjaminiHochberg([0.01, 0.04, 0.03])).toEqual([true, true, true]);
		expect(holm([0.01, 0.04, 0.03])).toEqual([true, false, false]);
		// Step-up: 0.02 is over its own threshold (1·.05/4 = .0125) but 0.025 ≤ 2·.05/4 carries it; 0.04 > 3·.05/4.
		expect(benjaminiHochberg([0.02, 0.9, 0.025, 0.04])).toEqual([true, false, true, false]);
		expect(benjaminiHochberg([])).toEqual([]);
	});
});

describe('exact tests for rare counts', () => {
	it('matches R binom.test (two-sided, minimum likelihood)', () => {
		expect(binomialTwoSidedP(0, 3, 0.5)).toBeCloseTo(0.25, 10);
		expect(binomialTwoSidedP(7, 10, 0.5)).toBeCloseTo(0.34375, 10);
		// P(X ≤ 2) = 211 / 2²⁰, doubled by symmetry.
		expect(binomialTwoSidedP(2, 20, 0.5)).toBeCloseTo((2 * 211) / 2 ** 20, 12);
		expect(binomialTwoSidedP(5, 10, 0.5)).toBeCloseTo(1, 10);
	});

	it('compares 0 with 3 complaints over equal contacts: p = 0.25, not significant', () => {
		expect(poissonRatesTest(0, 10_000, 3, 10_000)).toBeCloseTo(0.25, 10);
		expect(poissonRatesTest(0, 10_000, 10, 10_000)).toBeCloseTo(2 / 1024, 10);
		// Unequal exposure: 0 of 1,000 against 3 of 9,000 is what one expects (p = 1).
		expect(poissonRatesTest(0, 1_000, 3, 9_000)).toBeCloseTo(1, 6);
		expect(poissonRatesTest(0, 0, 3, 10)).toBeNull();
		expect(poissonRatesTest(0, 5, 0, 10)).toBe(1);
	});

	it('reads overdispersed counts with the dispersion factor', () => {
		// 2 vs 12 is significant as exact Poisson counts, not when their variance is 3× Poisson.
		expect(poissonRatesTest(2, 1000, 12, 1000) as number).toBeLessThan(0.05);
		expect(poissonRatesTest(2, 1000, 12, 1000, 3) as number).toBeGreaterThan(0.05);
	});
});

describe("Student's t p-values", () => {
	it('matches tabled quantiles and the incomplete beta', () => {
		// I_½(2, 3) = 11/16 (a polynomial identity).
		expect(incompleteBeta(0.5, 2, 3)).toBeCloseTo(11 / 16, 12);
		// t₀.₉₇₅: 12.706 (1 df), 2.228 (10), 2.045 (29): two-sided p = 0.05.
		expect(tTwoSidedP(12.706, 1)).toBeCloseTo(0.05, 4);
		expect(tTwoSidedP(2.228, 10)).toBeCloseTo(0.05, 4);
		expect(tTwoSidedP(2.045, 29)).toBeCloseTo(0.05, 4);
		expect(tTwoSidedP(tQuantile975(200), 200)).toBeCloseTo(0.05, 4);
		expect(tTwoSidedP(0, 5)).toBe(1);
		expect(tTwoSidedP(1.96, Infinity)).toBeCloseTo(twoSidedP(1.96), 12);
	});

	it("gives Welch's test a p-value that agrees with its verdict", () => {
		const r = welch(
			{ n: 30, sum: 30 * 10, sumsq: 30 * 100 + 29 * 4 },
			{ n: 30, sum: 30 * 11.2, sumsq: 30 * 11.2 ** 2 + 29 * 4 }
		);
		// Means 10 and 11.2, SD 2 each: t = −1.2 / √(8/30) = −2.324, df = 58, p ≈ 0.0237.
		expect(r?.t).toBeCloseTo(-2.3238, 3);
		expect(r?.p).toBeCloseTo(0.0237, 3);
		expect(r?.significant).toBe(true);
	});
});
