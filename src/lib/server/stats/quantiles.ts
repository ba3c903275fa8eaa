/** Quantiles of samples and their distribution-free intervals. */

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

/** Median of numbers (NaN for none). */
export function median(values: readonly number[]): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
