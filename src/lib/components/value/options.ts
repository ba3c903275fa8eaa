import { BarChart, LineChart } from 'echarts/charts';
import { LegendComponent } from 'echarts/components';
import { echarts, type ChartOption } from '$lib/components/charts/echarts';
import type { ChartPalette } from '$lib/state/theme.svelte';

// The chart kinds these options draw (charts/echarts.ts registers only what every chart shares).
echarts.use([BarChart, LineChart, LegendComponent]);

/**
 * The ledger's charts. A waterfall from cost to net value: each step a floating bar from the running level before
 * it to the level after it, the last (net) from zero. ECharts stacks only same-signed values, so every level is
 * shifted by the lowest one (the axis labels shift back): a transparent base plus a coloured bar of the step's size.
 */

export interface WaterfallStep {
	key: string;
	value: number;
	start: number;
	end: number;
}

export const STEP_SERIES = 1;

export function waterfallOption(input: {
	steps: WaterfallStep[];
	labels: string[];
	palette: ChartPalette;
	format: (yuan: number) => string;
}): ChartOption {
	const { steps, labels, palette, format } = input;
	const low = Math.min(0, ...steps.flatMap((s) => [s.start, s.end]));
	const color = (s: WaterfallStep) =>
		s.key === 'net' ? palette.brand : s.value < 0 ? palette.bad : palette.good;
	return {
		animation: false,
		grid: { left: 90, right: 16, top: 16, bottom: 40 },
		tooltip: {
			trigger: 'axis',
			axisPointer: { type: 'shadow' },
			formatter: (params: unknown) => {
				const i = (params as { dataIndex: number }[])[0]?.dataIndex ?? 0;
				return `${labels[i]}: ${format(steps[i].value)}`;
			}
		},
		xAxis: {
			type: 'category',
			data: labels,
			axisLabel: { color: palette.muted, interval: 0 },
			axisLine: { lineStyle: { color: palette.border } }
		},
		yAxis: {
			type: 'value',
			axisLabel: { color: palette.muted, formatter: (v: number) => format(v + low) },
			splitLine: { lineStyle: { color: palette.border } }
		},
		series: [
			{
				type: 'bar',
				stack: 'w',
				silent: true,
				itemStyle: { color: 'transparent' },
				data: steps.map((s) => Math.min(s.start, s.end) - low)
			},
			{
				type: 'bar',
				stack: 'w',
				name: 'step',
				cursor: 'pointer',
				data: steps.map((s) => ({ value: Math.abs(s.end - s.start), itemStyle: { color: color(s) } })),
				label: {
					show: true,
					position: 'top',
					color: palette.text,
					formatter: (p: unknown) => format(steps[(p as { dataIndex: number }).dataIndex].value)
				}
			}
		]
	} as ChartOption;
}

export function trendOption(input: {
	months: string[];
	series: { name: string; values: number[]; kind: 'bar' | 'line'; color: string }[];
	palette: ChartPalette;
	format: (yuan: number) => string;
}): ChartOption {
	const { palette } = input;
	return {
		animation: false,
		grid: { left: 90, right: 16, top: 36, bottom: 30 },
		legend: { top: 0, textStyle: { color: palette.text } },
		tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => input.format(Number(v)) },
		xAxis: {
			type: 'category',
			data: input.months,
			axisLabel: { color: palette.muted },
			axisLine: { lineStyle: { color: palette.border } }
		},
		yAxis: {
			type: 'value',
			axisLabel: { color: palette.muted, formatter: (v: number) => input.format(v) },
			splitLine: { lineStyle: { color: palette.border } }
		},
		series: input.series.map((s) => ({
			type: s.kind,
			name: s.name,
			data: s.values,
			itemStyle: { color: s.color },
			lineStyle: s.kind === 'line' ? { color: s.color, width: 2 } : undefined,
			cursor: 'pointer'
		}))
	} as ChartOption;
}
