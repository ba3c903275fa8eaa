import type { KpiEstimate, KpiKey } from './registry';
import { isWiderThan, LOW_CONFIDENCE_HALF_WIDTH, Z95, type Interval } from '$lib/server/stats';

/**
 * The composite CX index (远程银行体验指数) of DOMAIN.md, 0–100: a perception layer (CSAT top-2-box, CES
 * top-3-box, NPS rescaled to (NPS + 100) / 2) and an operations layer (service level, FCR, 100 − repeat-contact
 * rate, 100 − transfer rate, complaint rate mapped linearly from 20 per 10k → 0 to the complaint target → 100),
 * 50/50 by default with equal weights inside each layer; every weight editable by an admin (settings.ts).
 *
 * A component under its minimum n is not dropped silently: the index is then insufficient data (value null, n the
 * smallest component n, `missing` naming the components), unless an admin allows a partial index
 * (`allowMissing`), which renormalises the weights of the missing component's layer over the others and names the
 * missing components beside the value. Either way the index needs one component in every layer with a weight.
 * n is the smallest n among the components used.
 *
 * Interval: delta method. The index is linear in the component KPIs (the complaint mapping is linear between its
 * clamps, slope 0 outside), with coefficients aᵢ = layer share × component share × the mapping's slope. The
 * components of a layer are measured on the same answers (CSAT, CES and NPS of the same surveys) or the same
 * contacts (service level, FCR, repeat and transfer), so they covary; the rollups keep no cross-products to estimate
 * that covariance, so each layer's SE is the bound that holds for any correlation, Σ|aᵢ|·SEᵢ (Cauchy–Schwarz:
 * exact when they move together). The two layers come from different events (surveys and contacts) and add as
 * independent: SE² = SE²_perception + SE²_operations. The interval is ± 1.96·SE, clamped to 0–100. Deterministic and
 * O(components), so the wallboard pays nothing for it.
 */

export const INDEX_LAYERS = ['perception', 'operations'] as const;
export type IndexLayer = (typeof INDEX_LAYERS)[number];

export const INDEX_COMPONENTS = [
	{ key: 'csat', layer: 'perception' },
	{ key: 'ces', layer: 'perception' },
	{ key: 'nps', layer: 'perception' },
	{ key: 'service_level', layer: 'operations' },
	{ key: 'fcr', layer: 'operations' },
	{ key: 'repeat_contact_rate', layer: 'operations' },
	{ key: 'transfer_rate', layer: 'operations' },
	{ key: 'complaint_rate', layer: 'operations' }
] as const satisfies readonly { key: KpiKey; layer: IndexLayer }[];
export type IndexComponent = (typeof INDEX_COMPONENTS)[number]['key'];

export interface IndexWeights {
	layers: Record<IndexLayer, number>;
	components: Record<IndexComponent, number>;
	/** Admin choice: show a partial index (the missing components named) instead of insufficient data. */
	allowMissing?: boolean;
}

export const DEFAULT_INDEX_WEIGHTS: IndexWeights = Object.freeze({
	layers: { perception: 0.5, operations: 0.5 },
	components: {
		csat: 1 / 3,
		ces: 1 / 3,
		nps: 1 / 3,
		service_level: 0.2,
		fcr: 0.2,
		repeat_contact_rate: 0.2,
		transfer_rate: 0.2,
		complaint_rate: 0.2
	}
}) as IndexWeights;

/** Complaints per 10k contacts that map to an index score of 0. */
export const COMPLAINT_FLOOR_PER_10K = 20;

/** A component's score on 0–100 and d(score)/d(KPI) at that point. */
export function componentScore(
	key: IndexComponent,
	value: number,
	complaintTarget = 5
): { score: number; slope: number } {
	switch (key) {
		case 'nps':
			return { score: (value + 100) / 2, slope: 0.5 };
		case 'repeat_contact_rate':
		case 'transfer_rate':
			return { score: 100 - value, slope: -1 };
		case 'complaint_rate': {
			const span = COMPLAINT_FLOOR_PER_10K - complaintTarget;
			if (span <= 0) return { score: value <= complaintTarget ? 100 : 0, slope: 0 };
			const raw = (100 * (COMPLAINT_FLOOR_PER_10K - value)) / span;
			if (raw >= 100) return { score: 100, slope: 0 };
			if (raw <= 0) return { score: 0, slope: 0 };
			return { score: raw, slope: -100 / span };
		}
		default:
			return { score: value, slope: 1 };
	}
}

export interface CxIndexEstimate extends KpiEstimate {
	/** Each component's score and its effective weight in the index (0 when left out). */
	components: Record<IndexComponent, { score: number | null; weight: number }>;
	/** Weighted components under their minimum n (the index is insufficient data unless partial ones are allowed). */
	missing: IndexComponent[];
}

export function computeCxIndex(
	estimates: Readonly<Partial<Record<KpiKey, KpiEstimate>>>,
	weights: IndexWeights = DEFAULT_INDEX_WEIGHTS,
	complaintTarget = 5
): CxIndexEstimate {
	const components = Object.fromEntries(
		INDEX_COMPONENTS.map((c) => [c.key, { score: null as number | null, weight: 0 }])
	) as CxIndexEstimate['components'];
	const used: {
		key: IndexComponent;
		layer: IndexLayer;
		score: number;
		slope: number;
		se: number;
		n: number;
	}[] = [];
	const missing: IndexComponent[] = [];
	let smallestN = Number.POSITIVE_INFINITY;
	for (const c of INDEX_COMPONENTS) {
		const e = estimates[c.key];
		if (weights.components[c.key] <= 0 || weights.layers[c.layer] <= 0) continue;
		if (e) smallestN = Math.min(smallestN, e.n);
		if (!e || e.value === null) {
			missing.push(c.key);
			continue;
		}
		const { score, slope } = componentScore(c.key, e.value, complaintTarget);
		components[c.key].score = score;
		used.push({ key: c.key, layer: c.layer, score, slope, se: e.se ?? 0, n: e.n });
	}
	const none: CxIndexEstimate = {
		value: null,
		n: Number.isFinite(smallestN) ? smallestN : 0,
		ci95: null,
		se: null,
		lowConfidence: false,
		components,
		missing
	};
	if (missing.length > 0 && !weights.allowMissing) return none;
	const activeLayers = INDEX_LAYERS.filter((l) => weights.layers[l] > 0);
	const layerWeight = activeLayers.reduce((a, l) => a + weights.layers[l], 0);
	if (layerWeight <= 0) return none;
	let value = 0;
	let variance = 0;
	let n = Number.POSITIVE_INFINITY;
	for (const layer of activeLayers) {
		const inLayer = used.filter((u) => u.layer === layer);
		const total = inLayer.reduce((a, u) => a + weights.components[u.key], 0);
		if (total <= 0) return none;
		let layerSe = 0;
		for (const u of inLayer) {
			const a = (weights.layers[layer] / layerWeight) * (weights.components[u.key] / total);
			components[u.key].weight = a;
			value += a * u.score;
			layerSe += Math.abs(a * u.slope * u.se);
			n = Math.min(n, u.n);
		}
		variance += layerSe * layerSe;
	}
	const se = Math.sqrt(variance);
	const ci95: Interval = [Math.max(0, value - Z95 * se), Math.min(100, value + Z95 * se)];
	return {
		value,
		n,
		ci95,
		se,
		lowConfidence: isWiderThan(ci95, LOW_CONFIDENCE_HALF_WIDTH.proportion),
		components,
		missing
	};
}

/** Checks admin-entered weights: finite, ≥ 0, and at least one positive weight in every layer that counts. */
export function validateIndexWeights(w: IndexWeights): string | null {
	const all = [...Object.values(w.layers), ...Object.values(w.components)];
	if (all.some((x) => !Number.isFinite(x) || x < 0)) return 'weights must be finite numbers ≥ 0';
	if (INDEX_LAYERS.every((l) => w.layers[l] <= 0)) return 'at least one layer needs a positive weight';
	for (const layer of INDEX_LAYERS) {
		if (w.layers[layer] <= 0) continue;
		const inLayer = INDEX_COMPONENTS.filter((c) => c.layer === layer);
		if (inLayer.every((c) => w.components[c.key] <= 0))
			return `layer ${layer} needs at least one component with a positive weight`;
	}
	return null;
}
