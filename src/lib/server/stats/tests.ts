/**
 * Tests: z and t statistics, exact binomial and Poisson tests for rare counts, and multiple-testing corrections
 * (Holm, Benjamini–Hochberg). Pure; p-values are two-sided unless a name says otherwise.
 */
import { meanInterval, Z95 } from './intervals';

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
	/** Two-sided p-value from Student's t. */
	p: number;
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
	if (se === 0) return diff === 0 ? { t: 0, df: a.n + b.n - 2, significant: false, p: 1 } : null;
	const t = diff / se;
	const df = (vx + vy) ** 2 / ((vx * vx) / (a.n - 1) + (vy * vy) / (b.n - 1));
	return { t, df, significant: Math.abs(t) > tQuantile975(df), p: tTwoSidedP(t, df) };
}

/**
 * Regularized incomplete beta I_x(a, b) by Lentz's continued fraction (Numerical Recipes' betacf; relative error
 * below 1e-12), for Student's t distribution.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
	if (x <= 0) return 0;
	if (x >= 1) return 1;
	const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
	// The continued fraction converges fast for x < (a + 1)/(a + b + 2); use the symmetry otherwise.
	if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
	const tiny = 1e-300;
	let c = 1;
	let d = 1 - ((a + b) * x) / (a + 1);
	if (Math.abs(d) < tiny) d = tiny;
	d = 1 / d;
	let h = d;
	for (let m = 1; m <= 300; m++) {
		const m2 = 2 * m;
		let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		if (Math.abs(d) < tiny) d = tiny;
		c = 1 + aa / c;
		if (Math.abs(c) < tiny) c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		if (Math.abs(d) < tiny) d = tiny;
		c = 1 + aa / c;
		if (Math.abs(c) < tiny) c = tiny;
		d = 1 / d;
		const delta = d * c;
		h *= delta;
		if (Math.abs(delta - 1) < 1e-13) break;
	}
	return (front * h) / a;
}

/** Two-sided p-value of Student's t with df degrees of freedom (the normal's for df = ∞). */
export function tTwoSidedP(t: number, df: number): number {
	if (!Number.isFinite(df) || df > 1e7) return twoSidedP(t);
	if (!(df > 0)) return 1;
	return Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5));
}

/** |z| > 1.96, or null when the statistic is undefined. */
export function isSignificant(z: number | null): boolean | null {
	return z === null ? null : Math.abs(z) > Z95;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
	const x = Math.abs(z) / Math.SQRT2;
	const t = 1 / (1 + 0.3275911 * x);
	const poly =
		t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
	const erf = 1 - poly * Math.exp(-x * x);
	return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export function twoSidedP(z: number): number {
	return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}

/** The usual family-wise / false-discovery level. */
export const FAMILY_ALPHA = 0.05;

/**
 * Holm's step-down procedure: which of the p-values are significant at family-wise level alpha. The i-th smallest
 * (0-based) of m is rejected when it and all smaller ones satisfy p ≤ α / (m − i).
 */
export function holm(pValues: readonly number[], alpha = FAMILY_ALPHA): boolean[] {
	const m = pValues.length;
	const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
	const out = new Array<boolean>(m).fill(false);
	for (let k = 0; k < m; k++) {
		if (order[k].p > alpha / (m - k)) break;
		out[order[k].i] = true;
	}
	return out;
}

/**
 * Benjamini–Hochberg step-up procedure at false-discovery rate q: with p-values sorted ascending, reject the k
 * smallest where k is the largest rank with p₍ₖ₎ ≤ k·q/m. Answers, in input order, whether each is a discovery.
 */
export function benjaminiHochberg(pValues: readonly number[], q = FAMILY_ALPHA): boolean[] {
	const m = pValues.length;
	const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
	let cut = -1;
	for (let k = 0; k < m; k++) if (order[k].p <= ((k + 1) * q) / m) cut = k;
	const out = new Array<boolean>(m).fill(false);
	for (let k = 0; k <= cut; k++) out[order[k].i] = true;
	return out;
}

/** P(X = k) for X ~ Binomial(n, p), in log space. */
function binomialLogPmf(k: number, n: number, p: number): number {
	if (p <= 0) return k === 0 ? 0 : -Infinity;
	if (p >= 1) return k === n ? 0 : -Infinity;
	return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * Two-sided exact binomial test of k successes in n at probability p: the sum of the probabilities of every
 * outcome no more likely than the one observed (the "minimum likelihood" method of R's binom.test).
 */
export function binomialTwoSidedP(k: number, n: number, p: number): number {
	if (n <= 0) return 1;
	const observed = binomialLogPmf(k, n, p);
	// A relative tolerance, as R uses, so ties in floating point count as equally likely.
	const limit = observed + Math.log1p(1e-7);
	let sum = 0;
	for (let i = 0; i <= n; i++) {
		const lp = binomialLogPmf(i, n, p);
		if (lp <= limit) sum += Math.exp(lp);
	}
	return Math.min(1, sum);
}

/**
 * Exact test for two Poisson counts (rare events such as complaints): x₁ events over exposure e₁ against x₂ over e₂.
 * Conditional on x₁ + x₂, x₁ ~ Binomial(x₁ + x₂, e₁ / (e₁ + e₂)) when the rates are equal; two-sided p-value.
 * An optional dispersion factor φ ≥ 1 (variance ÷ Poisson variance, estimated from hour-to-hour variation) divides
 * both counts, the usual quasi-Poisson allowance, so overdispersed counts are not read as exact.
 */
export function poissonRatesTest(
	x1: number,
	e1: number,
	x2: number,
	e2: number,
	dispersion = 1
): number | null {
	if (!(e1 > 0) || !(e2 > 0)) return null;
	const phi = Math.max(1, dispersion);
	const k1 = Math.round(x1 / phi);
	const k2 = Math.round(x2 / phi);
	if (k1 + k2 === 0) return 1;
	return binomialTwoSidedP(k1, k1 + k2, e1 / (e1 + e2));
}
