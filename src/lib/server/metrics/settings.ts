import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { metricsStores } from './read-store';
import {
	DEFAULT_INDEX_WEIGHTS,
	INDEX_COMPONENTS,
	INDEX_LAYERS,
	validateIndexWeights,
	type IndexComponent,
	type IndexLayer,
	type IndexWeights
} from './cx-index';
import { KPI_KEYS, KPIS, type KpiKey, type Thresholds } from './registry';

/**
 * Admin-editable settings of the metrics engine, stored in the database: KPI targets and amber/red thresholds
 * (kpi_settings) and the CX index weights (cx_index_weights). Defaults live in the registry and cx-index.ts;
 * a stored row overrides them. The admin UI and its audit entries belong to the admin pages; these are the
 * functions they call.
 */

export class SettingsError extends Error {}

export async function getKpiSettings(target: Db | Storage): Promise<Record<KpiKey, Thresholds>> {
	const out = Object.fromEntries(KPI_KEYS.map((k) => [k, { ...KPIS[k].defaults }])) as Record<
		KpiKey,
		Thresholds
	>;
	for (const row of await byEngine(asStorage(target), metricsStores).kpiSettings()) {
		if (!(row.key in out)) continue;
		const t = out[row.key as KpiKey];
		if (row.target !== null) t.target = row.target;
		if (row.amber !== null) t.amber = row.amber;
		if (row.red !== null) t.red = row.red;
	}
	return out;
}

/**
 * Sets a KPI's target and/or thresholds (a null field goes back to the default). Refuses thresholds in the wrong
 * order for the KPI's direction (for "higher is better", red ≤ amber).
 */
export async function setKpiSettings(
	target: Db | Storage,
	key: KpiKey,
	change: Partial<Record<keyof Thresholds, number | null>>,
	actor: string | null = null
): Promise<Thresholds> {
	const def = KPIS[key];
	if (!def) throw new SettingsError(`unknown KPI ${key}`);
	const store = byEngine(asStorage(target), metricsStores);
	const stored = await store.kpiSetting(key);
	const pick = (field: keyof Thresholds) =>
		change[field] === undefined ? (stored?.[field] ?? null) : (change[field] as number | null);
	const next = { target: pick('target'), amber: pick('amber'), red: pick('red') };
	for (const [field, value] of Object.entries(next))
		if (value !== null && !Number.isFinite(value))
			throw new SettingsError(`${field}: must be a finite number`);
	const effective: Thresholds = {
		target: next.target ?? def.defaults.target,
		amber: next.amber ?? def.defaults.amber,
		red: next.red ?? def.defaults.red
	};
	const ordered =
		def.direction === 'higher' ? effective.red <= effective.amber : effective.red >= effective.amber;
	if (!ordered)
		throw new SettingsError(
			`red: must be ${def.direction === 'higher' ? 'at most' : 'at least'} amber (${key} is ${def.direction} is better)`
		);
	await store.putKpiSetting({ key, ...next, updatedAt: Date.now(), updatedBy: actor });
	return effective;
}

const layerKey = (layer: IndexLayer) => `layer:${layer}`;
/** The admin's "show a partial CX index" choice, kept as a 0/1 row beside the weights. */
const ALLOW_MISSING_KEY = 'option:allow_missing';

export async function getIndexWeights(target: Db | Storage): Promise<IndexWeights> {
	const w: IndexWeights = {
		layers: { ...DEFAULT_INDEX_WEIGHTS.layers },
		components: { ...DEFAULT_INDEX_WEIGHTS.components },
		allowMissing: false
	};
	for (const row of await byEngine(asStorage(target), metricsStores).indexWeights()) {
		const layer = INDEX_LAYERS.find((l) => layerKey(l) === row.component);
		if (row.component === ALLOW_MISSING_KEY) w.allowMissing = row.weight > 0;
		else if (layer) w.layers[layer] = row.weight;
		else if (INDEX_COMPONENTS.some((c) => c.key === row.component))
			w.components[row.component as IndexComponent] = row.weight;
	}
	return w;
}

/** Stores new index weights (any subset; the others keep their current value), after validating the result. */
export async function setIndexWeights(
	target: Db | Storage,
	change: {
		layers?: Partial<Record<IndexLayer, number>>;
		components?: Partial<Record<IndexComponent, number>>;
		allowMissing?: boolean;
	},
	actor: string | null = null
): Promise<IndexWeights> {
	const current = await getIndexWeights(target);
	const next: IndexWeights = {
		layers: { ...current.layers, ...change.layers },
		components: { ...current.components, ...change.components },
		allowMissing: change.allowMissing ?? current.allowMissing ?? false
	};
	const problem = validateIndexWeights(next);
	if (problem) throw new SettingsError(problem);
	const now = Date.now();
	const rows = [
		...INDEX_LAYERS.map((l) => ({ component: layerKey(l), weight: next.layers[l] })),
		...INDEX_COMPONENTS.map((c) => ({ component: c.key as string, weight: next.components[c.key] })),
		{ component: ALLOW_MISSING_KEY, weight: next.allowMissing ? 1 : 0 }
	];
	await byEngine(asStorage(target), metricsStores).putIndexWeights(
		rows.map((row) => ({ ...row, updatedAt: now, updatedBy: actor }))
	);
	return next;
}
