import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { dashboardStores } from './store';
import * as metrics from '$lib/server/metrics';
import { chinaDate, chinaMidnight, DAY_MS, type RangePreset } from '$lib/components/filters/filter-state';
import type {
	KpiMeta,
	WallboardKpi,
	WallboardKpiKey,
	WallboardSnapshot
} from '$lib/components/dashboards/types';
import { WALLBOARD_KPIS } from '$lib/components/dashboards/types';
import { boardSignificance, kpiTile } from './kpi-tile';

/**
 * The executive wallboard's numbers: the ten headline KPIs for a period with their n, interval, status against
 * target and change against the comparison period, each with a sparkline of the last 14 days. The same function
 * serves the page's first paint and every live snapshot of GET /api/v1/stream.
 */

export const SPARK_DAYS = 14;

/** Labels, definitions, units and minimum n of the wallboard KPIs, from the registry (for first paint). */
export function wallboardMeta(): Record<WallboardKpiKey, KpiMeta> {
	const out = {} as Record<WallboardKpiKey, KpiMeta>;
	for (const key of WALLBOARD_KPIS) {
		const def = metrics.KPIS[key];
		out[key] = {
			label: def.label,
			description: def.description,
			unit: def.unit,
			direction: def.direction,
			minN: def.minN
		};
	}
	return out;
}

/** The sequence number of the last committed event (0 when there is none): what a view's numbers include. */
export async function lastSeq(db: Db | Storage): Promise<number> {
	return byEngine(asStorage(db), dashboardStores).lastSeq();
}

export async function wallboardSnapshot(
	db: Db | Storage,
	query: metrics.CxQuery,
	range: RangePreset | 'custom',
	now = Date.now()
): Promise<WallboardSnapshot> {
	// Read first: every event up to this one is in the numbers below (later ones may be too).
	const seq = await lastSeq(db);
	// The sparkline: one value per China-time day, the last 14 days of the period (today so far at the end).
	const sparkFrom = chinaMidnight(query.to - 1) - (SPARK_DAYS - 1) * DAY_MS;
	const daily = await metrics.kpis(db, {
		...query,
		from: Math.min(sparkFrom, query.from),
		by: 'day',
		grain: null,
		compare: null,
		standardise: false
	});
	// The tests of change allow for day-to-day variation beyond sampling noise, estimated from the same days (no
	// extra query), and are adjusted over the board's tiles.
	const current = await metrics.kpis(
		db,
		{ ...query, by: null, grain: null },
		{ dispersion: { unitMs: DAY_MS, tau2: metrics.overdispersion(daily.rows, WALLBOARD_KPIS) } }
	);
	const days = daily.rows.slice(-SPARK_DAYS);
	const row = current.rows[0];
	const significant = boardSignificance(row.kpis, WALLBOARD_KPIS);
	const kpis = {} as Record<WallboardKpiKey, WallboardKpi>;
	for (const key of WALLBOARD_KPIS)
		kpis[key] = kpiTile(
			key,
			row.kpis[key],
			days.map((d) => roundTo(d.kpis[key].value)),
			significant[key]
		);
	return {
		at: now,
		seq,
		range,
		from: current.from,
		to: current.to,
		compare: current.compare,
		sparkDays: days.map((d) => chinaDate(Date.parse(d.group ?? ''))),
		cxTrend: days.map((d) => ({
			day: chinaDate(Date.parse(d.group ?? '')),
			value: roundTo(d.kpis.cx_index.value),
			n: d.kpis.cx_index.n,
			ci95: d.kpis.cx_index.ci95
		})),
		kpis
	};
}

/** Sparklines need no more than 3 decimals; keeps the live snapshot small. */
function roundTo(value: number | null): number | null {
	return value === null ? null : Math.round(value * 1000) / 1000;
}
