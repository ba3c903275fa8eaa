import { describe, expect, it } from 'vitest';
import { auc, brier, calibration, fitLogistic, predictAll, solveSpd, topReasons } from './model';

/** A small deterministic generator (mulberry32), so every run sees the same synthetic history. */
function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function synthetic(n: number, signal: boolean, seed: number) {
	const rnd = random(seed);
	const x = new Float64Array(n * 3);
	const y = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		const repeats = Math.floor(rnd() * 4);
		const waits = Math.floor(rnd() * 3);
		const noise = rnd();
		x.set([repeats, waits, noise], i * 3);
		const logOdds = signal ? -3 + 0.9 * repeats + 0.6 * waits : -1.5;
		y[i] = rnd() < 1 / (1 + Math.exp(-logOdds)) ? 1 : 0;
	}
	return { x, y };
}

describe('risk model arithmetic', () => {
	it('AUC, its Hanley–McNeil interval and the Brier score match a hand computation', () => {
		const scores = [0.1, 0.4, 0.35, 0.8];
		const labels = [0, 0, 1, 1];
		// Positive/negative pairs won: 0.35>0.1, 0.8>0.1, 0.8>0.4 (0.35<0.4 lost): 3 of 4.
		// Q1 = .75/1.25 = .6, Q2 = 2·.5625/1.75 = .642857; var = (.1875 + .0375 + .080357)/4 = .0763393.
		const result = auc(scores, labels);
		expect(result.auc).toBeCloseTo(0.75, 12);
		expect(result.auc95?.[0]).toBeCloseTo(0.75 - 1.96 * Math.sqrt(0.30535714285714 / 4), 8);
		expect(result.auc95?.[0]).toBeCloseTo(0.20846, 4);
		expect(result.auc95?.[1]).toBe(1);
		// (.01 + .16 + .4225 + .04) / 4
		expect(brier(scores, labels)).toBeCloseTo(0.158125, 12);
		// Ties count one half.
		expect(auc([0.5, 0.5], [0, 1]).auc).toBe(0.5);
		expect(auc([0.2, 0.3], [1, 1])).toMatchObject({ auc: null, auc95: null, positives: 2 });
	});

	it('calibration cuts the rows sorted by prediction into deciles', () => {
		const scores = Array.from({ length: 20 }, (_, i) => i / 20);
		const labels = scores.map((_, i) => (i >= 18 ? 1 : 0));
		const bins = calibration(scores, labels);
		expect(bins).toHaveLength(10);
		expect(bins[0]).toEqual({ bin: 1, predicted: 0.025, observed: 0, n: 2 });
		expect(bins[9]).toEqual({ bin: 10, predicted: 0.925, observed: 1, n: 2 });
	});

	it('solves a positive-definite system', () => {
		const a = new Float64Array([4, 2, 2, 3]);
		const x = solveSpd(a, new Float64Array([2, 1]), 2);
		expect(x[0]).toBeCloseTo(0.5, 12);
		expect(x[1]).toBeCloseTo(0, 12);
	});

	it('recovers a planted signal: held-out AUC well above 0.5, calibrated, the noise feature near zero', () => {
		const train = synthetic(6000, true, 1);
		const test = synthetic(3000, true, 2);
		const model = fitLogistic(['repeats', 'waits', 'noise'], train.x, train.y, { lambda: 1 });
		// Standardised coefficients: 0.9·sd(repeats≈1.118) and 0.6·sd(waits≈0.816).
		expect(model.coefficients[0]).toBeGreaterThan(0.8);
		expect(model.coefficients[0]).toBeLessThan(1.2);
		expect(model.coefficients[1]).toBeGreaterThan(0.35);
		expect(Math.abs(model.coefficients[2])).toBeLessThan(0.15);
		const scores = predictAll(model, test.x, 3000);
		const quality = auc(scores, test.y);
		expect(quality.auc).toBeGreaterThan(0.72);
		expect(quality.auc95?.[0]).toBeGreaterThan(0.65);
		for (const bin of calibration(scores, test.y))
			expect(Math.abs(bin.predicted - bin.observed)).toBeLessThan(0.08);
		expect(topReasons(model, [3, 2, 0.5]).map((r) => r.feature)).toEqual(['repeats', 'waits']);
	});

	it('shows no skill on a history without a signal: the AUC interval contains 0.5', () => {
		const train = synthetic(4000, false, 3);
		const test = synthetic(2000, false, 4);
		const model = fitLogistic(['repeats', 'waits', 'noise'], train.x, train.y);
		const quality = auc(predictAll(model, test.x, 2000), test.y);
		expect(quality.auc95?.[0]).toBeLessThan(0.5);
		expect(quality.auc95?.[1]).toBeGreaterThan(0.5);
	});
});
