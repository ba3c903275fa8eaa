import { Z95, type Interval } from '$lib/server/stats';

/**
 * The pure arithmetic of the risk model (DOMAIN.md "Acting on what is measured"): an L2-regularised logistic
 * regression on standardised features fitted by Newton's method (IRLS), its held-out quality (AUC with a
 * Hanley–McNeil 95% interval, Brier score, calibration by decile) and per-row feature contributions.
 * Rows are a flat Float64Array (row-major, `features.length` columns) so a million customers stay compact.
 */

export interface LogisticModel {
	features: string[];
	/** Mean and standard deviation of each feature on the training rows (sd 1 where the feature was constant). */
	means: number[];
	sds: number[];
	/** Coefficient per standardised feature. */
	coefficients: number[];
	intercept: number;
	lambda: number;
	iterations: number;
}

export interface FitOptions {
	/** L2 penalty on the standardised coefficients (not on the intercept). */
	lambda?: number;
	maxIterations?: number;
	tolerance?: number;
}

export function sigmoid(x: number): number {
	return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function standardisation(x: Float64Array, n: number, p: number): { means: number[]; sds: number[] } {
	const means = new Array<number>(p).fill(0);
	const sds = new Array<number>(p).fill(0);
	for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) means[j] += x[i * p + j];
	for (let j = 0; j < p; j++) means[j] /= Math.max(1, n);
	for (let i = 0; i < n; i++)
		for (let j = 0; j < p; j++) {
			const d = x[i * p + j] - means[j];
			sds[j] += d * d;
		}
	for (let j = 0; j < p; j++) {
		const sd = Math.sqrt(sds[j] / Math.max(1, n));
		sds[j] = sd > 1e-12 ? sd : 1;
	}
	return { means, sds };
}

/** Solves A·x = b for a symmetric positive-definite A (k×k, row-major) by Cholesky; A and b are not kept. */
export function solveSpd(a: Float64Array, b: Float64Array, k: number): Float64Array {
	const l = new Float64Array(k * k);
	for (let i = 0; i < k; i++)
		for (let j = 0; j <= i; j++) {
			let sum = a[i * k + j];
			for (let m = 0; m < j; m++) sum -= l[i * k + m] * l[j * k + m];
			if (i === j) l[i * k + i] = Math.sqrt(Math.max(sum, 1e-12));
			else l[i * k + j] = sum / l[j * k + j];
		}
	const y = new Float64Array(k);
	for (let i = 0; i < k; i++) {
		let sum = b[i];
		for (let m = 0; m < i; m++) sum -= l[i * k + m] * y[m];
		y[i] = sum / l[i * k + i];
	}
	const out = new Float64Array(k);
	for (let i = k - 1; i >= 0; i--) {
		let sum = y[i];
		for (let m = i + 1; m < k; m++) sum -= l[m * k + i] * out[m];
		out[i] = sum / l[i * k + i];
	}
	return out;
}

/**
 * Fits P(y=1) = σ(b₀ + Σ bⱼ·zⱼ), zⱼ the standardised features, maximising the log-likelihood − λ/2·Σ bⱼ².
 * Newton steps on the penalised objective (its Hessian XᵀWX + λI is positive definite, so each step is one
 * Cholesky solve of a (p+1)² system); converges in a handful of iterations.
 */
export function fitLogistic(
	features: string[],
	x: Float64Array,
	y: ArrayLike<number>,
	options: FitOptions = {}
): LogisticModel {
	const p = features.length;
	const n = y.length;
	const lambda = options.lambda ?? 1;
	const maxIterations = options.maxIterations ?? 30;
	const tolerance = options.tolerance ?? 1e-7;
	const { means, sds } = standardisation(x, n, p);
	const k = p + 1;
	// The standardised rows with a leading 1 for the intercept (n × k), computed once for every iteration.
	const z = new Float64Array(n * k);
	for (let i = 0; i < n; i++) {
		z[i * k] = 1;
		for (let j = 0; j < p; j++) z[i * k + j + 1] = (x[i * p + j] - means[j]) / sds[j];
	}
	const beta = new Float64Array(k);
	let positives = 0;
	for (let i = 0; i < n; i++) positives += y[i];
	beta[0] = Math.log((positives + 0.5) / (n - positives + 0.5));
	/** The penalised log-likelihood at `b`. */
	const objective = (b: Float64Array): number => {
		let sum = 0;
		for (let i = 0; i < n; i++) {
			let eta = 0;
			for (let a = 0; a < k; a++) eta += b[a] * z[i * k + a];
			// log σ(η) and log(1 − σ(η)) without overflow.
			const log1pExp = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
			sum += y[i] * eta - log1pExp;
		}
		for (let j = 1; j < k; j++) sum -= (lambda / 2) * b[j] * b[j];
		return sum;
	};
	let iterations = 0;
	// The objective at beta (each step's last evaluation is the next step's start).
	let current = objective(beta);
	const hessian = new Float64Array(k * k);
	const gradient = new Float64Array(k);
	for (; iterations < maxIterations; iterations++) {
		hessian.fill(0);
		gradient.fill(0);
		for (let i = 0; i < n; i++) {
			const o = i * k;
			let eta = 0;
			for (let a = 0; a < k; a++) eta += beta[a] * z[o + a];
			const mu = sigmoid(eta);
			const w = Math.max(mu * (1 - mu), 1e-10);
			const r = y[i] - mu;
			for (let a = 0; a < k; a++) {
				const za = z[o + a];
				gradient[a] += za * r;
				const wa = w * za;
				for (let b = 0; b <= a; b++) hessian[a * k + b] += wa * z[o + b];
			}
		}
		for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) hessian[b * k + a] = hessian[a * k + b];
		for (let j = 1; j < k; j++) {
			gradient[j] -= lambda * beta[j];
			hessian[j * k + j] += lambda;
		}
		const step = solveSpd(hessian, gradient, k);
		// A full Newton step can overshoot when positives are rare and features heavy-tailed: halve it until the
		// penalised log-likelihood does not fall (step-halving keeps the fit monotone, so it converges).
		const before = current;
		let scale = 1;
		const trial = new Float64Array(k);
		for (let halvings = 0; ; halvings++) {
			for (let a = 0; a < k; a++) trial[a] = beta[a] + scale * step[a];
			current = objective(trial);
			if (current >= before - 1e-9 * Math.abs(before) || halvings >= 30) break;
			scale /= 2;
		}
		let largest = 0;
		for (let a = 0; a < k; a++) {
			largest = Math.max(largest, Math.abs(trial[a] - beta[a]));
			beta[a] = trial[a];
		}
		if (largest < tolerance) {
			iterations++;
			break;
		}
	}
	return {
		features: [...features],
		means,
		sds,
		coefficients: Array.from(beta.subarray(1)),
		intercept: beta[0],
		lambda,
		iterations
	};
}

/** A model that predicts the base rate for everyone (too few positives to learn from). */
export function constantModel(features: string[], positives: number, n: number): LogisticModel {
	return {
		features: [...features],
		means: features.map(() => 0),
		sds: features.map(() => 1),
		coefficients: features.map(() => 0),
		intercept: Math.log((positives + 0.5) / (n - positives + 0.5)),
		lambda: 0,
		iterations: 0
	};
}

/** Coefficient × standardised value of each feature for one row (their sum + intercept is the log-odds). */
export function contributions(model: LogisticModel, row: ArrayLike<number>): number[] {
	return model.coefficients.map((b, j) => (b * (row[j] - model.means[j])) / model.sds[j]);
}

export function predict(model: LogisticModel, row: ArrayLike<number>): number {
	let eta = model.intercept;
	for (let j = 0; j < model.coefficients.length; j++)
		eta += (model.coefficients[j] * (row[j] - model.means[j])) / model.sds[j];
	return sigmoid(eta);
}

export function predictAll(model: LogisticModel, x: Float64Array, n: number): Float64Array {
	const p = model.features.length;
	const out = new Float64Array(n);
	for (let i = 0; i < n; i++) out[i] = predict(model, x.subarray(i * p, (i + 1) * p));
	return out;
}

/** Contributions below this (in log-odds) barely move a score and are not given as reasons. */
export const MIN_REASON_CONTRIBUTION = 0.05;

const byContribution = (
	a: { feature: string; contribution: number },
	b: { feature: string; contribution: number }
) => b.contribution - a.contribution || a.feature.localeCompare(b.feature);

/** The features raising the risk most (positive contributions), largest first. */
export function topReasons(
	model: LogisticModel,
	row: ArrayLike<number>,
	limit = 3
): { feature: string; contribution: number }[] {
	// The `limit` largest kept in order while reading (a million customers are scored: no sort per row).
	const top: { feature: string; contribution: number }[] = [];
	for (let j = 0; j < model.coefficients.length; j++) {
		const contribution = (model.coefficients[j] * (row[j] - model.means[j])) / model.sds[j];
		if (!(contribution >= MIN_REASON_CONTRIBUTION)) continue;
		const reason = { feature: model.features[j], contribution };
		let at = top.length;
		while (at > 0 && byContribution(reason, top[at - 1]) < 0) at--;
		if (at >= limit) continue;
		top.splice(at, 0, reason);
		if (top.length > limit) top.pop();
	}
	return top.map((r) => ({ feature: r.feature, contribution: Math.round(r.contribution * 1000) / 1000 }));
}

export interface AucResult {
	/** Probability that a random positive scores above a random negative (ties count ½); null without both. */
	auc: number | null;
	/** Hanley & McNeil (1982) 95% interval, clipped to [0, 1]. */
	auc95: Interval | null;
	n: number;
	positives: number;
}

/**
 * AUC by the Mann–Whitney statistic (ties count ½, as mid-ranks count them) and its Hanley–McNeil interval: the
 * positives' and the negatives' scores are sorted apart (typed arrays, no comparator) and merged.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>, z = Z95): AucResult {
	const n = scores.length;
	let positives = 0;
	for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
	const negatives = n - positives;
	if (positives === 0 || negatives === 0) return { auc: null, auc95: null, n, positives };
	const pos = new Float64Array(positives);
	const neg = new Float64Array(negatives);
	for (let i = 0, p = 0, q = 0; i < n; i++) {
		if (labels[i] === 1) pos[p++] = scores[i];
		else neg[q++] = scores[i];
	}
	pos.sort();
	neg.sort();
	// U: for each positive, the negatives below it and half those equal to it.
	let u = 0;
	let below = 0;
	let upTo = 0;
	for (let i = 0; i < positives; i++) {
		const s = pos[i];
		while (below < negatives && neg[below] < s) below++;
		if (upTo < below) upTo = below;
		while (upTo < negatives && neg[upTo] <= s) upTo++;
		u += below + (upTo - below) / 2;
	}
	const a = u / (positives * negatives);
	const q1 = a / (2 - a);
	const q2 = (2 * a * a) / (1 + a);
	const variance =
		(a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a)) / (positives * negatives);
	const se = Math.sqrt(Math.max(0, variance));
	return { auc: a, auc95: [Math.max(0, a - z * se), Math.min(1, a + z * se)], n, positives };
}

/** Mean squared difference between predicted probability and outcome (0 perfect; 0.25 a coin at 50%). */
export function brier(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
	if (scores.length === 0) return null;
	let sum = 0;
	for (let i = 0; i < scores.length; i++) sum += (scores[i] - labels[i]) ** 2;
	return sum / scores.length;
}

export interface CalibrationBin {
	bin: number;
	predicted: number;
	observed: number;
	n: number;
}

/** Rows sorted by prediction cut into `bins` groups of (near) equal size: mean predicted vs observed rate. */
export function calibration(
	scores: ArrayLike<number>,
	labels: ArrayLike<number>,
	bins = 10
): CalibrationBin[] {
	const n = scores.length;
	const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
	const out: CalibrationBin[] = [];
	const count = Math.min(bins, n);
	for (let b = 0; b < count; b++) {
		const from = Math.floor((b * n) / count);
		const to = Math.floor(((b + 1) * n) / count);
		let predicted = 0;
		let observed = 0;
		for (let i = from; i < to; i++) {
			predicted += scores[order[i]];
			observed += labels[order[i]];
		}
		const size = to - from;
		out.push({ bin: b + 1, predicted: predicted / size, observed: observed / size, n: size });
	}
	return out;
}

export interface HeldOutQuality extends AucResult {
	brier: number | null;
	calibration: CalibrationBin[];
}

export function heldOutQuality(scores: ArrayLike<number>, labels: ArrayLike<number>): HeldOutQuality {
	return { ...auc(scores, labels), brier: brier(scores, labels), calibration: calibration(scores, labels) };
}
