import { formatKpiValue } from '$lib/kpi-format';
import { LineChart } from 'echarts/charts';
import { MarkLineComponent } from 'echarts/components';
import { echarts, type ChartOption } from '$lib/components/charts/echarts';
import { axisTooltip, categoryAxis, valueSplitLine } from '$lib/components/charts/themed';
import type { ChartPalette } from '$lib/state/theme.svelte';
import { escapeHtml } from './trend-options';

// The chart kinds these options draw (charts/echarts.ts registers only what every chart shares).
echarts.use([LineChart, MarkLineComponent]);

/**
 * A p-chart: the rate per bucket, the centre line p₀ and the per-bucket ±3σ limits (they widen where n is
 * small), points outside their limits drawn larger in the alarm colour; provisional points (chains still inside
 * their follow-up window) hollow, never judged as signals. Clicks on the rate series drill in.
 */

export interface ControlPointInput {
	n: number;
	value: number | null;
	lcl: number | null;
	ucl: number | null;
	signal: 'above' | 'below' | null;
	pending?: number;
}

export interface ControlText {
	center: string;
	limits: string;
	above: string;
	below: string;
	n: (n: number) => string;
	insufficient: string;
	/** "Provisional · 12 pending" */
	provisional?: (pending: number) => string;
}

export interface ControlOptionsInput {
	name: string;
	locale: string;
	palette: ChartPalette;
	categories: string[];
	center: number | null;
	points: ControlPointInput[];
	text: ControlText;
}

export const RATE_SERIES = 2;

export function controlTooltip(
	input: Pick<ControlOptionsInput, 'name' | 'locale' | 'categories' | 'points' | 'text'>,
	index: number
): string {
	const p = input.points[index];
	const f = (v: number) => formatKpiValue('percent', v, input.locale);
	const head = `${escapeHtml(input.categories[index] ?? '')}<br>${escapeHtml(input.name)}: `;
	if (!p) return head;
	if (p.value === null || p.lcl === null || p.ucl === null)
		return `${head}${escapeHtml(input.text.insufficient)} (${escapeHtml(input.text.n(p.n))})`;
	const signal = p.signal === 'above' ? input.text.above : p.signal === 'below' ? input.text.below : null;
	return (
		`${head}<b>${f(p.value)}</b> (${escapeHtml(input.text.n(p.n))})<br>` +
		`${escapeHtml(input.text.limits)}: ${f(p.lcl)} – ${f(p.ucl)}` +
		(signal ? `<br><b>${escapeHtml(signal)}</b>` : '') +
		(p.pending && input.text.provisional ? `<br>${escapeHtml(input.text.provisional(p.pending))}` : '')
	);
}

export function controlChartOptions(input: ControlOptionsInput): ChartOption {
	const { palette, points, locale } = input;
	return {
		animation: false,
		grid: { left: 52, right: 20, top: 28, bottom: 36 },
		tooltip: axisTooltip(palette, (index) => controlTooltip(input, index)),
		xAxis: categoryAxis(palette, input.categories),
		yAxis: {
			type: 'value',
			scale: true,
			max: 100,
			splitLine: valueSplitLine(palette),
			axisLabel: { color: palette.muted, formatter: (v: number) => formatKpiValue('percent', v, locale) }
		},
		series: [
			{
				name: `${input.text.limits} (+3σ)`,
				type: 'line',
				step: 'middle',
				data: points.map((p) => p.ucl),
				symbol: 'none',
				lineStyle: { color: palette.warn, type: 'dashed', width: 1 },
				silent: true
			},
			{
				name: `${input.text.limits} (−3σ)`,
				type: 'line',
				step: 'middle',
				data: points.map((p) => p.lcl),
				symbol: 'none',
				lineStyle: { color: palette.warn, type: 'dashed', width: 1 },
				silent: true
			},
			{
				name: input.name,
				type: 'line',
				connectNulls: false,
				cursor: 'pointer',
				lineStyle: { color: palette.brand, width: 2 },
				itemStyle: { color: palette.brand },
				data: points.map((p) =>
					p.signal
						? {
								value: p.value,
								symbolSize: 13,
								itemStyle: { color: palette.bad, borderColor: palette.surface, borderWidth: 2 }
							}
						: p.pending
							? {
									value: p.value,
									symbol: 'emptyCircle',
									symbolSize: 9,
									itemStyle: { color: palette.surface, borderColor: palette.warn, borderWidth: 2 }
								}
							: { value: p.value, symbolSize: 7 }
				),
				markLine:
					input.center === null
						? undefined
						: {
								silent: true,
								symbol: 'none',
								lineStyle: { color: palette.muted, type: 'solid' },
								label: {
									color: palette.muted,
									formatter: `${input.text.center} ${formatKpiValue('percent', input.center, locale)}`,
									position: 'insideEndTop'
								},
								data: [{ yAxis: input.center }]
							}
			}
		]
	};
}
