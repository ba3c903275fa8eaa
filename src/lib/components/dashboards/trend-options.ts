import { formatInterval, formatKpiValue, type KpiUnit } from '$lib/kpi-format';
import { LineChart } from 'echarts/charts';
import { MarkLineComponent } from 'echarts/components';
import { echarts, type ChartOption } from '$lib/components/charts/echarts';
import { axisTooltip, categoryAxis, valueSplitLine } from '$lib/components/charts/themed';
import type { ChartPalette } from '$lib/state/theme.svelte';
import type { Interval } from './types';

// The chart kinds these options draw (charts/echarts.ts registers only what every chart shares).
echarts.use([LineChart, MarkLineComponent]);

/**
 * A KPI over time: the value per bucket with its 95% interval as a band, the target as a dashed line, gaps where a
 * bucket is under the minimum n. Clicks on the value series drill into that bucket (series index VALUE_SERIES).
 * Provisional buckets (chains still inside their follow-up window) are not part of that line: a separate dashed
 * series with hollow points continues it (PROVISIONAL_SERIES), so no provisional value reads as the final last point.
 */

export interface TrendPointInput {
	value: number | null;
	n: number;
	ci95: Interval | null;
	/** Chains still pending (provisional when > 0). */
	pending?: number;
}

export interface TrendText {
	target: string;
	/** "n = 1,234" */
	n: (n: number) => string;
	insufficient: string;
	/** "Provisional · 12 pending" (tooltip) and the provisional series' name. */
	provisional?: (pending: number) => string;
	provisionalSeries?: string;
}

export interface TrendOptionsInput {
	name: string;
	unit: KpiUnit;
	locale: string;
	palette: ChartPalette;
	categories: string[];
	points: TrendPointInput[];
	target: number | null;
	text: TrendText;
	/** Hide axes' names and shrink the grid (sparkline-sized charts). */
	compact?: boolean;
}

export const VALUE_SERIES = 2;
export const PROVISIONAL_SERIES = 3;

const isProvisional = (p: TrendPointInput) => (p.pending ?? 0) > 0;

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The tooltip of one bucket: value with interval and n, or "insufficient data" with n. */
export function trendTooltip(
	input: Pick<TrendOptionsInput, 'name' | 'unit' | 'locale' | 'categories' | 'points' | 'text'>,
	index: number
): string {
	const p = input.points[index];
	const head = `${escapeHtml(input.categories[index] ?? '')}<br>${escapeHtml(input.name)}: `;
	if (!p) return head;
	const n = input.text.n(p.n);
	if (p.value === null) return `${head}${escapeHtml(input.text.insufficient)} (${escapeHtml(n)})`;
	const ci = p.ci95 ? ` · 95% ${formatInterval(input.unit, p.ci95, input.locale)}` : '';
	const provisional =
		isProvisional(p) && input.text.provisional
			? `<br>${escapeHtml(input.text.provisional(p.pending ?? 0))}`
			: '';
	return `${head}<b>${formatKpiValue(input.unit, p.value, input.locale)}</b>${escapeHtml(ci)}<br>${escapeHtml(n)}${provisional}`;
}

function axisRange(unit: KpiUnit): { min?: number; max?: number } {
	if (unit === 'percent' || unit === 'index') return { max: 100 };
	if (unit === 'nps') return { min: -100, max: 100 };
	return {};
}

export function trendOptions(input: TrendOptionsInput): ChartOption {
	const { palette, points, unit, locale } = input;
	const lower = points.map((p) => (p.value !== null && p.ci95 ? p.ci95[0] : null));
	const width = points.map((p) => (p.value !== null && p.ci95 ? p.ci95[1] - p.ci95[0] : null));
	const range = axisRange(unit);
	const final = points.map((p) => (isProvisional(p) ? null : p.value));
	// The provisional line starts at the last final point before each provisional run, dashed from there.
	const provisional = points.map((p, i) => {
		if (isProvisional(p)) return p.value;
		const next = points[i + 1];
		return next && isProvisional(next) ? p.value : null;
	});
	const anyProvisional = points.some(isProvisional);
	return {
		animation: false,
		grid: input.compact
			? { left: 44, right: 12, top: 14, bottom: 24 }
			: { left: 52, right: 20, top: 28, bottom: 36 },
		tooltip: axisTooltip(palette, (index) => trendTooltip(input, index)),
		xAxis: { ...categoryAxis(palette, input.categories), boundaryGap: false },
		yAxis: {
			type: 'value',
			scale: true,
			...range,
			splitLine: valueSplitLine(palette),
			axisLabel: {
				color: palette.muted,
				formatter: (v: number) => formatKpiValue(unit, v, locale)
			}
		},
		series: [
			{
				name: 'ci-lower',
				type: 'line',
				data: lower,
				stack: 'ci',
				symbol: 'none',
				lineStyle: { opacity: 0 },
				silent: true,
				tooltip: { show: false }
			},
			{
				name: 'ci-band',
				type: 'line',
				data: width,
				stack: 'ci',
				symbol: 'none',
				lineStyle: { opacity: 0 },
				areaStyle: { color: palette.brand, opacity: 0.15 },
				silent: true,
				tooltip: { show: false }
			},
			{
				name: input.name,
				type: 'line',
				data: final,
				symbol: 'circle',
				symbolSize: 7,
				connectNulls: false,
				itemStyle: { color: palette.brand },
				lineStyle: { color: palette.brand, width: 2 },
				cursor: 'pointer',
				markLine:
					input.target === null
						? undefined
						: {
								silent: true,
								symbol: 'none',
								lineStyle: { color: palette.good, type: 'dashed' },
								label: {
									color: palette.good,
									formatter: `${input.text.target} ${formatKpiValue(unit, input.target, locale)}`,
									position: 'insideEndTop'
								},
								data: [{ yAxis: input.target }]
							}
			},
			...(anyProvisional
				? [
						{
							name: input.text.provisionalSeries ?? 'provisional',
							type: 'line' as const,
							data: provisional,
							symbol: 'emptyCircle',
							symbolSize: 8,
							connectNulls: false,
							itemStyle: { color: palette.warn },
							lineStyle: { color: palette.warn, width: 2, type: 'dashed' as const }
						}
					]
				: [])
		]
	};
}
