import { describe, expect, it } from 'vitest';
import { askedSeriesTypes, drawnSeriesTypes } from '$lib/components/charts/testing';
import { LIGHT_PALETTE } from '$lib/state/theme.svelte';
import {
	minuteLabels,
	minutesOptions,
	minuteTooltip,
	minuteTotals,
	type MinuteCounts
} from './minutes-options';

const FROM = Date.UTC(2026, 0, 5, 9, 0, 0);
const hour = (at: Record<number, number>) => Array.from({ length: 60 }, (_, i) => at[i] ?? 0);

const minutes: MinuteCounts = {
	from: FROM,
	accepted: hour({ 57: 1200, 59: 3 }),
	duplicates: hour({ 57: 4 }),
	rejected: hour({ 57: 1 })
};
const input = {
	minutes,
	categories: minuteLabels(minutes, 'en-GB'),
	palette: LIGHT_PALETTE,
	names: { accepted: 'Accepted', duplicates: 'Duplicates', rejected: 'Rejected <x>' },
	formatCount: (n: number) => n.toLocaleString('en-US')
};

interface Series {
	name: string;
	stack: string;
	data: (number | null)[];
	barMinHeight?: number;
	itemStyle: { color: string };
}

describe('ingestion minutes chart', () => {
	it('stacks accepted, duplicates and rejected a minute, every minute of the hour on the axis', () => {
		const o = minutesOptions(input) as { series: Series[]; xAxis: { data: string[] }; animation: boolean };
		expect(drawnSeriesTypes(o)).toEqual(askedSeriesTypes(o));
		expect(o.xAxis.data).toHaveLength(60);
		expect(o.series.map((s) => s.name)).toEqual(['Accepted', 'Duplicates', 'Rejected <x>']);
		expect(new Set(o.series.map((s) => s.stack)).size).toBe(1);
		expect(o.series[0].data).toEqual(minutes.accepted);
		expect(o.series[0].data[0]).toBe(0);
		expect(o.series[1].data[57]).toBe(4);
		// A single rejection next to 1,200 accepted stays visible; minutes without one draw nothing.
		expect(o.series[2]).toMatchObject({ barMinHeight: 2, itemStyle: { color: LIGHT_PALETTE.bad } });
		expect(o.series[2].data[57]).toBe(1);
		expect(o.series[2].data[58]).toBeNull();
		// Refreshed every 5 s without replaying an animation.
		expect(o.animation).toBe(false);
	});

	it('labels the minutes in the reader\u2019s locale and explains a minute with every count, 0 included', () => {
		const labels = minuteLabels(minutes, 'en-GB');
		expect(labels).toHaveLength(60);
		expect(new Set(labels).size).toBe(60);
		// China time, 24 hours, whatever the reader's zone.
		expect(labels[1]).toBe(
			new Intl.DateTimeFormat('en-GB', {
				hour: '2-digit',
				minute: '2-digit',
				hourCycle: 'h23',
				timeZone: 'Asia/Shanghai'
			}).format(FROM + 60_000)
		);
		expect(minuteLabels({ ...minutes, from: Date.UTC(2026, 10, 29, 1, 5) }, 'en-US')[0]).toBe('09:05');
		expect(minuteTooltip(input, 57)).toBe(
			`${labels[57]}<br>Accepted: <b>1,200</b><br>Duplicates: <b>4</b><br>Rejected &#60;x&#62;: <b>1</b>`
		);
		expect(minuteTooltip(input, 0)).toContain('Rejected &#60;x&#62;: <b>0</b>');
	});

	it('sums the hour', () => {
		expect(minuteTotals(minutes)).toEqual({ accepted: 1203, duplicates: 4, rejected: 1 });
	});
});
