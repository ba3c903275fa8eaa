import { ScatterChart } from 'echarts/charts';
import { LegendComponent, TitleComponent } from 'echarts/components';
import { echarts, type ChartOption } from '$lib/components/charts/echarts';
import { escapeHtml } from './format';

// The chart kinds these options draw (charts/echarts.ts registers only what every chart shares).
echarts.use([ScatterChart, LegendComponent, TitleComponent]);

/**
 * ECharts options of a customer timeline: time across, one lane per journey (and one for what is in no journey),
 * one mark per event shaped by its type. An event in two journeys appears in both lanes. Pure.
 */
export interface TimelineEventData {
	seq: number;
	type: string;
	ts: number;
	channel: string | null;
	lanes: number[];
}

export interface TimelineLaneData {
	instanceId: number;
	title: string;
}

export interface TimelineLabels {
	noJourney: string;
	type: (type: string) => string;
	channel: (channel: string | null) => string;
	describe: (e: TimelineEventData) => string;
	time: (ts: number) => string;
}

const SYMBOL: Record<string, string> = {
	journey: 'circle',
	contact: 'rect',
	feedback: 'triangle',
	complaint: 'diamond',
	identify: 'pin'
};
const COLOR: Record<string, string> = {
	journey: '#0f5c8c',
	contact: '#a86400',
	feedback: '#1d7a4d',
	complaint: '#b42318',
	identify: '#5a6878'
};
export const TIMELINE_TYPES = ['journey', 'contact', 'feedback', 'complaint', 'identify'] as const;

export function timelineOptions(
	events: readonly TimelineEventData[],
	lanes: readonly TimelineLaneData[],
	labels: TimelineLabels
): ChartOption {
	const categories = [...lanes.map((l) => l.title), labels.noJourney];
	const laneIndex = new Map(lanes.map((l, i) => [l.instanceId, i]));
	const other = categories.length - 1;
	const byType = new Map<string, [number, number, number][]>();
	for (const e of events) {
		const rows = e.lanes.length ? e.lanes.map((id) => laneIndex.get(id) ?? other) : [other];
		const list = byType.get(e.type) ?? [];
		for (const row of rows) list.push([e.ts, row, e.seq]);
		byType.set(e.type, list);
	}
	const bySeq = new Map(events.map((e) => [e.seq, e]));
	return {
		grid: { left: 8, right: 24, top: 28, bottom: 28, containLabel: true },
		legend: { top: 0, data: TIMELINE_TYPES.filter((t) => byType.has(t)).map((t) => labels.type(t)) },
		tooltip: {
			trigger: 'item',
			confine: true,
			formatter: (p: { value?: unknown }) => {
				const v = p.value as [number, number, number] | undefined;
				const e = v ? bySeq.get(v[2]) : undefined;
				if (!e) return '';
				return `${escapeHtml(labels.time(e.ts))}<br/>${escapeHtml(labels.describe(e))}`;
			}
		},
		xAxis: { type: 'time' },
		yAxis: {
			type: 'category',
			data: categories,
			inverse: true,
			axisLabel: { width: 200, overflow: 'truncate' },
			splitLine: { show: true }
		},
		series: TIMELINE_TYPES.filter((t) => byType.has(t)).map((t) => ({
			type: 'scatter',
			name: labels.type(t),
			symbol: SYMBOL[t],
			symbolSize: 11,
			itemStyle: { color: COLOR[t] },
			data: byType.get(t) ?? []
		}))
	};
}
