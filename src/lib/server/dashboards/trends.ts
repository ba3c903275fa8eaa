import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { dashboardStores } from './store';
import * as metrics from '$lib/server/metrics';
import { bucketOf, bucketStart, chinaIso, type Grain } from '$lib/server/metrics/time';
import type { Reading, WallboardKpi } from '$lib/components/dashboards/types';
import {
	agentOrder,
	agentOverdispersion,
	compareAgents,
	type AgentComparison,
	type AgentCounts,
	type AgentKpi
} from './agents';
import { pChart, type PChart } from './control-chart';
import { boardSignificance, kpiTile } from './kpi-tile';

const DAY_MS = 86_400_000;

/**
 * The manager's screens: satisfaction (CSAT, NPS, FCR) by day or week with n and intervals, a p-chart of a rate,
 * teams and agents compared without ranking noise. Every read goes through metrics with the caller's scope, so a
 * manager sees only their teams.
 */

export const TREND_KPIS = ['csat', 'nps', 'fcr'] as const;
export type TrendKpi = (typeof TREND_KPIS)[number];
export type TrendGrain = 'day' | 'week';
/** Rates a p-chart applies to (NPS is a difference of two shares, not a proportion). */
export const CONTROL_KPIS = ['csat', 'fcr'] as const;
export type ControlKpi = (typeof CONTROL_KPIS)[number];

export interface TrendPoint extends Reading {
	/** The bucket's start in China time (ISO-8601 with +08:00). */
	bucket: string;
	/** The part of the bucket inside the period, epoch ms (for drill-down). */
	from: number;
	to: number;
}

export interface TrendSeries {
	kpi: TrendKpi;
	target: number;
	points: TrendPoint[];
}

interface Buckets {
	grain: Grain;
	list: { bucket: string; from: number; to: number }[];
}

function buckets(q: metrics.CxQuery, grain: Grain): Buckets {
	const list: Buckets['list'] = [];
	for (let b = bucketOf(q.from, grain); b <= bucketOf(q.to - 1, grain); b++) {
		const start = bucketStart(b, grain);
		list.push({
			bucket: chinaIso(start),
			from: Math.max(start, q.from),
			to: Math.min(bucketStart(b + 1, grain), q.to)
		});
	}
	return { grain, list };
}

/** Period totals of CSAT, NPS and FCR as tiles (change against the comparison period), with their series. */
export async function satisfaction(
	db: Db | Storage,
	q: metrics.CxQuery,
	grain: TrendGrain
): Promise<{ tiles: Record<TrendKpi, WallboardKpi>; series: TrendSeries[] }> {
	const trend = await metrics.kpis(db, { ...q, by: grain, grain: null, compare: null, standardise: false });
	// Tests of change allow for bucket-to-bucket variation (estimated from the series just read) and are adjusted
	// over the screen's tiles (Benjamini–Hochberg).
	const unitMs = grain === 'day' ? DAY_MS : 7 * DAY_MS;
	const totals = (
		await metrics.kpis(
			db,
			{ ...q, by: null, grain: null },
			{ dispersion: { unitMs, tau2: metrics.overdispersion(trend.rows, TREND_KPIS) } }
		)
	).rows[0].kpis;
	const significant = boardSignificance(totals, TREND_KPIS);
	const list = buckets(q, grain).list;
	const series = TREND_KPIS.map((kpi) => ({
		kpi,
		target: totals[kpi].target,
		points: trend.rows.map((row, i) => ({
			bucket: row.group ?? list[i]?.bucket ?? '',
			from: list[i]?.from ?? q.from,
			to: list[i]?.to ?? q.to,
			value: row.kpis[kpi].value,
			n: row.kpis[kpi].n,
			ci95: row.kpis[kpi].ci95,
			...(row.kpis[kpi].pending !== undefined ? { pending: row.kpis[kpi].pending } : {})
		}))
	}));
	const tiles = {} as Record<TrendKpi, WallboardKpi>;
	for (const kpi of TREND_KPIS)
		tiles[kpi] = kpiTile(
			kpi,
			totals[kpi],
			series.find((s) => s.kpi === kpi)?.points.map((p) => p.value) ?? [],
			significant[kpi]
		);
	return { tiles, series };
}

const CONTROL_MEASURES: Record<ControlKpi, { x: string; n: string; pendingWindow: number | null }> = {
	csat: { x: 'csatTop2', n: 'csatN', pendingWindow: null },
	// FCR's 7-day window: FOLLOW_UP_WINDOWS[0] (metrics/measures.ts).
	fcr: { x: 'firstResolved', n: 'firstContacts', pendingWindow: 0 }
};

export interface ControlChart extends PChart {
	kpi: ControlKpi;
	grain: TrendGrain;
	target: number;
	/** Drill-down bounds per point, in the order of `points`. */
	ranges: { from: number; to: number }[];
}

/** The p-chart of a rate per bucket, from the exact counts behind each point. */
export async function controlChart(
	db: Db | Storage,
	q: metrics.CxQuery,
	kpi: ControlKpi,
	grain: TrendGrain
): Promise<ControlChart> {
	const { list } = buckets(q, grain);
	const measured = await metrics.kpiMeasures(db, { ...q, by: grain, grain: null, compare: null });
	const byBucket = new Map(measured.rows.map((r) => [r.bucket, r]));
	const first = bucketOf(q.from, grain);
	const names = CONTROL_MEASURES[kpi];
	const input = list.map((b, i) => {
		const row = byBucket.get(first + i);
		const m = row?.measures as Record<string, number> | undefined;
		const pending = names.pendingWindow === null ? 0 : (row?.pending[names.pendingWindow] ?? 0);
		return { bucket: b.bucket, x: m?.[names.x] ?? 0, n: m?.[names.n] ?? 0, pending };
	});
	const def = metrics.KPIS[kpi];
	return {
		...pChart(input, def.minN),
		kpi,
		grain,
		target: (await metrics.getKpiSettings(db))[kpi].target,
		ranges: list.map((b) => ({ from: b.from, to: b.to }))
	};
}

export interface TeamRow {
	team: string;
	name: { zh: string; en: string };
	kpis: Record<TrendKpi, Reading>;
}

async function teamNames(db: Db | Storage): Promise<Map<string, { zh: string; en: string }>> {
	const rows = await byEngine(asStorage(db), dashboardStores).teams();
	return new Map(rows.map((r) => [r.id, { zh: r.name, en: r.name_en ?? r.name }]));
}

/** CSAT, NPS and FCR per team in the scope, each with n and interval. */
export async function teamTable(db: Db | Storage, q: metrics.CxQuery): Promise<TeamRow[]> {
	const names = await teamNames(db);
	const answer = await metrics.kpis(db, { ...q, by: 'team', grain: null, compare: null, standardise: false });
	return answer.rows
		.filter((r): r is metrics.KpiRow & { group: string } => r.group !== null)
		.map((r) => ({
			team: r.group,
			name: names.get(r.group) ?? { zh: r.group, en: r.group },
			kpis: Object.fromEntries(
				TREND_KPIS.map((k) => [k, { value: r.kpis[k].value, n: r.kpis[k].n, ci95: r.kpis[k].ci95 }])
			) as Record<TrendKpi, Reading>
		}));
}

const AGENT_MEASURES: Record<AgentKpi, { n: string; x: string; detractors: string | null }> = {
	csat: { n: 'csatN', x: 'csatTop2', detractors: null },
	fcr: { n: 'firstContacts', x: 'firstResolved', detractors: null },
	nps: { n: 'npsN', x: 'npsPromoters', detractors: 'npsDetractors' }
};

export interface AgentTable {
	kpi: AgentKpi;
	minN: number;
	teams: Record<string, { zh: string; en: string }>;
	rows: AgentComparison[];
}

/** Every agent in the scope with n and interval, marked only where they differ significantly from their team. */
export async function agentTable(db: Db | Storage, q: metrics.CxQuery, kpi: AgentKpi): Promise<AgentTable> {
	// One read by agent and day: the agents' totals are the sums of their days, and the days give the
	// overdispersion allowance of the comparisons (no second query).
	const measured = await metrics.kpiMeasures(db, { ...q, by: 'agent', grain: 'day', compare: null });
	const directory = new Map((await byEngine(asStorage(db), dashboardStores).agents()).map((a) => [a.id, a]));
	const names = AGENT_MEASURES[kpi];
	const cells = measured.rows
		.filter((r) => r.group !== null)
		.map((r) => {
			const m = r.measures as unknown as Record<string, number>;
			return {
				agent: r.group as string,
				n: m[names.n],
				x: m[names.x],
				detractors: names.detractors ? m[names.detractors] : 0
			};
		})
		.filter((c) => c.n > 0);
	const byAgent = new Map<string, AgentCounts>();
	for (const c of cells) {
		let a = byAgent.get(c.agent);
		if (!a) {
			const agent = directory.get(c.agent);
			a = {
				agent: c.agent,
				name: agent?.name ?? c.agent,
				team: agent?.team_id ?? null,
				n: 0,
				x: 0,
				detractors: 0,
				days: 0
			};
			byAgent.set(c.agent, a);
		}
		a.n += c.n;
		a.x += c.x;
		a.detractors += c.detractors;
		a.days = (a.days ?? 0) + 1;
	}
	const counts = [...byAgent.values()];
	const all = await teamNames(db);
	const teams: AgentTable['teams'] = {};
	for (const c of counts)
		if (c.team && all.has(c.team)) teams[c.team] = all.get(c.team) as { zh: string; en: string };
	return {
		kpi,
		minN: metrics.KPIS[kpi].minN,
		teams,
		rows: compareAgents(kpi, counts, metrics.KPIS[kpi].minN, undefined, agentOverdispersion(kpi, cells)).sort(
			agentOrder
		)
	};
}
