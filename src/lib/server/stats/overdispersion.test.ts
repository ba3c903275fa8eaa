import { describe, expect, it } from 'vitest';
import { dispersedZ, dispersionFactor, extraVariance } from './overdispersion';

describe('overdispersion', () => {
	it("adds τ²/H to each side: a busy center's 1-point wobble is not significant", () => {
		// 80% vs 81% on 20,000 answers a side over 24 hours each.
		const a = { mean: 0.8, variance: 0.16, n: 20_000, hours: 24 };
		const b = { mean: 0.81, variance: 0.81 * 0.19, n: 20_000, hours: 24 };
		expect(Math.abs(dispersedZ(a, b) as number)).toBeGreaterThan(1.96);
		// Hour-to-hour sd of 3 points (τ² = 0.0009) → the difference of 24-hour means has sd ≈ 0.87 points.
		expect(Math.abs(dispersedZ(a, b, 0.0009) as number)).toBeLessThan(1.96);
		expect(dispersedZ({ ...a, n: 0 }, b)).toBeNull();
	});

	it('estimates τ² robustly and never below zero', () => {
		expect(extraVariance([])).toBe(0);
		const residuals = Array.from({ length: 40 }, (_, i) => ({
			diff: i % 2 ? 0.05 : -0.05,
			samplingVariance: 0.0005
		}));
		expect(extraVariance(residuals)).toBeCloseTo(1.4826 ** 2 * 0.0025 - 0.0005, 8);
		expect(dispersionFactor(0, 0.001, 100)).toBe(1);
		expect(dispersionFactor(1e-6, 0.001, 1000)).toBeCloseTo(2, 10);
	});

	it('τ² ignores an outlying incident in the reference period', () => {
		const residuals = Array.from({ length: 200 }, (_, i) => ({
			diff: (i % 2 ? 1 : -1) * 0.02 + (i === 50 ? -0.5 : 0),
			samplingVariance: 0.0001
		}));
		expect(extraVariance(residuals)).toBeCloseTo(1.4826 ** 2 * 0.0004 - 0.0001, 6);
	});
});
