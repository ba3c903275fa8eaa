import * as metrics from '$lib/server/metrics';
import { benjaminiHochberg, FAMILY_ALPHA } from '$lib/server/stats';
import type { WallboardKpi } from '$lib/components/dashboards/types';

/**
 * A KPI tile of the wallboard and the trends screen: the period's reading with its status and change against the
 * comparison period, the registry's direction and minimum n, and a sparkline.
 */
export function kpiTile(
	key: metrics.KpiKey,
	r: metrics.KpiResult,
	spark: (number | null)[],
	significant: boolean | null = r.significant ?? null
): WallboardKpi {
	const def = metrics.KPIS[key];
	return {
		value: r.value,
		n: r.n,
		ci95: r.ci95,
		unit: r.unit,
		direction: def.direction,
		minN: def.minN,
		target: r.target,
		status: r.status,
		lowConfidence: r.lowConfidence,
		...(r.mean ? { mean: r.mean } : {}),
		previous: r.previous ?? null,
		change: r.change ?? null,
		significant,
		...(r.pending !== undefined ? { pending: r.pending } : {}),
		...(r.unattributed ? { unattributed: r.unattributed } : {}),
		...(r.missing?.length
			? {
					missing: r.missing.map((k) => ({
						key: k,
						label: metrics.KPIS[k as metrics.KpiKey]?.label ?? { zh: k, en: k }
					}))
				}
			: {}),
		spark
	};
}

/**
 * Significance over a board of tiles (DOMAIN.md "Significance on tiles and tables"): Benjamini–Hochberg at 5% over
 * the p-values of the tiles where a test ran, so ten tiles do not show a "significant" change by chance every other
 * refresh. Null where no test ran (no comparison, a value missing or provisional).
 */
export function boardSignificance<K extends string>(
	results: Readonly<Record<K, metrics.KpiResult>>,
	keys: readonly K[],
	q = FAMILY_ALPHA
): Record<K, boolean | null> {
	const tested = keys.filter((k) => typeof results[k].p === 'number');
	const discoveries = benjaminiHochberg(
		tested.map((k) => results[k].p as number),
		q
	);
	const out = Object.fromEntries(keys.map((k) => [k, null])) as Record<K, boolean | null>;
	tested.forEach((k, i) => (out[k] = discoveries[i]));
	return out;
}
