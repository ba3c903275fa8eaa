/**
 * Pure KPI arithmetic (DOMAIN.md "Statistics a careful analyst expects"): intervals, standard errors and tests of
 * change, from counts, sums and sums of squares. No I/O; every function is total (null when undefined).
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

/** Pooled two-proportion z statistic for p₁ = x₁/n₁ against p₂ = x₂/n₂; null when undefined. */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): number | null {
	if (!(n1 > 0) || !(n2 > 0)) return null;
	const pooled = (x1 + x2) / (n1 + n2);
	const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
	const diff = x1 / n1 - x2 / n2;
	if (se === 0) return diff === 0 ? 0 : null;
	return diff / se;
}

/** z for a change of NPS between two independent periods: ΔNPS / √(SE₁² + SE₂²) (both in the same units). */
export function npsChangeZ(nps1: number, se1: number, nps2: number, se2: number): number | null {
	const se = Math.sqrt(se1 * se1 + se2 * se2);
	const diff = nps1 - nps2;
	if (se === 0) return diff === 0 ? 0 : null;
	return diff / se;
}

/**
 * The 97.5% quantile of Student's t with df degrees of freedom: tabled for df < 5, else the Cornish–Fisher
 * expansion around z (error below 0.003; → 1.96, DOMAIN.md's z, as df → ∞).
 */
export function tQuantile975(df: number): number {
	if (!Number.isFinite(df) || df > 1e7) return Z95;
	if (df < 1) return Number.POSITIVE_INFINITY;
	if (df < 5) return [12.706, 4.303, 3.182, 2.776][Math.floor(df) - 1];
	const z = Z95;
	const z3 = z ** 3;
	const z5 = z ** 5;
	const z7 = z ** 7;
	return (
		z +
		(z3 + z) / (4 * df) +
		(5 * z5 + 16 * z3 + 3 * z) / (96 * df * df) +
		(3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
	);
}

export interface WelchResult {
	t: number;
	df: number;
	significant: boolean;
}

/** Welch's t test for the difference of two means given (n, Σx, Σx²) of each sample; null when undefined. */
export function welch(
	a: { n: number; sum: number; sumsq: number },
	b: { n: number; sum: number; sumsq: number }
): WelchResult | null {
	const x = meanInterval(a.n, a.sum, a.sumsq);
	const y = meanInterval(b.n, b.sum, b.sumsq);
	if (!x || !y || x.sd === null || y.sd === null) return null;
	const vx = (x.sd * x.sd) / a.n;
	const vy = (y.sd * y.sd) / b.n;
	const se = Math.sqrt(vx + vy);
	const diff = x.mean - y.mean;
	if (se === 0) return diff === 0 ? { t: 0, df: a.n + b.n - 2, significant: false } : null;
	const t = diff / se;
	const df = (vx + vy) ** 2 / ((vx * vx) / (a.n - 1) + (vy * vy) / (b.n - 1));
	return { t, df, significant: Math.abs(t) > tQuantile975(df) };
}

/** |z| > 1.96, or null when the statistic is undefined. */
export function isSignificant(z: number | null): boolean | null {
	return z === null ? null : Math.abs(z) > Z95;
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
