/**
 * Shewhart p-chart for a rate over time buckets (DOMAIN.md): centre line p₀ = Σx ÷ Σn over the period, and for each
 * bucket with n answers the control limits p₀ ± 3·√(p₀(1 − p₀)/n), clamped to 0…1. A point outside its limits is a
 * signal (special-cause variation), not noise. Points under the minimum n are not shown (no number under min n),
 * though their answers still count towards p₀.
 */

export interface PChartInput {
	/** The bucket's label (its start, ISO-8601). */
	bucket: string;
	/** Successes (e.g. top-2-box answers) and trials (answers). */
	x: number;
	n: number;
	/** Chains of the bucket still inside their follow-up window: a provisional point, never a signal. */
	pending?: number;
}

export interface PChartPoint {
	bucket: string;
	n: number;
	/** Percent, null under the minimum n. */
	value: number | null;
	/** Limits in percent, null without a value. */
	lcl: number | null;
	ucl: number | null;
	/** Where the point lies against its limits (null for a provisional point: no test on it). */
	signal: 'above' | 'below' | null;
	/** Chains still pending (provisional when > 0). */
	pending?: number;
}

export interface PChart {
	/** p₀ in percent; null when there are no answers at all. */
	center: number | null;
	/** Answers over the whole period. */
	n: number;
	points: PChartPoint[];
	/** How many shown points lie outside their limits. */
	signals: number;
}

export const SIGMA = 3;

/** The p-chart limits (as proportions 0…1) of a subgroup of size n around p₀. */
export function pChartLimits(p0: number, n: number, sigma = SIGMA): [number, number] {
	if (!(n > 0)) return [0, 1];
	const half = sigma * Math.sqrt((p0 * (1 - p0)) / n);
	return [Math.max(0, p0 - half), Math.min(1, p0 + half)];
}

/** `baseline` overrides p₀ (proportion 0…1), e.g. a target or a reference period. */
export function pChart(input: readonly PChartInput[], minN: number, baseline?: number): PChart {
	const totalX = input.reduce((s, p) => s + p.x, 0);
	const totalN = input.reduce((s, p) => s + p.n, 0);
	const p0 = baseline ?? (totalN > 0 ? totalX / totalN : null);
	let signals = 0;
	const points = input.map((p): PChartPoint => {
		const pending = p.pending ? { pending: p.pending } : {};
		if (p0 === null || p.n < minN || p.n <= 0)
			return { bucket: p.bucket, n: p.n, value: null, lcl: null, ucl: null, signal: null, ...pending };
		const rate = p.x / p.n;
		const [lcl, ucl] = pChartLimits(p0, p.n);
		const signal = p.pending ? null : rate > ucl ? 'above' : rate < lcl ? 'below' : null;
		if (signal) signals++;
		return {
			bucket: p.bucket,
			n: p.n,
			value: rate * 100,
			lcl: lcl * 100,
			ucl: ucl * 100,
			signal,
			...pending
		};
	});
	return { center: p0 === null ? null : p0 * 100, n: totalN, points, signals };
}
