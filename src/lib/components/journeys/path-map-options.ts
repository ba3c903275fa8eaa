import { SankeyChart } from 'echarts/charts';
import { echarts, type ChartOption } from '$lib/components/charts/echarts';
import { escapeHtml, type MeasuredLike } from './format';

// The chart kinds these options draw (charts/echarts.ts registers only what every chart shares).
echarts.use([SankeyChart]);

/**
 * ECharts options of the path map (Sankey). Pure: data and labels in, options out. Node names are the
 * position-keyed ids of the API (`2:phone:call_agent`), so loops never form a cycle; any link that would not go
 * forward in position is dropped here as a last guard, since ECharts refuses cyclic Sankey data.
 */

export interface PathMapNodeData {
	id: string;
	position: number;
	kind: 'step' | 'contact' | 'complaint' | 'end' | 'other' | 'more';
	channel: string | null;
	event: string | null;
	failed: boolean;
	status: string | null;
	value: number;
}

export interface PathMapLinkData {
	source: string;
	target: string;
	value: number;
	share: number;
	nps: MeasuredLike;
	csat: MeasuredLike;
}

export interface PathMapData {
	total: number;
	minN: number;
	nodes: PathMapNodeData[];
	links: PathMapLinkData[];
}

export type PathMetric = 'nps' | 'csat';

export interface PathMapLabels {
	event: (name: string) => string;
	channel: (channel: string) => string;
	status: (status: string) => string;
	contact: string;
	complaint: string;
	other: string;
	more: string;
	failed: string;
	journeys: string;
	metric: Record<PathMetric, string>;
	insufficient: string;
}

export const NEUTRAL_LINK = '#9aa8b6';
const RED: [number, number, number] = [0xb4, 0x23, 0x18];
const AMBER: [number, number, number] = [0xd9, 0x9a, 0x1e];
const GREEN: [number, number, number] = [0x1d, 0x7a, 0x4d];

function mix(a: [number, number, number], b: [number, number, number], t: number): string {
	const c = a.map((v, i) => Math.round(v + (b[i] - v) * t));
	return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Link colour for a score: red → amber → green over NPS −40…0…+40 or CSAT top-2-box 60…80…95%; grey when
 * the score is not available (under the minimum n).
 */
export function scoreColor(metric: PathMetric, value: number | null): string {
	if (value === null) return NEUTRAL_LINK;
	const [lo, mid, hi] = metric === 'nps' ? [-40, 0, 40] : [60, 80, 95];
	if (value <= mid) return mix(RED, AMBER, Math.max(0, Math.min(1, (value - lo) / (mid - lo))));
	return mix(AMBER, GREEN, Math.max(0, Math.min(1, (value - mid) / (hi - mid))));
}

const KIND_COLOR: Record<PathMapNodeData['kind'], string> = {
	step: '#0f5c8c',
	contact: '#a86400',
	complaint: '#b42318',
	end: '#5a6878',
	other: '#9aa8b6',
	more: '#9aa8b6'
};
const END_COLOR: Record<string, string> = {
	completed: '#1d7a4d',
	failed: '#b42318',
	abandoned: '#a86400',
	in_progress: '#5a6878'
};

/** The text of a node: the step in its channel, a contact, an end, `other`. */
export function nodeLabel(n: PathMapNodeData, labels: PathMapLabels): string {
	const channel = n.channel && n.channel !== 'back_office' ? labels.channel(n.channel) : null;
	switch (n.kind) {
		case 'step': {
			const name = labels.event(n.event ?? '') + (n.failed ? ` ${labels.failed}` : '');
			return channel ? `${name} · ${channel}` : name;
		}
		case 'contact':
			return channel ? `${labels.contact} · ${channel}` : labels.contact;
		case 'complaint':
			return channel ? `${labels.complaint} · ${channel}` : labels.complaint;
		case 'end':
			return labels.status(n.status ?? '');
		case 'other':
			return labels.other;
		case 'more':
			return labels.more;
	}
}

function percent(v: number) {
	return `${v.toFixed(1)}%`;
}

/** True when the links, read as a directed graph over the nodes, have no cycle. */
export function isAcyclic(links: readonly { source: string; target: string }[]): boolean {
	const out = new Map<string, string[]>();
	for (const l of links) out.set(l.source, [...(out.get(l.source) ?? []), l.target]);
	const state = new Map<string, 1 | 2>();
	const visit = (n: string): boolean => {
		if (state.get(n) === 2) return true;
		if (state.get(n) === 1) return false;
		state.set(n, 1);
		for (const t of out.get(n) ?? []) if (!visit(t)) return false;
		state.set(n, 2);
		return true;
	};
	return [...out.keys()].every(visit);
}

export function pathMapOptions(
	data: PathMapData,
	options: { metric: PathMetric; labels: PathMapLabels; formatCount?: (n: number) => string }
): ChartOption {
	const { metric, labels } = options;
	const count = options.formatCount ?? ((n: number) => String(n));
	const byId = new Map(data.nodes.map((n) => [n.id, n]));
	const names = new Map(data.nodes.map((n) => [n.id, nodeLabel(n, labels)]));
	const links = data.links.filter((l) => {
		const s = byId.get(l.source);
		const t = byId.get(l.target);
		return s !== undefined && t !== undefined && t.position > s.position;
	});
	const scoreText = (m: MeasuredLike) =>
		m.value === null
			? `${labels.metric[metric]}: ${labels.insufficient} (n = ${count(m.n)})`
			: `${labels.metric[metric]}: ${metric === 'nps' ? Math.round(m.value) : percent(m.value)} (n = ${count(m.n)})`;
	return {
		tooltip: {
			trigger: 'item',
			confine: true,
			formatter: (p: { dataType?: string; name?: string; data?: unknown }) => {
				if (p.dataType === 'edge') {
					const l = p.data as {
						source: string;
						target: string;
						value: number;
						share: number;
						nps: MeasuredLike;
						csat: MeasuredLike;
					};
					return [
						`${escapeHtml(names.get(l.source) ?? l.source)} → ${escapeHtml(names.get(l.target) ?? l.target)}`,
						`${labels.journeys}: ${count(l.value)} (${percent(l.share)})`,
						scoreText(metric === 'nps' ? l.nps : l.csat)
					].join('<br/>');
				}
				const n = byId.get(p.name ?? '');
				if (!n) return '';
				const share = data.total ? (n.value / data.total) * 100 : 0;
				return `${escapeHtml(names.get(n.id) ?? n.id)}<br/>${labels.journeys}: ${count(n.value)} (${percent(share)})`;
			}
		},
		series: [
			{
				type: 'sankey',
				left: 8,
				right: 140,
				top: 12,
				bottom: 12,
				nodeAlign: 'left',
				nodeGap: 10,
				nodeWidth: 14,
				layoutIterations: 48,
				draggable: false,
				emphasis: { focus: 'adjacency' },
				label: {
					fontSize: 11,
					overflow: 'truncate',
					width: 130,
					formatter: (p: { name?: string }) => names.get(p.name ?? '') ?? p.name ?? ''
				},
				data: data.nodes.map((n) => ({
					name: n.id,
					value: n.value,
					depth: n.position,
					itemStyle: {
						color: n.kind === 'end' ? (END_COLOR[n.status ?? ''] ?? KIND_COLOR.end) : KIND_COLOR[n.kind]
					}
				})),
				links: links.map((l) => {
					const score = metric === 'nps' ? l.nps : l.csat;
					return {
						source: l.source,
						target: l.target,
						value: l.value,
						share: l.share,
						nps: l.nps,
						csat: l.csat,
						lineStyle: { color: scoreColor(metric, score.value), opacity: score.value === null ? 0.3 : 0.55 }
					};
				})
			}
		]
	};
}
