import { BarChart } from 'echarts/charts';
import { LegendComponent } from 'echarts/components';
import { echarts, type ChartOption } from '$lib/components/charts/echarts';
import { axisTooltip, categoryAxis, valueSplitLine } from '$lib/components/charts/themed';
import { clockTime } from '$lib/components/dashboards/format';
import { escapeHtml } from '$lib/components/dashboards/trend-options';
import type { ChartPalette } from '$lib/state/theme.svelte';

// The chart kinds these options draw (charts/echarts.ts registers only what every chart shares).
echarts.use([BarChart, LegendComponent]);

/**
 * The ingestion monitor's last hour as stacked bars, one a minute: events accepted, duplicates (stored once, so
 * grey) and rejected (red, on top). Stacked because together they are what the source sent; a rejected count
 * far smaller than the accepted one still shows as a sliver (barMinHeight), which is what the chart is for.
 */

/** Minute by minute, oldest first, as `GET /api/v1/ingest/status` gives it (`lastHourByMinute`). */
export interface MinuteCounts {
	from: number;
	accepted: number[];
	duplicates: number[];
	rejected: number[];
}

export const MINUTE_KINDS = ['accepted', 'duplicates', 'rejected'] as const;
export type MinuteKind = (typeof MINUTE_KINDS)[number];

export interface MinutesOptionsInput {
	minutes: MinuteCounts;
	/** One axis label a minute, e.g. from `minuteLabels`. */
	categories: string[];
	palette: ChartPalette;
	names: Record<MinuteKind, string>;
	formatCount: (n: number) => string;
}

const MINUTE_MS = 60_000;

/** "09:41" for each minute of the series, in the reader's locale and China time, as every screen shows times. */
export function minuteLabels(minutes: MinuteCounts, locale: string): string[] {
	return minutes.accepted.map((_, i) => clockTime(minutes.from + i * MINUTE_MS, locale));
}

/** Each kind summed over the hour. */
export function minuteTotals(minutes: MinuteCounts): Record<MinuteKind, number> {
	const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
	return {
		accepted: sum(minutes.accepted),
		duplicates: sum(minutes.duplicates),
		rejected: sum(minutes.rejected)
	};
}

/** The tooltip of one minute: every kind, 0 included. */
export function minuteTooltip(input: MinutesOptionsInput, index: number): string {
	const rows = MINUTE_KINDS.map(
		(kind) => `${escapeHtml(input.names[kind])}: <b>${input.formatCount(input.minutes[kind][index] ?? 0)}</b>`
	);
	return [escapeHtml(input.categories[index] ?? ''), ...rows].join('<br>');
}

export function minutesOptions(input: MinutesOptionsInput): ChartOption {
	const { palette, minutes, names } = input;
	const colors: Record<MinuteKind, string> = {
		accepted: palette.brand,
		duplicates: palette.muted,
		rejected: palette.bad
	};
	return {
		// Redrawn on every 5 s refresh: an animation would replay each time.
		animation: false,
		grid: { left: 48, right: 16, top: 36, bottom: 28 },
		legend: { top: 0, textStyle: { color: palette.text } },
		tooltip: {
			...axisTooltip(palette, (index) => minuteTooltip(input, index)),
			axisPointer: { type: 'shadow' }
		},
		xAxis: categoryAxis(palette, input.categories),
		yAxis: {
			type: 'value',
			minInterval: 1,
			splitLine: valueSplitLine(palette),
			axisLabel: { color: palette.muted, formatter: (v: number) => input.formatCount(v) }
		},
		series: MINUTE_KINDS.map((kind) => ({
			name: names[kind],
			type: 'bar',
			stack: 'events',
			barCategoryGap: '20%',
			itemStyle: { color: colors[kind] },
			// A zero stays empty (null): barMinHeight would draw it too.
			...(kind === 'rejected'
				? { barMinHeight: 2, data: minutes.rejected.map((n) => (n > 0 ? n : null)) }
				: { data: minutes[kind] })
		}))
	};
}
