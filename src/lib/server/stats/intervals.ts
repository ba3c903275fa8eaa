/**
 * Intervals and standard errors (DOMAIN.md "Statistics a careful analyst expects") from counts, sums and sums of
 * squares. No I/O; every function is total (null when undefined).
 */

/** DOMAIN.md fixes z = 1.96 for 95% intervals and tests. */
export const Z95 = 1.96;

export type Interval = [number, number];

/** Wilson score interval for x successes out of n, as proportions 0…1; null for n = 0. */
export function wilson(x: number, n: number, z = Z95): Interval | null {
	if (!(n > 0)) return null;
	const p = x / n;
	const z2 = z * z;
	const centre = p + z2 / (2 * n);
	const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
	const denominator = 1 + z2 / n;
	return [Math.max(0, (centre - margin) / denominator), Math.min(1, (centre + margin) / denominator)];
}

/**
 * Standard error of NPS as a fraction (−1…1), for promoter share p and detractor share d:
 * √((p + d − (p − d)²) / n). Also serves any "positive minus negative" balance (the sentiment index).
 */
export function npsStandardError(promoters: number, detractors: number, n: number): number | null {
	if (!(n > 0)) return null;
	const p = promoters / n;
	const d = detractors / n;
	return Math.sqrt(Math.max(0, p + d - (p - d) ** 2) / n);
}

/** NPS on −100…100 with its interval NPS ± 1.96·SE·100 (clamped to the scale). */
export function npsInterval(
	promoters: number,
	detractors: number,
	n: number
): { value: number; se: number; ci95: Interval } | null {
	const se = npsStandardError(promoters, detractors, n);
	if (se === null) return null;
	const value = ((promoters - detractors) / n) * 100;
	const half = Z95 * se * 100;
	return { value, se: se * 100, ci95: [Math.max(-100, value - half), Math.min(100, value + half)] };
}

/**
 * Variance of a proportion that is not zero at p = 0 or 1: the Agresti–Coull estimate p̃(1 − p̃)/ñ with
 * ñ = n + z² and p̃ = (x + z²/2)/ñ (the centre of the Wilson interval). For strata that are all successes or all
 * failures, whose plug-in variance p(1 − p)/n would claim certainty. Null for n = 0.
 */
export function adjustedProportionVariance(x: number, n: number, z = Z95): number | null {
	if (!(n > 0)) return null;
	const nTilde = n + z * z;
	const p = (x + (z * z) / 2) / nTilde;
	return (p * (1 - p)) / nTilde;
}

/** Mean, sample standard deviation and mean ± 1.96·s/√n from n, Σx and Σx². Null interval for n < 2. */
export function meanInterval(
	n: number,
	sum: number,
	sumsq: number
): { mean: number; sd: number | null; se: number | null; ci95: Interval | null } | null {
	if (!(n > 0)) return null;
	const mean = sum / n;
	if (n < 2) return { mean, sd: null, se: null, ci95: null };
	// Σ(x − x̄)² = Σx² − (Σx)²/n; clamp the rounding noise of identical values below zero.
	const variance = Math.max(0, (sumsq - (sum * sum) / n) / (n - 1));
	const sd = Math.sqrt(variance);
	const se = sd / Math.sqrt(n);
	return { mean, sd, se, ci95: [mean - Z95 * se, mean + Z95 * se] };
}

/**
 * A count x over an exposure of n trials, scaled (e.g. complaints per 10,000 contacts). Wilson while x ≤ n (each
 * contact either leads to a complaint or not); when there are more events than trials (complaints that came
 * without a contact) the Poisson normal approximation x/n ± 1.96·√x/n.
 */
export function rateInterval(
	x: number,
	n: number,
	per: number
): { value: number; se: number; ci95: Interval } | null {
	if (!(n > 0)) return null;
	const value = (x / n) * per;
	if (x <= n) {
		const w = wilson(x, n) as Interval;
		const p = x / n;
		return { value, se: Math.sqrt((p * (1 - p)) / n) * per, ci95: [w[0] * per, w[1] * per] };
	}
	const se = (Math.sqrt(x) / n) * per;
	return { value, se, ci95: [Math.max(0, value - Z95 * se), value + Z95 * se] };
}

/** DOMAIN.md minimum sample: no value below n = 30. */
export const MIN_N = 30;

/** Half-widths (in the KPI's display units) beyond which a value is flagged "low confidence". */
export const LOW_CONFIDENCE_HALF_WIDTH = { proportion: 5, nps: 10 } as const;

/** True when the interval is wider than ± `limit`; null interval → false (nothing to judge). */
export function isWiderThan(ci95: Interval | null, limit: number): boolean {
	if (!ci95) return false;
	return (ci95[1] - ci95[0]) / 2 > limit;
}

/**
 * Newcombe's hybrid score interval (method 10) for the difference p₁ − p₂ of two independent proportions, from the
 * Wilson intervals of each; as proportions −1…1. Null when either n is 0.
 */
export function newcombe(x1: number, n1: number, x2: number, n2: number, z = Z95): Interval | null {
	const a = wilson(x1, n1, z);
	const b = wilson(x2, n2, z);
	if (!a || !b) return null;
	const p1 = x1 / n1;
	const p2 = x2 / n2;
	const d = p1 - p2;
	const lower = d - Math.sqrt((p1 - a[0]) ** 2 + (b[1] - p2) ** 2);
	const upper = d + Math.sqrt((a[1] - p1) ** 2 + (p2 - b[0]) ** 2);
	return [Math.max(-1, lower), Math.min(1, upper)];
}

/** A number with its sample size and 95% interval; `value` is null under the minimum n. */
export interface Measured {
	value: number | null;
	n: number;
	ci95: [number, number] | null;
}

/** NPS of score counts (promoters 9–10, detractors 0–6), −100…100. */
export function npsMeasure(promoters: number, detractors: number, n: number, minN: number): Measured {
	const r = npsInterval(promoters, detractors, n);
	if (!r || n < minN) return { value: null, n, ci95: null };
	return { value: r.value, n, ci95: r.ci95 };
}

/** A share in percent with its Wilson interval. */
export function shareMeasure(x: number, n: number, minN: number): Measured {
	const ci = wilson(x, n);
	if (!ci || n < minN) return { value: null, n, ci95: null };
	return { value: (x / n) * 100, n, ci95: [ci[0] * 100, ci[1] * 100] };
}

/** NPS (or any positive-minus-negative balance) from counts, rounded to 0.1, with its interval; null under min n. */
export function npsFromCounts(promoters: number, detractors: number, n: number, minN = MIN_N): Measured {
	const m = npsMeasure(promoters, detractors, n, minN);
	if (m.value === null || !m.ci95) return m;
	const round = (x: number) => Math.round(x * 10) / 10;
	return { value: round(m.value), n, ci95: [round(m.ci95[0]), round(m.ci95[1])] };
}
