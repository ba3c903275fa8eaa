import type { Db } from '$lib/server/db';
import {
	componentScore,
	INDEX_COMPONENTS,
	type IndexComponent,
	type IndexLayer,
	type IndexWeights
} from './cx-index';
import { computeKpis, effectiveFilters } from './kpis';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { metricsStores, type MetricsReader } from './read-store';
import {
	addContribution,
	DIMENSIONS,
	emptyVector,
	toMeasures,
	type DimensionValues,
	type Measures
} from './measures';
import type { CxQuery } from './query';
import { KPIS, type KpiKey, type Thresholds } from './registry';
import { getIndexWeights, getKpiSettings, setIndexWeights } from './settings';

/**
 * Driver analysis: which operating KPIs and touchpoint scores move NPS most.
 *
 * Unit: one NPS answer in the query's range (filters and scope applied to the answer). Its features are the
 * customer's own experience in the 7 days up to the answer, measured exactly like the index components: the
 * shares of their offered contacts answered within 20 s, of their first contacts resolved, of their contacts not
 * repeated within 48 h, of their handled contacts not transferred, whether they filed no complaint, and their
 * CSAT top-2 and CES top-3 shares. A feature the customer has no data for is imputed with the mean (answers with no
 * contact and no survey in the window are left out). Importance is the Shapley decomposition of the R² of an OLS
 * regression of the NPS score (0–10) on the features (exact, over all 2^k subsets, from the correlation matrix),
 * reported as each feature's share of R² ("relative weights"). Performance is the component's score (0–100) in the
 * index for the same query; the two make the importance–performance quadrant.
 */

export const DRIVER_WINDOW_MS = 7 * 86_400_000;
/** At most this many answers (the most recent) are analysed. */
export const DRIVER_MAX_ANSWERS = 20_000;
/** Below this many answers there is no weight suggestion. */
export const DRIVER_MIN_ANSWERS = 100;

type Feature = (m: Measures) => number | null;
const share = (x: number, n: number) => (n > 0 ? x / n : null);

/** Each index component except NPS (the outcome), as a per-customer feature oriented so that higher is better. */
const FEATURES: Record<Exclude<IndexComponent, 'nps'>, Feature> = {
	csat: (m) => share(m.csatTop2, m.csatN),
	ces: (m) => share(m.cesTop3, m.cesN),
	service_level: (m) => share(m.answered20s, m.offered),
	fcr: (m) => share(m.firstResolved, m.firstContacts),
	repeat_contact_rate: (m) => (m.chainsJudged > 0 ? 1 - m.repeated48h / m.chainsJudged : null),
	transfer_rate: (m) => (m.answered > 0 ? 1 - m.transferred / m.answered : null),
	complaint_rate: (m) => (m.complaints > 0 ? 0 : 1)
};
export type DriverKey = keyof typeof FEATURES;
export const DRIVER_KEYS = Object.keys(FEATURES) as DriverKey[];

export type Quadrant = 'fix' | 'maintain' | 'monitor' | 'overinvested';

export interface Driver {
	key: DriverKey;
	label: { zh: string; en: string };
	layer: IndexLayer;
	/** Share of the explained variance (0–1); the relative weight. */
	importance: number;
	/** Shapley value in R² units. */
	shapley: number;
	/** Sign of the feature's correlation with NPS (features are oriented higher = better). */
	correlation: number;
	/** The component's index score (0–100) for the query; null under its minimum n. */
	performance: number | null;
	/** fix = important and below average performance; maintain = important and above; monitor; overinvested. */
	quadrant: Quadrant | null;
}

export interface DriverAnalysis {
	from: string;
	to: string;
	/** Answers analysed. */
	n: number;
	r2: number | null;
	drivers: Driver[];
	/** Index weights suggested from the importances (null below DRIVER_MIN_ANSWERS or without any R²). */
	suggestion: IndexWeights | null;
	current: IndexWeights;
	method: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Pure arithmetic

/** Pearson correlation matrix of the columns of X and their correlations with y; null entries for constant columns. */
export function correlations(
	x: readonly number[][],
	y: readonly number[]
): { rxx: number[][]; rxy: number[] } | null {
	const n = y.length;
	const k = x[0]?.length ?? 0;
	if (n < 3) return null;
	const mean = (f: (i: number) => number) => {
		let s = 0;
		for (let i = 0; i < n; i++) s += f(i);
		return s / n;
	};
	const mx = Array.from({ length: k }, (_, j) => mean((i) => x[i][j]));
	const my = mean((i) => y[i]);
	const cov = (a: (i: number) => number, b: (i: number) => number) => {
		let s = 0;
		for (let i = 0; i < n; i++) s += a(i) * b(i);
		return s / n;
	};
	const dx = (j: number) => (i: number) => x[i][j] - mx[j];
	const dy = (i: number) => y[i] - my;
	const sx = Array.from({ length: k }, (_, j) => Math.sqrt(cov(dx(j), dx(j))));
	const sy = Math.sqrt(cov(dy, dy));
	if (sy === 0) return null;
	const rxx = Array.from({ length: k }, (_, a) =>
		Array.from({ length: k }, (_, b) =>
			a === b ? 1 : sx[a] === 0 || sx[b] === 0 ? 0 : cov(dx(a), dx(b)) / (sx[a] * sx[b])
		)
	);
	const rxy = Array.from({ length: k }, (_, j) => (sx[j] === 0 ? 0 : cov(dx(j), dy) / (sx[j] * sy)));
	return { rxx, rxy };
}

/** Solves A·b = r (A symmetric positive semi-definite, small); a tiny ridge keeps collinear features solvable. */
function solve(a: number[][], r: number[]): number[] {
	const k = r.length;
	const m = a.map((row, i) => [...row.map((v, j) => v + (i === j ? 1e-9 : 0)), r[i]]);
	for (let c = 0; c < k; c++) {
		let p = c;
		for (let i = c + 1; i < k; i++) if (Math.abs(m[i][c]) > Math.abs(m[p][c])) p = i;
		[m[c], m[p]] = [m[p], m[c]];
		const pivot = m[c][c];
		if (Math.abs(pivot) < 1e-12) continue;
		for (let i = 0; i < k; i++) {
			if (i === c) continue;
			const f = m[i][c] / pivot;
			for (let j = c; j <= k; j++) m[i][j] -= f * m[c][j];
		}
	}
	return m.map((row, i) => (Math.abs(row[i]) < 1e-12 ? 0 : row[k] / row[i]));
}

/** R² of the regression on the features in `mask`, from correlations: r_Sᵀ·R_SS⁻¹·r_S. */
function r2Of(rxx: number[][], rxy: number[], mask: number): number {
	const idx: number[] = [];
	for (let j = 0; j < rxy.length; j++) if (mask & (1 << j)) idx.push(j);
	if (idx.length === 0) return 0;
	const a = idx.map((i) => idx.map((j) => rxx[i][j]));
	const r = idx.map((i) => rxy[i]);
	const beta = solve(a, r);
	return Math.min(
		1,
		Math.max(
			0,
			beta.reduce((s, b, i) => s + b * r[i], 0)
		)
	);
}

/** Exact Shapley decomposition of R² over k ≤ 16 features. */
export function shapleyR2(
	x: readonly number[][],
	y: readonly number[]
): { r2: number; shapley: number[]; correlation: number[] } | null {
	const c = correlations(x, y);
	if (!c) return null;
	const k = c.rxy.length;
	if (k > 16) throw new Error('too many features for an exact Shapley decomposition');
	const full = (1 << k) - 1;
	const r2 = new Float64Array(full + 1);
	for (let mask = 1; mask <= full; mask++) r2[mask] = r2Of(c.rxx, c.rxy, mask);
	const factorial = [1];
	for (let i = 1; i <= k; i++) factorial.push(factorial[i - 1] * i);
	const popcount = (m: number) => {
		let s = 0;
		for (; m; m &= m - 1) s++;
		return s;
	};
	const shapley = Array.from({ length: k }, (_, j) => {
		let phi = 0;
		for (let mask = 0; mask <= full; mask++) {
			if (mask & (1 << j)) continue;
			const s = popcount(mask);
			phi += ((factorial[s] * factorial[k - s - 1]) / factorial[k]) * (r2[mask | (1 << j)] - r2[mask]);
		}
		return phi;
	});
	return { r2: r2[full], shapley, correlation: c.rxy };
}

/** Quadrants against the mean importance and the mean performance of the drivers that have both. */
export function quadrants(
	items: readonly { importance: number; performance: number | null }[]
): (Quadrant | null)[] {
	const rated = items.filter((i) => i.performance !== null);
	if (rated.length === 0) return items.map(() => null);
	const mi = rated.reduce((s, i) => s + i.importance, 0) / rated.length;
	const mp = rated.reduce((s, i) => s + (i.performance ?? 0), 0) / rated.length;
	return items.map((i) => {
		if (i.performance === null) return null;
		const important = i.importance >= mi;
		const good = i.performance >= mp;
		return important ? (good ? 'maintain' : 'fix') : good ? 'overinvested' : 'monitor';
	});
}

/**
 * Suggested index weights: inside each layer, components in proportion to their importance; NPS (the outcome, not
 * a driver) keeps its current share of the perception layer; layer weights are left as they are. A layer whose
 * drivers explain nothing keeps its current weights. Rounded to 3 decimals.
 */
export function suggestWeights(
	importance: Readonly<Record<DriverKey, number>>,
	current: IndexWeights
): IndexWeights {
	const components = { ...current.components };
	for (const layer of ['perception', 'operations'] as const) {
		const members = INDEX_COMPONENTS.filter((c) => c.layer === layer).map((c) => c.key);
		const layerTotal = members.reduce((s, key) => s + current.components[key], 0) || 1;
		const keep = layer === 'perception' ? current.components.nps / layerTotal : 0;
		const drivers = members.filter((key): key is DriverKey => key !== 'nps');
		const total = drivers.reduce((s, key) => s + Math.max(0, importance[key]), 0);
		if (total <= 0) continue;
		if (layer === 'perception') components.nps = round(keep);
		for (const key of drivers) components[key] = round(((1 - keep) * Math.max(0, importance[key])) / total);
	}
	return { layers: { ...current.layers }, components };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

// ---------------------------------------------------------------------------------------------------------------
// Reading the answers and their customers' windows

/** The driver analysis for a query's range, filters and scope (grouping and comparison are ignored). */
export async function drivers(target: Db | Storage, q: CxQuery): Promise<DriverAnalysis> {
	const storage = asStorage(target);
	const current = await getIndexWeights(storage);
	const settings = await getKpiSettings(storage);
	return byEngine(storage, metricsStores).read((r) => analyse(r, q, current, settings));
}

/** Answers whose windows are read at a time (one statement per batch on PostgreSQL). */
const ANSWER_BATCH = 1_000;

async function analyse(
	reader: MetricsReader,
	q: CxQuery,
	current: IndexWeights,
	settings: Record<KpiKey, Thresholds>
): Promise<DriverAnalysis> {
	const filters = effectiveFilters(q);
	const x: number[][] = [];
	const y: number[] = [];
	const kept: unknown[][] = [];
	for (const r of await reader.driverAnswers(q.from, q.to)) {
		const dims = Object.fromEntries(
			DIMENSIONS.map((d, i) => [d, r[4 + i] as string | null])
		) as DimensionValues;
		let keep = true;
		for (const [d, values] of filters) {
			const v = dims[d];
			if (v === null || !values.has(v)) keep = false;
		}
		if (keep) kept.push(r);
	}
	for (let start = 0; start < kept.length && y.length < DRIVER_MAX_ANSWERS; start += ANSWER_BATCH) {
		const batch = kept.slice(start, start + ANSWER_BATCH);
		const windows = await reader.driverWindows(
			batch.map((r) => ({ customer: r[1] as string, ts: r[2] as number })),
			DRIVER_WINDOW_MS
		);
		for (const [i, r] of batch.entries()) {
			if (y.length >= DRIVER_MAX_ANSWERS) break;
			const v = emptyVector();
			for (const w of windows[i]) {
				const fact = {
					type: w[0] as string,
					handledBy: w[1] as string | null,
					outcome: w[2] as string | null,
					waitS: w[3] as number | null,
					handleS: w[4] as number | null,
					metric: w[5] as string | null,
					score: w[6] as number | null,
					regulator: w[7] === null ? null : Boolean(w[7]),
					sentiment: w[8] as number | null,
					firstContact: w[9] === null ? null : Boolean(w[9]),
					repeatSameReason7d: w[10] === null ? null : Boolean(w[10]),
					repeat48h: w[11] === null ? null : Boolean(w[11]),
					chainLast: w[12] === null ? null : Boolean(w[12]),
					chainSelfService: w[13] === null ? null : Boolean(w[13]),
					transferredToAgent: w[14] === null ? null : Boolean(w[14]),
					attributed: w[15] === null ? null : Boolean(w[15])
				};
				addContribution(fact, v, 1);
			}
			const m = toMeasures(v);
			if (m.contacts + m.csatN + m.cesN + m.complaints === 0) continue;
			x.push(DRIVER_KEYS.map((key) => FEATURES[key](m) ?? Number.NaN));
			y.push(r[3] as number);
		}
	}
	// Mean imputation per feature.
	for (let j = 0; j < DRIVER_KEYS.length; j++) {
		let sum = 0;
		let count = 0;
		for (const row of x)
			if (!Number.isNaN(row[j])) {
				sum += row[j];
				count++;
			}
		const mean = count ? sum / count : 0;
		for (const row of x) if (Number.isNaN(row[j])) row[j] = mean;
	}

	const overview = (
		await computeKpis(
			reader,
			{ ...q, by: null, grain: null, compare: null, standardise: false },
			{
				settings,
				weights: current
			}
		)
	).rows[0].kpis;
	const complaintTarget = overview.complaint_rate.target;
	const result = shapleyR2(x, y);
	const r2 = result?.r2 ?? null;
	const items = DRIVER_KEYS.map((key, j) => {
		const value = overview[key].value;
		return {
			key,
			label: KPIS[key].label,
			layer: (INDEX_COMPONENTS.find((c) => c.key === key)?.layer ?? 'operations') as IndexLayer,
			importance: result && result.r2 > 0 ? Math.max(0, result.shapley[j]) / result.r2 : 0,
			shapley: result?.shapley[j] ?? 0,
			correlation: result?.correlation[j] ?? 0,
			performance: value === null ? null : componentScore(key, value, complaintTarget).score
		};
	});
	const q4 = quadrants(items);
	const importance = Object.fromEntries(items.map((i) => [i.key, i.importance])) as Record<DriverKey, number>;
	return {
		from: new Date(q.from).toISOString(),
		to: new Date(q.to).toISOString(),
		n: y.length,
		r2,
		drivers: items.map((i, j) => ({ ...i, quadrant: q4[j] })).sort((a, b) => b.importance - a.importance),
		suggestion:
			y.length >= DRIVER_MIN_ANSWERS && r2 !== null && r2 > 0 ? suggestWeights(importance, current) : null,
		current,
		method:
			'Shapley decomposition of the R² of an OLS regression of NPS (0–10) on each answer’s 7-day customer experience; mean imputation'
	};
}

/** An admin accepts suggested (or edited) index weights; they are validated and stored. */
export async function acceptDriverWeights(
	target: Db | Storage,
	weights: IndexWeights,
	actor: string | null
): Promise<IndexWeights> {
	return setIndexWeights(target, weights, actor);
}
