import { LineChart } from 'echarts/charts';
import { MarkLineComponent } from 'echarts/components';
import { echarts, type ChartOption } from '$lib/components/charts/echarts';
import { axisTooltip, categoryAxis, valueSplitLine } from '$lib/components/charts/themed';
import type { ChartPalette } from '$lib/state/theme.svelte';
import { escapeHtml } from '$lib/components/dashboards/trend-options';

// The chart kinds these options draw (charts/echarts.ts registers only what every chart shares).
echarts.use([LineChart, MarkLineComponent]);

/**
 * The lift over time of an audience: one point per day since creation, the lift (treatment − holdout, percentage
 * points) with its 95% interval as a band, and a zero line (no effect). A band that leaves zero is a lift.
 */

export interface LiftPoint {
	day: number;
	lift: number | null;
	lift95: [number, number] | null;
	treatmentRate: number | null;
	holdoutRate: number | null;
}

export interface LiftText {
	lift: string;
	interval: string;
	treatment: string;
	holdout: string;
	day: (day: number) => string;
}

const pp = (v: number | null, locale: string) =>
	v === null ? '—' : `${v.toLocaleString(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 })}`;

const percent = (v: number | null, locale: string) => (v === null ? '—' : `${pp(v, locale)}%`);

export function liftTooltip(
	points: readonly LiftPoint[],
	text: LiftText,
	locale: string,
	index: number
): string {
	const p = points[index];
	if (!p) return '';
	const interval = p.lift95 ? `${pp(p.lift95[0], locale)} … ${pp(p.lift95[1], locale)}` : '—';
	return (
		`${escapeHtml(text.day(p.day))}<br>${escapeHtml(text.lift)}: <b>${pp(p.lift, locale)}</b> pp` +
		`<br>${escapeHtml(text.interval)}: ${interval}` +
		`<br>${escapeHtml(text.treatment)}: ${percent(p.treatmentRate, locale)}` +
		`<br>${escapeHtml(text.holdout)}: ${percent(p.holdoutRate, locale)}`
	);
}

export function liftChartOptions(input: {
	points: readonly LiftPoint[];
	palette: ChartPalette;
	locale: string;
	text: LiftText;
}): ChartOption {
	const { points, palette, text, locale } = input;
	const lower = points.map((p) => p.lift95?.[0] ?? null);
	// The band is stacked: the lower bound (invisible), then the width on top of it.
	const width = points.map((p) => (p.lift95 ? p.lift95[1] - p.lift95[0] : null));
	return {
		animation: false,
		grid: { left: 52, right: 20, top: 28, bottom: 36 },
		tooltip: axisTooltip(palette, (index) => liftTooltip(points, text, locale, index)),
		xAxis: categoryAxis(
			palette,
			points.map((p) => text.day(p.day))
		),
		yAxis: {
			type: 'value',
			splitLine: valueSplitLine(palette),
			axisLabel: { color: palette.muted, formatter: (v: number) => `${v} pp` }
		},
		series: [
			{
				name: 'lower',
				type: 'line',
				data: lower,
				stack: 'band',
				symbol: 'none',
				lineStyle: { opacity: 0 },
				silent: true
			},
			{
				name: text.interval,
				type: 'line',
				data: width,
				stack: 'band',
				symbol: 'none',
				lineStyle: { opacity: 0 },
				areaStyle: { color: palette.brand, opacity: 0.15 },
				silent: true
			},
			{
				name: text.lift,
				type: 'line',
				data: points.map((p) => p.lift),
				lineStyle: { color: palette.brand, width: 2 },
				itemStyle: { color: palette.brand },
				markLine: {
					silent: true,
					symbol: 'none',
					lineStyle: { color: palette.muted, type: 'dashed' },
					label: { show: false },
					data: [{ yAxis: 0 }]
				}
			}
		]
	};
}
