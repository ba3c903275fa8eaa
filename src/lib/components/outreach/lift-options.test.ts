import { describe, expect, it } from 'vitest';
import { askedSeriesTypes, drawnSeriesTypes } from '$lib/components/charts/testing';
import { LIGHT_PALETTE } from '$lib/state/theme.svelte';
import { liftChartOptions, liftTooltip, type LiftPoint } from './lift-options';

const text = {
	lift: 'Lift',
	interval: '95% CI',
	treatment: 'Treatment',
	holdout: 'Holdout',
	day: (d: number) => `Day ${d}`
};
const points: LiftPoint[] = [
	{ day: 1, lift: null, lift95: null, treatmentRate: 10, holdoutRate: null },
	{ day: 2, lift: 20, lift95: [5.24, 33.39], treatmentRate: 80, holdoutRate: 60 }
];

describe('lift chart options', () => {
	it('draws the lift, its interval as a stacked band and the zero line', () => {
		const option = liftChartOptions({ points, palette: LIGHT_PALETTE, locale: 'en', text }) as {
			xAxis: { data: string[] };
			series: { data: (number | null)[]; markLine?: { data: { yAxis: number }[] } }[];
		};
		expect(drawnSeriesTypes(option)).toEqual(askedSeriesTypes(option));
		expect(option.xAxis.data).toEqual(['Day 1', 'Day 2']);
		expect(option.series[0].data).toEqual([null, 5.24]);
		expect(option.series[1].data[1]).toBeCloseTo(28.15, 10);
		expect(option.series[2].data).toEqual([null, 20]);
		expect(option.series[2].markLine?.data).toEqual([{ yAxis: 0 }]);
	});

	it('describes a day in the tooltip, escaping text', () => {
		expect(liftTooltip(points, { ...text, lift: '<Lift>' }, 'en', 1)).toBe(
			'Day 2<br>&#60;Lift&#62;: <b>20.0</b> pp<br>95% CI: 5.2 … 33.4<br>Treatment: 80.0%<br>Holdout: 60.0%'
		);
		expect(liftTooltip(points, text, 'en', 0)).toContain('Holdout: —');
	});
});
