import { describe, expect, it } from 'vitest';
import { askedSeriesTypes, drawnSeriesTypes } from '$lib/components/charts/testing';
import {
	highlightSegments,
	keywordTrendOption,
	sentimentClassOf,
	sentimentColor,
	sentimentRanges,
	topicTreemapOption,
	withParams
} from './voice-options';

describe('voice chart options', () => {
	it('colours sentiment from red through grey to green', () => {
		expect(sentimentColor(-1)).toBe('rgb(180, 35, 24)');
		expect(sentimentColor(0)).toBe('rgb(154, 168, 182)');
		expect(sentimentColor(0.5)).toBe('rgb(29, 122, 77)');
		expect(sentimentColor(null)).toBe('rgb(154, 168, 182)');
	});

	it('builds a treemap of topics with their counts and a tooltip that escapes labels', () => {
		const option = topicTreemapOption(
			[
				{ id: 't1', label: '盗刷 · 冻结', count: 120, sentiment: -0.4, emerging: false },
				{ id: 't2', label: '<b>x</b>', count: 30, sentiment: 0.2, emerging: true }
			],
			{ texts: 'Texts', sentiment: 'Sentiment', emerging: 'emerging' }
		) as {
			series: { data: { id: string; name: string; value: number }[] }[];
			tooltip: { formatter: (p: unknown) => string };
		};
		expect(drawnSeriesTypes(option)).toEqual(askedSeriesTypes(option));
		expect(option.series[0].data.map((d) => [d.id, d.name, d.value])).toEqual([
			['t1', '盗刷 · 冻结', 120],
			['t2', '▲ <b>x</b>', 30]
		]);
		const tip = option.tooltip.formatter({ data: option.series[0].data[1] });
		expect(tip).toContain('&lt;b&gt;x&lt;/b&gt;');
		expect(tip).toContain('Texts: 30');
	});

	it('builds one line per keyword over the days', () => {
		const option = keywordTrendOption(
			['2025-06-01', '2025-06-02'],
			[
				{ term: '验证码', series: [3, 9] },
				{ term: '排队', series: [5, 4] }
			]
		) as { xAxis: { data: string[] }; series: { name: string; data: number[] }[] };
		expect(option.xAxis.data).toEqual(['06-01', '06-02']);
		expect(drawnSeriesTypes(option)).toEqual(askedSeriesTypes(option));
		expect(option.series.map((s) => [s.name, s.data])).toEqual([
			['验证码', [3, 9]],
			['排队', [5, 4]]
		]);
	});
});

describe('highlightSegments', () => {
	it('cuts a text into plain and highlighted pieces that join back to the text', () => {
		const text = '客服很耐心，但是系统太慢';
		const segments = highlightSegments(text, [
			{ start: 10, end: 12, kind: 'negative' },
			{ start: 3, end: 5, kind: 'positive' }
		]);
		expect(segments).toEqual([
			{ text: '客服很', kind: null },
			{ text: '耐心', kind: 'positive' },
			{ text: '，但是系统', kind: null },
			{ text: '太慢', kind: 'negative' }
		]);
		expect(segments.map((s) => s.text).join('')).toBe(text);
	});

	it('ignores ranges outside the text or overlapping an earlier one', () => {
		const segments = highlightSegments('abc', [
			{ start: 0, end: 2, kind: 'tag' },
			{ start: 1, end: 3, kind: 'keyword' },
			{ start: 5, end: 9, kind: 'keyword' }
		]);
		expect(segments.map((s) => s.text).join('')).toBe('abc');
		expect(segments[0]).toEqual({ text: 'ab', kind: 'tag' });
	});
});

describe('links', () => {
	it('changes parameters and drops the page cursor when a filter changes', () => {
		expect(withParams('?channel=phone&cursor=1_2', { topic: 't3' })).toBe('?channel=phone&topic=t3');
		expect(withParams('?channel=phone&topic=t3', { topic: null })).toBe('?channel=phone');
		expect(withParams('?channel=phone', { cursor: '5_6' })).toBe('?channel=phone&cursor=5_6');
		expect(withParams('', { topic: null })).toBe('?');
	});

	it('recognises the sentiment classes of the filter for a neutral band', () => {
		expect(sentimentRanges(0.25).negative).toEqual({ smin: null, smax: '-0.25' });
		expect(sentimentClassOf(null, -0.25, 0.25)).toBe('negative');
		expect(sentimentClassOf(0.25, null, 0.25)).toBe('positive');
		expect(sentimentClassOf(-0.25, 0.25, 0.25)).toBe('neutral');
		expect(sentimentClassOf(null, null, 0.25)).toBe('');
		expect(sentimentClassOf(-0.5, 0, 0.25)).toBe('');
	});
});
