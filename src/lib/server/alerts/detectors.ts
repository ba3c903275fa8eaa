/**
 * Anomaly detectors (DOMAIN.md "Statistics"), pure and without I/O: an hour-of-week baseline from the last 4–8
 * weeks, standardised residuals, EWMA with time-varying limits, Shewhart p-chart limits and a one-sided CUSUM.
 *
 * Every KPI is reduced to per-observation moments (n, Σx, Σx²): a proportion is a mean of 0/1, NPS a mean of
 * −1/0/+1, AHT a mean of seconds. So one standardisation serves them all:
 *
 *   z_t = (x̄_t − μ₀) / √(s₀²/n_t + s₀²/N₀ + τ²)
 *
 * with μ₀, s₀² and N₀ the pooled baseline mean, per-observation variance and size, and τ² the hour-to-hour
 * variance real processes have beyond sampling noise (estimated robustly from a reference period, as a Laney p′
 * chart does). Without τ² a busy center (n in the thousands an hour) would alarm on every normal wobble; without
 * s₀²/N₀ a thin baseline would look exact.
 */

import { extraVariance } from '$lib/server/stats';

export interface Moments {
	n: number;
	sum: number;
	sumsq: number;
}

/** Mean, per-observation variance and size of pooled observations. */
export interface Baseline {
	mean: number;
	variance: number;
	n: number;
	/** Distinct days that contributed. */
	days: number;
}

export function addMoments(a: Moments, b: Moments): Moments {
	return { n: a.n + b.n, sum: a.sum + b.sum, sumsq: a.sumsq + b.sumsq };
}

export function meanOf(m: Moments): number | null {
	return m.n > 0 ? m.sum / m.n : null;
}

/** Per-observation (population) variance of pooled moments; 0 for n ≤ 1 or rounding below zero. */
export function varianceOf(m: Moments): number {
	if (m.n <= 1) return 0;
	const mean = m.sum / m.n;
	return Math.max(0, m.sumsq / m.n - mean * mean);
}

/** Moments of a proportion: x successes out of n (each observation 0 or 1). */
export function proportionMoments(x: number, n: number): Moments {
	return { n, sum: x, sumsq: x };
}

// ------------------------------------------------------------------------------------------------ control charts

/** Shewhart p-chart limits p₀ ± L·√(p₀(1−p₀)/n) (optionally widened by an extra variance τ²), clamped to 0…1. */
export function pChartLimits(p0: number, n: number, L = 3, tau2 = 0): [number, number] {
	const half = L * Math.sqrt((p0 * (1 - p0)) / Math.max(1, n) + tau2);
	return [Math.max(0, p0 - half), Math.min(1, p0 + half)];
}

/** The EWMA limit half-width at step t (1-based) for a unit-variance series: L·√(λ/(2−λ)·(1 − (1−λ)^{2t})). */
export function ewmaLimit(lambda: number, L: number, t: number): number {
	return L * Math.sqrt((lambda / (2 - lambda)) * (1 - Math.pow(1 - lambda, 2 * t)));
}

/**
 * EWMA of a standardised series (μ₀ = 0, σ = 1), E₀ = 0; missing points (null) carry the statistic over and do not
 * advance t. Returns the statistic and the limit at every point.
 */
export function ewma(
	z: readonly (number | null)[],
	lambda: number,
	L: number
): { value: number; limit: number }[] {
	let e = 0;
	let t = 0;
	return z.map((x) => {
		if (x !== null) {
			t++;
			e = lambda * x + (1 - lambda) * e;
		}
		return { value: e, limit: t === 0 ? Infinity : ewmaLimit(lambda, L, t) };
	});
}

/**
 * Tabular CUSUM of a standardised series with reference k and decision interval h (both in σ): S⁺ accumulates
 * upward shifts, S⁻ downward ones. The sums are capped at `cap` (default 2h) so that an alert clears within a few
 * points once the process is back, instead of paying off a long excursion first.
 */
export function cusum(
	z: readonly (number | null)[],
	k: number,
	h: number,
	cap = 2 * h
): { upper: number; lower: number }[] {
	let upper = 0;
	let lower = 0;
	return z.map((x) => {
		if (x !== null) {
			upper = Math.min(cap, Math.max(0, upper + x - k));
			lower = Math.min(cap, Math.max(0, lower - x - k));
		}
		return { upper, lower };
	});
}

// ------------------------------------------------------------------------------------------------ hourly series

export const HOUR = 3_600_000;
const CHINA_OFFSET_HOURS = 8;

/** China-local hour of day (0–23) of an hour index (hours since the epoch, UTC). */
export function hourOfDay(hour: number): number {
	return (((hour + CHINA_OFFSET_HOURS) % 24) + 24) % 24;
}

/** China-local day number of an hour index. */
export function dayOf(hour: number): number {
	return Math.floor((hour + CHINA_OFFSET_HOURS) / 24);
}

export type Direction = 'low' | 'high' | 'both';
export const ANOMALY_METHODS = ['ewma', 'pchart', 'cusum'] as const;
export type AnomalyMethod = (typeof ANOMALY_METHODS)[number];

export interface AnomalyOptions {
	/** EWMA weight λ (DOMAIN.md: 0.2–0.3). */
	lambda: number;
	/** Limit width L in σ (EWMA and p-chart). */
	L: number;
	/** CUSUM reference value k and decision interval h, in σ. */
	k: number;
	h: number;
	methods: readonly AnomalyMethod[];
	/** Which way is an anomaly: 'low' (a KPI where higher is better falling), 'high', or both. */
	direction: Direction;
	/** Weeks of history the baseline pools (4–8), and the fewest distinct days it needs. */
	baselineWeeks: number;
	minBaselineDays: number;
	/** Also pool the hours either side of the same hour (smoother baseline of thin data). */
	neighbourHours: number;
	/** Hours fed to the charts before the current one (the statistics restart at the window's start). */
	monitorHours: number;
	/** Hours before the monitored window that estimate τ². */
	referenceHours: number;
	/** Hours with fewer observations are treated as missing. */
	minPointN: number;
	/** Minimum size of a change worth an alert, in the series' units (0: any significant change). */
	minChange: number;
	/**
	 * Consecutive observed points that must signal on the same side (a run rule): 2 cuts the false alarms of an
	 * hourly EWMA about tenfold for one more hour of delay. A point beyond (L+1)σ signals without confirmation.
	 */
	confirmPoints: number;
}

export const DEFAULT_ANOMALY_OPTIONS: AnomalyOptions = {
	lambda: 0.25,
	L: 3,
	k: 0.5,
	h: 5,
	methods: ['ewma', 'cusum'],
	direction: 'both',
	baselineWeeks: 6,
	minBaselineDays: 2,
	neighbourHours: 1,
	monitorHours: 72,
	referenceHours: 336,
	minPointN: 30,
	minChange: 0,
	confirmPoints: 2
};

export interface AnomalyPoint {
	hour: number;
	n: number;
	value: number;
	baseline: number;
	z: number;
}

export interface AnomalyResult {
	/** No usable baseline or no recent point: nothing can be said. */
	insufficient: boolean;
	signal: boolean;
	/** The methods that signal at the last point, in the direction watched. */
	methods: AnomalyMethod[];
	/** 'low' or 'high': the side of the signal (or of the last residual). */
	side: 'low' | 'high' | null;
	latest: AnomalyPoint | null;
	ewma: { value: number; limit: number } | null;
	cusum: { upper: number; lower: number; h: number } | null;
	/** EWMA of the residuals in the series' units: the smoothed size of the change. */
	change: number;
	tau2: number;
	points: number;
}

export interface AnomalyInput {
	/** Hourly moments by hour index; absent hours have no data. */
	moments: (hour: number) => Moments | undefined;
	/** The current hour (its moments may be partial). */
	now: number;
	/**
	 * The day type of an hour's day: days of one type share a baseline (e.g. `wd3` for ordinary Wednesdays,
	 * `stmt-wd` for statement weekdays, `hol` for public holidays). Default: the weekday.
	 */
	dayType?: (hour: number) => string;
	options?: Partial<AnomalyOptions>;
	/**
	 * Baselines already computed by hour, shared between calls when past data cannot change (simulations); by
	 * default each call computes its own.
	 */
	cache?: Map<number, Baseline | null>;
}

const weekdayType = (hour: number) => `wd${(dayOf(hour) + 4) % 7}`;

/**
 * The baseline of an hour: the same hour of day (± neighbours) on days of the same type within the last
 * `baselineWeeks` weeks, pooled. Null when fewer than `minBaselineDays` days contribute.
 */
export function hourBaseline(
	hour: number,
	moments: (hour: number) => Moments | undefined,
	dayType: (hour: number) => string,
	options: Pick<AnomalyOptions, 'baselineWeeks' | 'minBaselineDays' | 'neighbourHours'>
): Baseline | null {
	const type = dayType(hour);
	let pooled: Moments = { n: 0, sum: 0, sumsq: 0 };
	let days = 0;
	for (let d = 1; d <= options.baselineWeeks * 7; d++) {
		const same = hour - 24 * d;
		if (dayType(same) !== type) continue;
		let any = false;
		for (let delta = -options.neighbourHours; delta <= options.neighbourHours; delta++) {
			const m = moments(same + delta);
			if (m && m.n > 0) {
				pooled = addMoments(pooled, m);
				any = true;
			}
		}
		if (any) days++;
	}
	if (days < options.minBaselineDays || pooled.n === 0) return null;
	return { mean: pooled.sum / pooled.n, variance: varianceOf(pooled), n: pooled.n, days };
}

/**
 * Runs the charts over the monitored window ending at `now` and says whether the last point signals. Stateless:
 * the same data always gives the same answer, so restarts and late data need no stored chart state.
 */
export function detectAnomaly(input: AnomalyInput): AnomalyResult {
	const o: AnomalyOptions = { ...DEFAULT_ANOMALY_OPTIONS, ...input.options };
	const dayType = input.dayType ?? weekdayType;
	const cache = input.cache ?? new Map<number, Baseline | null>();
	const baselineOf = (hour: number) => {
		let b = cache.get(hour);
		if (b === undefined) cache.set(hour, (b = hourBaseline(hour, input.moments, dayType, o)));
		return b;
	};

	// τ² from the reference period before the monitored window.
	const residuals: { diff: number; samplingVariance: number }[] = [];
	const firstMonitored = input.now - o.monitorHours;
	for (let hour = firstMonitored - o.referenceHours; hour < firstMonitored; hour++) {
		const m = input.moments(hour);
		if (!m || m.n < o.minPointN) continue;
		const b = baselineOf(hour);
		if (!b) continue;
		residuals.push({
			diff: m.sum / m.n - b.mean,
			samplingVariance: b.variance / m.n + b.variance / b.n
		});
	}
	const tau2 = extraVariance(residuals);

	const points: (AnomalyPoint | null)[] = [];
	for (let hour = firstMonitored; hour <= input.now; hour++) {
		const m = input.moments(hour);
		const b = m && m.n >= o.minPointN ? baselineOf(hour) : null;
		if (!m || !b) {
			points.push(null);
			continue;
		}
		const value = m.sum / m.n;
		const variance = b.variance / m.n + b.variance / b.n + tau2;
		const z = variance > 0 ? (value - b.mean) / Math.sqrt(variance) : 0;
		points.push({ hour, n: m.n, value, baseline: b.mean, z });
	}
	// The last point with data (the current hour may have none yet in its first minutes).
	let lastIndex = points.length - 1;
	while (lastIndex >= 0 && points[lastIndex] === null) lastIndex--;
	const latest = lastIndex >= 0 ? points[lastIndex] : null;
	const observed = points.filter((p) => p !== null).length;
	if (!latest || observed < 2)
		return {
			insufficient: true,
			signal: false,
			methods: [],
			side: null,
			latest,
			ewma: null,
			cusum: null,
			change: 0,
			tau2,
			points: observed
		};

	const z = points.map((p) => (p ? p.z : null));
	const e = ewma(z, o.lambda, o.L);
	const c = cusum(z, o.k, o.h);
	const lastE = e[lastIndex];
	const lastC = c[lastIndex];
	let change = 0;
	for (const p of points) if (p) change = o.lambda * (p.value - p.baseline) + (1 - o.lambda) * change;

	const watchLow = o.direction !== 'high';
	const watchHigh = o.direction !== 'low';
	/** The methods signalling at point i, per side. */
	const signalsAt = (i: number) => {
		const p = points[i];
		const out: { method: AnomalyMethod; side: 'low' | 'high' }[] = [];
		if (!p) return out;
		const add = (method: AnomalyMethod, low: boolean, high: boolean) => {
			if (watchLow && low) out.push({ method, side: 'low' });
			if (watchHigh && high) out.push({ method, side: 'high' });
		};
		if (o.methods.includes('ewma')) add('ewma', e[i].value < -e[i].limit, e[i].value > e[i].limit);
		if (o.methods.includes('pchart')) add('pchart', p.z < -o.L, p.z > o.L);
		if (o.methods.includes('cusum')) add('cusum', c[i].lower > o.h, c[i].upper > o.h);
		return out;
	};
	const observedIndexes = points.flatMap((p, i) => (p ? [i] : []));
	const last = observedIndexes.slice(-Math.max(1, o.confirmPoints));
	const fired = signalsAt(lastIndex);
	// A point beyond (L+1)σ needs no confirmation (one-sided false-alarm odds ≈ 3·10⁻⁵ a point at L = 3).
	const extreme = (side: 'low' | 'high') => (side === 'low' ? -latest.z : latest.z) >= o.L + 1;
	const confirmed = (side: 'low' | 'high') =>
		extreme(side) ||
		(last.length >= Math.max(1, o.confirmPoints) &&
			last.every((i) => signalsAt(i).some((f) => f.side === side)));
	// A statistically clear but tiny change (a very busy center) is not worth waking anyone.
	const big = (side: 'low' | 'high') => (side === 'low' ? -change : change) >= o.minChange;
	const kept = fired.filter((f) => big(f.side) && confirmed(f.side));
	const side = kept[0]?.side ?? fired[0]?.side ?? (latest.value < latest.baseline ? 'low' : 'high');
	return {
		insufficient: false,
		signal: kept.length > 0,
		methods: kept.filter((f) => f.side === side).map((f) => f.method),
		side,
		latest,
		ewma: lastE,
		cusum: { ...lastC, h: o.h },
		change,
		tau2,
		points: observed
	};
}

// ------------------------------------------------------------------------------------------------ rare counts

const LANCZOS = [
	0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
	12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function lnGamma(x: number): number {
	if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
	const y = x - 1;
	let a = LANCZOS[0];
	const t = y + 7.5;
	for (let i = 1; i < 9; i++) a += LANCZOS[i] / (y + i);
	return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * P(X ≥ k) for X ~ Poisson(λ): the one-sided p-value of seeing k or more events where λ were expected. Summed
 * in the direction where the terms shrink, from the log of the first term, so it stays exact for tiny tails.
 */
export function poissonUpperTail(k: number, lambda: number): number {
	if (k <= 0) return 1;
	if (!(lambda > 0)) return 0;
	if (k > lambda) {
		// Σ_{i ≥ k}: terms fall from i = k on.
		let term = Math.exp(-lambda + k * Math.log(lambda) - lnGamma(k + 1));
		let sum = term;
		for (let i = k + 1; term > sum * 1e-16 && i < k + 100_000; i++) {
			term *= lambda / i;
			sum += term;
		}
		return Math.min(1, sum);
	}
	// 1 − Σ_{i < k}: terms fall from i = k − 1 down.
	let term = Math.exp(-lambda + (k - 1) * Math.log(lambda) - lnGamma(k));
	let sum = term;
	for (let i = k - 1; i > 0 && term > sum * 1e-16; i--) {
		term *= i / lambda;
		sum += term;
	}
	return Math.max(0, 1 - sum);
}

/** Events over an exposure (complaints over contacts). */
export interface Counts {
	events: number;
	exposure: number;
}

/**
 * The usual rate of a rare event per unit of exposure (complaints per contact) for one hour of the week: the
 * hour-of-week slot's own rate, shrunk towards the pooled rate of the whole baseline period as a prior worth
 * `priorEvents` events (a gamma–Poisson posterior mean). Rare events leave a slot thin — a few weeks of one hour
 * hold a complaint or two — so a slot speaks for itself only once it has seen many more events than the prior.
 * The pooled count gets half an event, so a quiet period never predicts a rate of zero.
 */
export function shrunkRate(slot: Counts | null, pooled: Counts, priorEvents = 10): number {
	const pooledRate = (pooled.events + 0.5) / Math.max(1, pooled.exposure);
	if (!slot || slot.exposure <= 0) return pooledRate;
	return (slot.events + priorEvents) / (slot.exposure + priorEvents / pooledRate);
}
