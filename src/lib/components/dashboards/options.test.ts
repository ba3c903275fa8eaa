import { describe, expect, it } from 'vitest';
import { askedSeriesTypes, drawnSeriesTypes } from '$lib/components/charts/testing';
import { LIGHT_PALETTE } from '$lib/state/theme.svelte';
import { controlChartOptions, controlTooltip, RATE_SERIES } from './control-chart-options';
import { pChart } from '$lib/server/dashboards/control-chart';
import { toTile } from './kpi-tiles';
import { escapeHtml, PROVISIONAL_SERIES, trendOptions, trendTooltip, VALUE_SERIES } from './trend-options';
import type { WallboardKpi } from './types';

const text = { target: 'Target', n: (n: number) => `n = ${n}`, insufficient: 'Insufficient data' };

interface Series {
	name: string;
	data: unknown[];
	markLine?: { data: { yAxis: number }[] };
	areaStyle?: unknown;
}

describe('trend chart options', () => {
	const input = {
		name: 'CSAT <team>',
		unit: 'percent' as const,
		locale: 'en',
		palette: LIGHT_PALETTE,
		categories: ['Mar 1', 'Mar 2', 'Mar 3'],
		points: [
			{ value: 82, n: 120, ci95: [75, 88] as [number, number] },
			{ value: null, n: 12, ci95: null },
			{ value: 90, n: 200, ci95: [85.5, 93.6] as [number, number] }
		],
		target: 85,
		text
	};

	it('draws the interval as a band under the value line, gaps under min n, and the target', () => {
		const o = trendOptions(input) as { series: Series[]; xAxis: { data: string[] }; yAxis: { max?: number } };
		expect(drawnSeriesTypes(o)).toEqual(askedSeriesTypes(o));
		expect(o.xAxis.data).toEqual(input.categories);
		expect(o.series[0].data).toEqual([75, null, 85.5]);
		expect(o.series[1].data).toEqual([13, null, 93.6 - 85.5]);
		expect(o.series[1].areaStyle).toBeDefined();
		expect(o.series[VALUE_SERIES].data).toEqual([82, null, 90]);
		expect(o.series[VALUE_SERIES].name).toBe('CSAT <team>');
		expect(o.series[VALUE_SERIES].markLine?.data).toEqual([{ yAxis: 85 }]);
		expect(o.yAxis.max).toBe(100);
		expect(
			(trendOptions({ ...input, target: null }) as { series: Series[] }).series[2].markLine
		).toBeUndefined();
	});

	it('never draws a provisional bucket as the last point of the line: a dashed series continues it', () => {
		const points = [
			{ value: 80, n: 120, ci95: [75, 85] as [number, number] },
			{ value: 84, n: 100, ci95: [77, 90] as [number, number], pending: 0 },
			{ value: 95, n: 40, ci95: [83, 99] as [number, number], pending: 60 }
		];
		const provisionalText = { ...text, provisional: (p: number) => `Provisional · ${p} pending` };
		const o = trendOptions({ ...input, points, text: provisionalText }) as {
			series: (Series & { lineStyle: { type?: string } })[];
		};
		expect(o.series[VALUE_SERIES].data).toEqual([80, 84, null]);
		expect(o.series[PROVISIONAL_SERIES].data).toEqual([null, 84, 95]);
		expect(o.series[PROVISIONAL_SERIES].lineStyle.type).toBe('dashed');
		expect(trendTooltip({ ...input, points, text: provisionalText }, 2)).toContain(
			'Provisional · 60 pending'
		);
		// Without provisional buckets there is no such series.
		expect((trendOptions(input) as { series: Series[] }).series).toHaveLength(3);
	});

	it('explains each bucket with n and interval, escaping names', () => {
		expect(trendTooltip(input, 0)).toBe(
			'Mar 1<br>CSAT &#60;team&#62;: <b>82.0%</b> · 95% 75.0–88.0%<br>n = 120'
		);
		expect(trendTooltip(input, 1)).toBe('Mar 2<br>CSAT &#60;team&#62;: Insufficient data (n = 12)');
		expect(escapeHtml(`<a href="x">'`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;');
	});
});

describe('control chart options', () => {
	const input = {
		name: 'CSAT',
		locale: 'en',
		palette: LIGHT_PALETTE,
		categories: ['W1', 'W2', 'W3'],
		center: 80,
		points: [
			{ n: 100, value: 81, lcl: 68, ucl: 92, signal: null },
			{ n: 100, value: 95, lcl: 68, ucl: 92, signal: 'above' as const },
			{ n: 10, value: null, lcl: null, ucl: null, signal: null }
		],
		text: {
			center: 'p₀',
			limits: 'Control limits',
			above: 'Above the limit',
			below: 'Below',
			n: text.n,
			insufficient: text.insufficient
		}
	};

	it('draws per-point limits, the centre line, and marks signals', () => {
		const o = controlChartOptions(input) as {
			series: (Series & {
				data: ({ value: number | null; symbolSize: number; itemStyle?: { color: string } } | number | null)[];
			})[];
		};
		expect(drawnSeriesTypes(o)).toEqual(askedSeriesTypes(o));
		expect(o.series[0].data).toEqual([92, 92, null]);
		expect(o.series[1].data).toEqual([68, 68, null]);
		const rate = o.series[RATE_SERIES].data as {
			value: number | null;
			symbolSize: number;
			itemStyle?: { color: string };
		}[];
		expect(rate.map((p) => p.value)).toEqual([81, 95, null]);
		expect(rate[1].itemStyle?.color).toBe(LIGHT_PALETTE.bad);
		expect(rate[0].itemStyle).toBeUndefined();
		expect(o.series[RATE_SERIES].markLine?.data).toEqual([{ yAxis: 80 }]);
	});

	it('judges no signal on a provisional point (chains still pending)', () => {
		const chart = pChart(
			[
				{ bucket: 'a', x: 80, n: 100 },
				{ bucket: 'b', x: 80, n: 100 },
				{ bucket: 'c', x: 100, n: 100, pending: 40 }
			],
			30
		);
		expect(chart.points[2]).toMatchObject({ value: 100, signal: null, pending: 40 });
		expect(chart.signals).toBe(0);
		// The same point, matured, is a signal.
		const final = pChart(
			[
				{ bucket: 'a', x: 80, n: 100 },
				{ bucket: 'b', x: 80, n: 100 },
				{ bucket: 'c', x: 100, n: 100 }
			],
			30
		);
		expect(final.points[2].signal).toBe('above');
	});

	it('says where a point lies against its limits', () => {
		expect(controlTooltip(input, 1)).toBe(
			'W2<br>CSAT: <b>95.0%</b> (n = 100)<br>Control limits: 68.0% – 92.0%<br><b>Above the limit</b>'
		);
		expect(controlTooltip(input, 2)).toBe('W3<br>CSAT: Insufficient data (n = 10)');
	});
});

describe('KPI tiles', () => {
	const kpi: WallboardKpi = {
		value: 4.2,
		n: 5000,
		ci95: [3.1, 5.5],
		unit: 'per_10k',
		direction: 'lower',
		minN: 30,
		target: 5,
		status: 'green',
		lowConfidence: false,
		previous: { value: 6, n: 4800, ci95: [4.8, 7.4] },
		change: -1.8,
		significant: null,
		spark: [5, null, 4.2]
	};

	it('maps units, status and significance to the tile, in the viewer’s language', () => {
		const tile = toTile(
			'complaint_rate',
			kpi,
			{ label: { zh: '投诉率', en: 'Complaint rate' }, description: { zh: '每万次', en: 'Per 10k' } },
			'en'
		);
		expect(tile).toMatchObject({
			key: 'complaint_rate',
			label: 'Complaint rate',
			unit: 'per10k',
			status: 'good',
			change: -1.8,
			spark: [5, null, 4.2],
			note: undefined
		});
		const zh = toTile(
			'ces',
			{ ...kpi, unit: 'percent', mean: { value: 5.61, ci95: [5.5, 5.7] } },
			{ label: { zh: '客户费力度', en: 'CES' }, description: { zh: '', en: '' } },
			'zh-CN'
		);
		// No test ran (null): the tile claims neither a difference nor "no significant difference".
		expect(tile.significant).toBeUndefined();
		expect(
			toTile(
				'complaint_rate',
				{ ...kpi, significant: false },
				{ label: { zh: '', en: '' }, description: { zh: '', en: '' } },
				'en'
			).significant
		).toBe(false);
		expect(zh.label).toBe('客户费力度');
		expect(zh.note).toBe('平均分 5.6 (5.5–5.7)');
	});

	it('carries pending chains (provisional) and unattributed complaints to the tile', () => {
		const meta = { label: { zh: '投诉率', en: 'Complaint rate' }, description: { zh: '', en: '' } };
		expect(toTile('complaint_rate', { ...kpi, unattributed: 3 }, meta, 'en')).toMatchObject({
			unattributed: 3
		});
		expect(toTile('fcr', { ...kpi, unit: 'percent', pending: 120 }, meta, 'en')).toMatchObject({
			pending: 120
		});
	});
});
