import { npsInterval, wilson } from '$lib/server/metrics/stats';

/** A number with its sample size and 95% interval; `value` is null under the minimum n. */
export interface Measured {
	value: number | null;
	n: number;
	ci95: [number, number] | null;
}

/** Quantile by linear interpolation between order statistics (type 7, numpy's default); input sorted. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number | null {
	const n = sorted.length;
	if (n === 0) return null;
	const h = (n - 1) * p;
	const lo = Math.floor(h);
	const hi = Math.min(n - 1, lo + 1);
	return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * A distribution-free 95% interval for the p-quantile of sorted values: the order statistics whose ranks bound
 * the binomial(n, p) count of values below the quantile (normal approximation, ranks clamped to the sample).
 * Null for an empty sample.
 */
export function quantileInterval(sorted: ArrayLike<number>, p: number, z = 1.96): [number, number] | null {
	const n = sorted.length;
	if (n === 0) return null;
	const spread = z * Math.sqrt(n * p * (1 - p));
	const lo = Math.max(0, Math.floor(n * p - spread) - 1);
	const hi = Math.min(n - 1, Math.ceil(n * p + spread) - 1);
	return [sorted[lo], sorted[Math.max(lo, hi)]];
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

export const isPromoter = (score: number) => score >= 9;
export const isDetractor = (score: number) => score <= 6;
/** CSAT top-2-box: 4 or 5 on the 1–5 scale. */
export const isSatisfied = (score: number) => score >= 4;

/** Running counts of NPS and CSAT answers, to add up over groups. */
export interface ScoreCounts {
	npsN: number;
	promoters: number;
	detractors: number;
	csatN: number;
	satisfied: number;
}

export function emptyScores(): ScoreCounts {
	return { npsN: 0, promoters: 0, detractors: 0, csatN: 0, satisfied: 0 };
}

export function addScores(into: ScoreCounts, add: ScoreCounts, sign = 1): void {
	into.npsN += sign * add.npsN;
	into.promoters += sign * add.promoters;
	into.detractors += sign * add.detractors;
	into.csatN += sign * add.csatN;
	into.satisfied += sign * add.satisfied;
}

export function scoreMeasures(s: ScoreCounts, minN: number): { nps: Measured; csat: Measured } {
	return {
		nps: npsMeasure(s.promoters, s.detractors, s.npsN, minN),
		csat: shareMeasure(s.satisfied, s.csatN, minN)
	};
}
