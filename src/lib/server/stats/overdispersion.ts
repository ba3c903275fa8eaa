/**
 * Overdispersion: real processes vary from hour to hour beyond sampling noise. The alert detectors estimate that
 * extra variance τ² from a reference period; tests on boards and tables add it so that a busy center's normal wobble
 * is not read as a significant change.
 */
import { median } from './quantiles';

/**
 * Variance of the process beyond sampling noise, τ², from reference residuals: a robust variance of the residuals
 * (1.4826·MAD, squared, so a past incident in the reference period does not inflate it) minus their typical
 * sampling variance; never negative.
 */
export function extraVariance(residuals: readonly { diff: number; samplingVariance: number }[]): number {
	if (residuals.length < 12) return 0;
	const diffs = residuals.map((r) => r.diff);
	const centre = median(diffs);
	const mad = median(diffs.map((d) => Math.abs(d - centre)));
	const robust = (1.4826 * mad) ** 2;
	return Math.max(0, robust - median(residuals.map((r) => r.samplingVariance)));
}

/**
 * z for the difference of two means of per-observation values (a proportion is a mean of 0/1, NPS of −1/0/+1) with
 * the hour-to-hour variance τ² allowed for: each side's mean of H hours carries τ²/H beyond its sampling variance
 * s²/n. With τ² = 0 this is the unpooled z. Null when either side is empty or the variance is 0 with a difference.
 */
export function dispersedZ(
	a: { mean: number; variance: number; n: number; hours: number },
	b: { mean: number; variance: number; n: number; hours: number },
	tau2 = 0
): number | null {
	if (!(a.n > 0) || !(b.n > 0)) return null;
	const extra = tau2 > 0 ? tau2 / Math.max(1, a.hours) + tau2 / Math.max(1, b.hours) : 0;
	const se = Math.sqrt(a.variance / a.n + b.variance / b.n + extra);
	const diff = a.mean - b.mean;
	if (se === 0) return diff === 0 ? 0 : null;
	return diff / se;
}

/**
 * Dispersion factor φ of counts (variance ÷ Poisson variance) implied by an extra variance τ² of an hourly rate
 * p with n exposures an hour: φ = 1 + τ²·n / p (never below 1). Divides counts in an exact Poisson test.
 */
export function dispersionFactor(tau2: number, rate: number, exposurePerHour: number): number {
	if (!(tau2 > 0) || !(rate > 0) || !(exposurePerHour > 0)) return 1;
	return Math.max(1, 1 + (tau2 * exposurePerHour) / rate);
}
