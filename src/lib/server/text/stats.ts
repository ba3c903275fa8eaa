/** Small statistics for the text module: NPS with its interval, and the growth test behind emerging topics. */

/** ln Γ(x) by the Lanczos approximation (g = 7, 9 terms; ~15 significant digits for x > 0). */
export function logGamma(x: number): number {
	const g = 7;
	const c = [
		0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
		12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
	];
	if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
	const y = x - 1;
	let a = c[0];
	const t = y + g + 0.5;
	for (let i = 1; i < g + 2; i++) a += c[i] / (y + i);
	return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed exactly in log space (fine for n up to millions). */
export function binomialUpperTail(k: number, n: number, p: number): number {
	if (k <= 0) return 1;
	if (k > n) return 0;
	if (p <= 0) return 0;
	if (p >= 1) return 1;
	const logP = Math.log(p);
	const logQ = Math.log1p(-p);
	let logTerm = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * logP + (n - k) * logQ;
	let sum = 0;
	for (let i = k; i <= n; i++) {
		const term = Math.exp(logTerm);
		sum += term;
		if (term < sum * 1e-16 && i > n * p) break;
		logTerm += Math.log((n - i) / (i + 1)) + logP - logQ;
	}
	return Math.min(1, sum);
}

export interface GrowthTest {
	current: number;
	previous: number;
	/** current ÷ previous (null when previous is 0). */
	ratio: number | null;
	/** One-sided p-value of "this topic's share of texts grew" (conditional binomial test). */
	pValue: number;
}

/**
 * Did a topic grow beyond noise from one period to the next? Given the topic's counts (c₁ now, c₀ before) and all
 * texts in each period (N₁, N₀), under "no change in share" c₁ ~ Binomial(c₁ + c₀, N₁ / (N₁ + N₀)) — the
 * conditional test for comparing two Poisson rates, adjusted for overall volume. Returns the upper-tail p-value.
 */
export function growthTest(
	current: number,
	previous: number,
	totalCurrent: number,
	totalPrevious: number
): GrowthTest {
	const n = current + previous;
	const p = totalCurrent + totalPrevious > 0 ? totalCurrent / (totalCurrent + totalPrevious) : 0.5;
	return {
		current,
		previous,
		ratio: previous > 0 ? current / previous : null,
		pValue: n === 0 ? 1 : binomialUpperTail(current, n, p)
	};
}

export interface NpsValue {
	/** −100…100, null under the minimum n. */
	value: number | null;
	n: number;
	ci95: [number, number] | null;
}

/** DOMAIN.md: no value below n = 30. */
export const NPS_MIN_N = 30;

/** NPS from counts, with the 95% interval NPS ± 1.96·√((p + d − (p − d)²) / n)·100 (DOMAIN.md). */
export function npsFromCounts(promoters: number, detractors: number, n: number, minN = NPS_MIN_N): NpsValue {
	if (n < minN || n === 0) return { value: null, n, ci95: null };
	const p = promoters / n;
	const d = detractors / n;
	const value = (p - d) * 100;
	const se = Math.sqrt(Math.max(0, p + d - (p - d) ** 2) / n) * 100;
	const round = (x: number) => Math.round(x * 10) / 10;
	return {
		value: round(value),
		n,
		ci95: [round(Math.max(-100, value - 1.96 * se)), round(Math.min(100, value + 1.96 * se))]
	};
}
