/**
 * Pure helpers of the voice screen: chart options (ECharts), highlight segments and links. Kept out of the
 * components so they can be tested (STYLE.md rule 6).
 */
import { LineChart, TreemapChart } from 'echarts/charts';
import { LegendComponent } from 'echarts/components';
import { echarts, type ChartOption } from '$lib/components/charts/echarts';

// The chart kinds these options draw (charts/echarts.ts registers only what every chart shares).
echarts.use([LineChart, TreemapChart, LegendComponent]);

export type HighlightKind = 'tag' | 'positive' | 'negative' | 'keyword';

export interface TopicDatum {
	id: string;
	label: string;
	count: number;
	sentiment: number | null;
	emerging: boolean;
}

const NEGATIVE = [180, 35, 24];
const NEUTRAL = [154, 168, 182];
const POSITIVE = [29, 122, 77];

/** Red (negative) → grey (neutral) → green (positive); ±0.5 already reaches the full colour. */
export function sentimentColor(sentiment: number | null): string {
	if (sentiment === null) return `rgb(${NEUTRAL.join(', ')})`;
	const t = Math.max(-1, Math.min(1, sentiment * 2));
	const to = t < 0 ? NEGATIVE : POSITIVE;
	const mix = NEUTRAL.map((c, i) => Math.round(c + (to[i] - c) * Math.abs(t)));
	return `rgb(${mix.join(', ')})`;
}

/** Topic overview: a treemap, area = texts, colour = mean sentiment; emerging topics are marked ▲. */
export function topicTreemapOption(
	topics: readonly TopicDatum[],
	labels: { texts: string; sentiment: string; emerging: string }
): ChartOption {
	return {
		tooltip: {
			formatter: (p: { data?: { topic?: TopicDatum } }) => {
				const t = p.data?.topic;
				if (!t) return '';
				const s = t.sentiment === null ? '—' : t.sentiment.toFixed(2);
				return `${escapeHtml(t.label)}${t.emerging ? ` ▲ ${escapeHtml(labels.emerging)}` : ''}<br/>${escapeHtml(labels.texts)}: ${t.count}<br/>${escapeHtml(labels.sentiment)}: ${s}`;
			}
		},
		series: [
			{
				type: 'treemap',
				roam: false,
				nodeClick: false,
				breadcrumb: { show: false },
				width: '100%',
				height: '100%',
				top: 0,
				left: 0,
				label: { show: true, formatter: '{b}', fontSize: 13, overflow: 'break' },
				upperLabel: { show: false },
				itemStyle: { borderColor: 'rgba(255,255,255,0.85)', borderWidth: 2, gapWidth: 2 },
				data: topics.map((t) => ({
					id: t.id,
					name: t.emerging ? `▲ ${t.label}` : t.label,
					value: t.count,
					topic: t,
					itemStyle: { color: sentimentColor(t.sentiment) }
				}))
			}
		]
	};
}

/** Keyword trends: texts a day holding each keyword. */
export function keywordTrendOption(
	days: readonly string[],
	keywords: readonly { term: string; series: readonly number[] }[]
): ChartOption {
	return {
		tooltip: { trigger: 'axis' },
		legend: { type: 'scroll', top: 0 },
		grid: { left: 40, right: 16, top: 36, bottom: 28 },
		xAxis: { type: 'category', data: days.map((d) => d.slice(5)), boundaryGap: false },
		yAxis: { type: 'value', minInterval: 1 },
		series: keywords.map((k) => ({
			type: 'line',
			name: k.term,
			data: [...k.series],
			smooth: true,
			showSymbol: days.length <= 14,
			emphasis: { focus: 'series' }
		}))
	};
}

export interface Segment {
	text: string;
	kind: HighlightKind | null;
}

/** Cuts a text into plain and highlighted pieces (ranges sorted and non-overlapping, as the server sends them). */
export function highlightSegments(
	text: string,
	highlights: readonly { start: number; end: number; kind: HighlightKind }[]
): Segment[] {
	const segments: Segment[] = [];
	let at = 0;
	for (const h of [...highlights].sort((a, b) => a.start - b.start)) {
		const start = Math.max(at, Math.min(h.start, text.length));
		const end = Math.min(h.end, text.length);
		if (end <= start) continue;
		if (start > at) segments.push({ text: text.slice(at, start), kind: null });
		segments.push({ text: text.slice(start, end), kind: h.kind });
		at = end;
	}
	if (at < text.length) segments.push({ text: text.slice(at), kind: null });
	return segments;
}

/**
 * The current URL's query with some parameters changed (null removes one). Changing a filter drops the page
 * cursor, so the list starts again from the newest comment.
 */
export function withParams(search: string | URLSearchParams, changes: Record<string, string | null>): string {
	const params = new URLSearchParams(search);
	if (!('cursor' in changes)) params.delete('cursor');
	for (const [key, value] of Object.entries(changes)) {
		if (value === null || value === '') params.delete(key);
		else params.set(key, value);
	}
	const query = params.toString();
	return query ? `?${query}` : '?';
}

export type SentimentClass = 'negative' | 'neutral' | 'positive';

/** smin/smax of a sentiment class filter, given the KPI's neutral band (±band is neutral). */
export function sentimentRanges(
	band: number
): Record<SentimentClass, { smin: string | null; smax: string | null }> {
	return {
		negative: { smin: null, smax: String(-band) },
		neutral: { smin: String(-band), smax: String(band) },
		positive: { smin: String(band), smax: null }
	};
}

/** Which sentiment class a smin/smax pair is (for the filter's select), or '' for none or a custom range. */
export function sentimentClassOf(
	smin: number | null,
	smax: number | null,
	band: number
): SentimentClass | '' {
	const ranges = sentimentRanges(band);
	for (const name of ['negative', 'neutral', 'positive'] as const) {
		const r = ranges[name];
		const minOk = r.smin === null ? smin === null : smin === Number(r.smin);
		const maxOk = r.smax === null ? smax === null : smax === Number(r.smax);
		if (minOk && maxOk) return name;
	}
	return '';
}

function escapeHtml(s: string): string {
	return s.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c
	);
}
