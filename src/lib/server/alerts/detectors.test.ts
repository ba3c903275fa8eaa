import { describe, expect, it } from 'vitest';
import { createRandom } from '$lib/server/demo/random';
import {
	cusum,
	dayOf,
	detectAnomaly,
	ewma,
	ewmaLimit,
	hourOfDay,
	lnGamma,
	pChartLimits,
	poissonUpperTail,
	proportionMoments,
	shrunkRate,
	type AnomalyOptions,
	type Baseline,
	type Moments
} from './detectors';

/** 2025-01-06 00:00 China time (a Monday), as an hour index. */
const START = Math.floor(Date.parse('2025-01-06T00:00:00+08:00') / 3_600_000);
const WEEK = 168;

/** Contacts an hour: busy days, quiet nights, quieter weekends (the demo's daily and weekly cycle). */
function volume(hour: number): number {
	const h = hourOfDay(hour);
	const weekday = (dayOf(hour) + 4) % 7;
	const day = h >= 8 && h < 21 ? 1 : h >= 6 && h < 23 ? 0.45 : 0.12;
	return 220 * day * (weekday === 0 || weekday === 6 ? 0.7 : 1);
}

/** A CSAT-like share with a daily shape (worse at the busy late morning) and a weekend lift. */
function seasonalShare(hour: number): number {
	const h = hourOfDay(hour);
	const weekday = (dayOf(hour) + 4) % 7;
	return 0.85 - 0.035 * Math.exp(-0.5 * ((h - 11) / 2) ** 2) + (weekday === 0 || weekday === 6 ? 0.015 : 0);
}

/**
 * Hourly moments of a binomial share around `share(hour)`, with hour-to-hour extra variation of sd `wobble` (the
 * overdispersion real centers have: staffing, weather, a slow system for an hour).
 */
function series(hours: number, share: (hour: number) => number, seed: number, wobble = 0.012) {
	const rng = createRandom(seed);
	const data = new Map<number, Moments>();
	for (let hour = START; hour < START + hours; hour++) {
		const n = rng.poisson(volume(hour));
		const p = Math.min(0.999, Math.max(0.001, share(hour) + rng.normal(0, wobble)));
		let x = 0;
		for (let i = 0; i < n; i++) if (rng.next() < p) x++;
		data.set(hour, proportionMoments(x, n));
	}
	return data;
}

/** The starter CSAT rule's detector: EWMA and CUSUM, lower side, two-point confirmation (the defaults). */
const OPTIONS: Partial<AnomalyOptions> = { direction: 'low', methods: ['ewma', 'cusum'] };
const EWMA_ONLY: Partial<AnomalyOptions> = { direction: 'low', methods: ['ewma'] };

/** Runs the detector at every hour from `from` and returns the hours at which an alert would open. */
function onsets(
	data: Map<number, Moments>,
	from: number,
	to: number,
	options: Partial<AnomalyOptions> = OPTIONS
): { hour: number; methods: string[] }[] {
	const found: { hour: number; methods: string[] }[] = [];
	let firing = false;
	// An hour's baseline reads only days before it, which never change here: share them between runs.
	const cache = new Map<number, Baseline | null>();
	for (let now = from; now < to; now++) {
		const r = detectAnomaly({ moments: (h) => (h <= now ? data.get(h) : undefined), now, options, cache });
		if (r.signal && !firing) found.push({ hour: now, methods: r.methods });
		firing = r.signal;
	}
	return found;
}

describe('control-chart arithmetic', () => {
	it('EWMA limits grow to the asymptote L·√(λ/(2−λ))', async () => {
		expect(ewmaLimit(0.25, 3, 1)).toBeCloseTo(3 * 0.25, 10);
		expect(ewmaLimit(0.25, 3, 1000)).toBeCloseTo(3 * Math.sqrt(0.25 / 1.75), 10);
		const e = ewma([1, null, 1], 0.5, 3);
		expect(e.map((p) => p.value)).toEqual([0.5, 0.5, 0.75]);
		expect(e[1].limit).toBe(e[0].limit);
	});

	it('p-chart limits are p₀ ± 3√(p₀(1−p₀)/n), widened by τ²', async () => {
		const [lo, hi] = pChartLimits(0.8, 100);
		expect(lo).toBeCloseTo(0.8 - 0.12, 10);
		expect(hi).toBeCloseTo(0.8 + 0.12, 10);
		expect(pChartLimits(0.8, 100, 3, 0.001)[1]).toBeCloseTo(0.8 + 3 * Math.sqrt(0.0016 + 0.001), 10);
	});

	it('CUSUM accumulates shifts beyond k and is capped', async () => {
		const c = cusum([1, 1, 1, -3], 0.5, 4, 1.2);
		expect(c.map((p) => p.upper)).toEqual([0.5, 1, 1.2, 0]);
		expect(c[3].lower).toBeCloseTo(1.2, 10);
	});
});

describe('detectors on synthetic series', () => {
	const warmUp = 8 * WEEK;

	it('a stable seasonal series raises no alert over half a year', async () => {
		const data = series(warmUp + 26 * WEEK, seasonalShare, 11);
		expect(onsets(data, START + warmUp, START + warmUp + 26 * WEEK, EWMA_ONLY)).toEqual([]);
	});

	it('measures the false-alarm rate over two years of stable seasonal series', async () => {
		const hours = 52 * WEEK;
		const rates: Record<string, number> = {};
		for (const [name, options] of [
			['EWMA', EWMA_ONLY],
			['EWMA+CUSUM', OPTIONS]
		] as const) {
			let alarms = 0;
			for (const seed of [12, 99]) {
				const data = series(warmUp + hours, seasonalShare, seed);
				alarms += onsets(data, START + warmUp, START + warmUp + hours, options).length;
			}
			rates[name] = (alarms / (2 * hours)) * 1000;
			console.log(
				`[alerts] false alarms, ${name} (λ=0.25 L=3, CUSUM k=0.5 h=5, lower side, 2-point confirmation): ` +
					`${alarms} in ${2 * hours} hourly points = ${rates[name].toFixed(2)} per 1,000 hours`
			);
		}
		expect(rates.EWMA).toBeLessThan(0.5);
		expect(rates['EWMA+CUSUM']).toBeLessThan(2);
	}, 120_000);

	it('detects a step change of −8 points within 3 hours', async () => {
		const stepAt = START + warmUp + 3 * WEEK + 10; // a Monday, 10:00
		const data = series(warmUp + 4 * WEEK, (h) => seasonalShare(h) - (h >= stepAt ? 0.08 : 0), 13);
		const found = onsets(data, START + warmUp, START + warmUp + 4 * WEEK);
		expect(found.filter((f) => f.hour < stepAt)).toEqual([]);
		const first = found.find((f) => f.hour >= stepAt);
		expect(first).toBeDefined();
		expect(first!.hour - stepAt).toBeLessThanOrEqual(3);
		console.log(`[alerts] step of −8 points detected after ${first!.hour - stepAt} h`);
		expect(first!.methods).toContain('ewma');
	});

	it('detects a slow drift (−6 points over 3 days) with CUSUM within 48 hours', async () => {
		const driftAt = START + warmUp + 3 * WEEK;
		const drift = (h: number) => (h < driftAt ? 0 : Math.min(0.06, ((h - driftAt) / 72) * 0.06));
		const data = series(warmUp + 5 * WEEK, (h) => seasonalShare(h) - drift(h), 14);
		const found = onsets(data, START + warmUp, START + warmUp + 5 * WEEK);
		expect(found.filter((f) => f.hour < driftAt)).toEqual([]);
		const first = found.find((f) => f.hour >= driftAt);
		expect(first).toBeDefined();
		expect(first!.hour - driftAt).toBeLessThanOrEqual(48);
		console.log(`[alerts] drift of −6 points over 72 h detected after ${first!.hour - driftAt} h`);
		const cusumOnly = onsets(data, START + warmUp, START + warmUp + 5 * WEEK, {
			...OPTIONS,
			methods: ['cusum']
		}).find((f) => f.hour >= driftAt);
		expect(cusumOnly!.hour - driftAt).toBeLessThanOrEqual(48);
	});

	it('says "insufficient" without enough baseline, and respects the minimum change', async () => {
		const data = series(WEEK, seasonalShare, 15);
		expect(detectAnomaly({ moments: (h) => data.get(h), now: START + WEEK - 1 }).insufficient).toBe(true);
		const stepAt = START + warmUp + 10;
		const big = series(warmUp + 20, (h) => seasonalShare(h) - (h >= stepAt ? 0.08 : 0), 16);
		const at = (minChange: number) =>
			detectAnomaly({
				moments: (h) => big.get(h),
				now: stepAt + 4,
				options: { ...OPTIONS, minChange, confirmPoints: 1 }
			});
		expect(at(0).signal).toBe(true);
		expect(at(0.2).signal).toBe(false);
		expect(at(0).side).toBe('low');
	});
});

describe('rare counts: the Poisson tail and the shrunk hour-of-week rate', () => {
	it('computes ln Γ and P(X ≥ k) exactly, down to tiny tails', async () => {
		expect(lnGamma(1)).toBeCloseTo(0, 12);
		expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
		expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
		expect(lnGamma(101)).toBeCloseTo(363.73937555556347, 9);
		// By hand: P(X ≥ 1 | 2) = 1 − e⁻², P(X ≥ 3 | 0.12) = 1 − e^−0.12 (1 + 0.12 + 0.0072).
		expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 14);
		expect(poissonUpperTail(3, 0.12)).toBeCloseTo(1 - Math.exp(-0.12) * (1 + 0.12 + 0.0072), 15);
		expect(poissonUpperTail(0, 3)).toBe(1);
		expect(poissonUpperTail(2, 0)).toBe(0);
		// Below the mean the complement is summed: P(X ≥ 10 | 20) = 1 − P(X ≤ 9) ≈ 0.99500.
		expect(poissonUpperTail(10, 20)).toBeCloseTo(0.995005, 5);
		// A far tail stays positive and exact in log terms: P(X ≥ 60 | 5) ≈ e⁻⁵ 5⁶⁰ / 60! (next terms add ~9%).
		const first = Math.exp(-5 + 60 * Math.log(5) - lnGamma(61));
		expect(poissonUpperTail(60, 5) / first).toBeGreaterThan(1.08);
		expect(poissonUpperTail(60, 5) / first).toBeLessThan(1.1);
		// Large counts: mean 10,000, one standard deviation above ≈ 0.16.
		expect(poissonUpperTail(10_100, 10_000)).toBeGreaterThan(0.15);
		expect(poissonUpperTail(10_100, 10_000)).toBeLessThan(0.17);
	});

	it('tests at its nominal size on simulated Poisson counts', async () => {
		// With λ = 0.5 the test at α = 0.01 can only reject at X ≥ 4 (P = 0.00175): the realised rate must be that.
		const rng = createRandom(77);
		let rejected = 0;
		const runs = 200_000;
		for (let i = 0; i < runs; i++) if (poissonUpperTail(rng.poisson(0.5), 0.5) < 0.01) rejected++;
		expect(rejected / runs).toBeGreaterThan(0.0012);
		expect(rejected / runs).toBeLessThan(0.0024);
	});

	it('leans on the pooled rate while an hour-of-week slot is thin, and on the slot once it is not', async () => {
		const pooled = { events: 50, exposure: 100_000 }; // 5 per 10,000
		// No slot, or an empty one: the pooled rate (with half an event added).
		expect(shrunkRate(null, pooled)).toBeCloseTo(50.5 / 100_000, 12);
		// A thin slot with two complaints in 2,000 contacts (10 per 10,000) moves the estimate only a little …
		const thin = shrunkRate({ events: 2, exposure: 2_000 }, pooled);
		expect(thin).toBeGreaterThan(50.5 / 100_000);
		expect(thin).toBeLessThan(6e-4);
		// … a rich slot at 10 per 10,000 speaks for itself.
		expect(shrunkRate({ events: 400, exposure: 400_000 }, pooled)).toBeCloseTo(1e-3, 4);
		// A history without any complaint never predicts zero.
		expect(shrunkRate(null, { events: 0, exposure: 10_000 })).toBeGreaterThan(0);
	});
});
