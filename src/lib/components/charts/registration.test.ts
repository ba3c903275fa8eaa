import { describe, expect, it } from 'vitest';
import { funnelOptions } from '$lib/components/journeys/funnel-options';
import { timelineOptions } from '$lib/components/journeys/timeline-options';
import { trendOption, waterfallOption } from '$lib/components/value/options';
import { LIGHT_PALETTE } from '$lib/state/theme.svelte';
import { askedSeriesTypes, drawnSeriesTypes } from './testing';

// charts/echarts.ts registers only the core, the canvas, the grid and the tooltip; each option builder registers the
// kinds it draws. These builders have no tests of their own: here their charts are drawn to prove the registration.
describe('chart kinds registered by their option builders', () => {
	it('draws the funnel as bars', () => {
		const option = funnelOptions(
			[
				{ step: 'a', customers: 100, conversionFromStart: 100, lost: 0, inProgress: 0 },
				{
					step: 'b',
					customers: 60,
					conversionFromStart: 60,
					conversionFromStartCi95: [50, 69],
					lost: 30,
					inProgress: 10
				}
			],
			{
				labels: {
					step: (s) => s,
					customers: 'Customers',
					lost: 'Lost',
					inProgress: 'In progress',
					conversion: 'Conversion',
					insufficient: 'n too small',
					ci95: (lo, hi) => `${lo}–${hi}`
				}
			}
		);
		expect(askedSeriesTypes(option)).toContain('bar');
		expect(drawnSeriesTypes(option)).toEqual(askedSeriesTypes(option));
	});

	it('draws the customer timeline as marks in lanes', () => {
		const option = timelineOptions(
			[
				{ seq: 1, type: 'contact', ts: 1_700_000_000_000, channel: 'phone', lanes: [7] },
				{ seq: 2, type: 'feedback', ts: 1_700_000_600_000, channel: 'app', lanes: [] }
			],
			[{ instanceId: 7, title: 'Card activation' }],
			{
				noJourney: 'No journey',
				type: (t) => t,
				channel: (c) => c ?? '',
				describe: (e) => e.type,
				time: (ts) => new Date(ts).toISOString()
			}
		);
		expect(askedSeriesTypes(option)).toContain('scatter');
		expect(drawnSeriesTypes(option)).toEqual(askedSeriesTypes(option));
	});
});

describe('the value ledger’s charts', () => {
	it('draws the waterfall as bars and the monthly trend as bars and a line', () => {
		const format = (yuan: number) => `¥${yuan}`;
		const waterfall = waterfallOption({
			steps: [
				{ key: 'cost', value: -100, start: 0, end: -100 },
				{ key: 'savings', value: 40, start: -100, end: -60 },
				{ key: 'net', value: -60, start: 0, end: -60 }
			],
			labels: ['Cost', 'Savings', 'Net'],
			palette: LIGHT_PALETTE,
			format
		});
		expect(askedSeriesTypes(waterfall)).toEqual(['bar', 'bar']);
		expect(drawnSeriesTypes(waterfall)).toEqual(askedSeriesTypes(waterfall));
		const trend = trendOption({
			months: ['2026-10', '2026-11'],
			series: [
				{ name: 'Cost', values: [100, 120], kind: 'bar', color: '#b42318' },
				{ name: 'Net', values: [-60, -50], kind: 'line', color: '#0f5c8c' }
			],
			palette: LIGHT_PALETTE,
			format
		});
		expect(drawnSeriesTypes(trend)).toEqual(['bar', 'line']);
	});
});
