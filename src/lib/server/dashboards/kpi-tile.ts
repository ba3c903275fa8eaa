import * as metrics from '$lib/server/metrics';
import type { WallboardKpi } from '$lib/components/dashboards/types';

/**
 * A KPI tile of the wallboard and the trends screen: the period's reading with its status and change against the
 * comparison period, the registry's direction and minimum n, and a sparkline.
 */
export function kpiTile(key: metrics.KpiKey, r: metrics.KpiResult, spark: (number | null)[]): WallboardKpi {
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
		significant: r.significant ?? null,
		...(r.pending !== undefined ? { pending: r.pending } : {}),
		...(r.unattributed ? { unattributed: r.unattributed } : {}),
		spark
	};
}
