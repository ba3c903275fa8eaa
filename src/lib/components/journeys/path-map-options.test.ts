import { describe, expect, it } from 'vitest';
import { drawnSeriesTypes } from '$lib/components/charts/testing';
import { buildPathMap } from '$lib/server/journeys/paths';
import type { InstanceGroup } from '$lib/server/journeys/groups';
import { emptyScores, type ScoreCounts } from '$lib/server/journeys/scores';
import {
	isAcyclic,
	NEUTRAL_LINK,
	nodeLabel,
	pathMapOptions,
	scoreColor,
	type PathMapLabels
} from './path-map-options';

function group(
	path: string[],
	status: InstanceGroup['status'],
	count: number,
	scores: Partial<ScoreCounts> = {}
): InstanceGroup {
	return {
		path: `|${path.join('|')}|`,
		switches: '',
		depth: 1,
		status,
		count,
		scores: { ...emptyScores(), ...scores },
		journeyScores: emptyScores()
	};
}

const labels: PathMapLabels = {
	event: (e) => e.toUpperCase(),
	channel: (c) => c,
	status: (s) => `end:${s}`,
	contact: 'Contact',
	complaint: 'Complaint',
	other: 'Other paths',
	more: 'More steps',
	failed: '(failed)',
	journeys: 'Journeys',
	metric: { nps: 'NPS', csat: 'CSAT' },
	insufficient: 'insufficient data'
};

interface SankeySeries {
	type: string;
	data: { name: string; depth: number }[];
	links: { source: string; target: string; value: number; lineStyle: { color: string } }[];
	label: { formatter: (p: { name: string }) => string };
}

function series(option: ReturnType<typeof pathMapOptions>): SankeySeries {
	return (option.series as SankeySeries[])[0];
}

// Repeat calls: the same (channel, step) three times in a row, a loop a plain Sankey could not draw.
const loops = [
	group(
		[
			'app:fraud_alert_sms',
			'phone:call_agent',
			'phone:call_agent',
			'phone:call_agent',
			'app:dispute_resolved'
		],
		'completed',
		50,
		{
			npsN: 40,
			promoters: 4,
			detractors: 30
		}
	),
	group(['app:fraud_alert_sms', 'phone:call_agent', 'app:dispute_resolved'], 'completed', 40, {
		npsN: 35,
		promoters: 25,
		detractors: 2
	}),
	group(['app:fraud_alert_sms', 'phone:call_agent'], 'abandoned', 10),
	group(['app:fraud_alert_sms', 'phone:call_agent', 'phone:contact', 'app:dispute_resolved'], 'completed', 3),
	group(['app:fraud_alert_sms', 'wechat:call_agent'], 'abandoned', 2),
	group(['wechat:fraud_alert_sms'], 'in_progress', 1)
];

describe('path map', () => {
	it('keys nodes by position so loops become a chain, ending in explicit end nodes', () => {
		const map = buildPathMap(loops, { top: 3, minN: 30 });
		const ids = map.nodes.map((n) => n.id);
		expect(ids).toEqual(
			expect.arrayContaining([
				'0:app:fraud_alert_sms',
				'1:phone:call_agent',
				'2:phone:call_agent',
				'3:phone:call_agent',
				'4:app:dispute_resolved',
				'5:end:completed',
				'2:end:abandoned'
			])
		);
		expect(map.total).toBe(106);
		expect(map.distinctPaths).toBe(6);
		expect(map.paths.map((p) => p.value)).toEqual([50, 40, 10]);
		// The drop-off after the first call is its own node and link.
		expect(map.links).toContainEqual(
			expect.objectContaining({ source: '1:phone:call_agent', target: '2:end:abandoned', value: 10 })
		);
		expect(isAcyclic(map.links)).toBe(true);
	});

	it('routes the paths outside the top N into "other" where they leave the drawn paths', () => {
		const map = buildPathMap(loops, { top: 3, minN: 30 });
		expect(map.otherValue).toBe(6);
		// 3 customers diverge after the first call (a contact), 2 after the alert, 1 at the very start.
		expect(map.links).toContainEqual(
			expect.objectContaining({ source: '1:phone:call_agent', target: '2:other', value: 3 })
		);
		expect(map.links).toContainEqual(
			expect.objectContaining({ source: '0:app:fraud_alert_sms', target: '1:other', value: 2 })
		);
		expect(map.nodes.find((n) => n.id === '0:other')?.value).toBe(1);
		const shares = map.links
			.filter((l) => l.source === '0:app:fraud_alert_sms')
			.reduce((s, l) => s + l.share, 0);
		expect(shares).toBeCloseTo((105 / 106) * 100, 6);
	});

	it('cuts paths longer than the maximum depth into a "more" node', () => {
		const map = buildPathMap(loops, { top: 10, maxDepth: 3 });
		expect(map.nodes.map((n) => n.id)).toContain('3:~:more');
		expect(map.links).toContainEqual(
			expect.objectContaining({ source: '3:~:more', target: '4:end:completed', value: 53 })
		);
	});

	it('builds Sankey options with no cycle, labelled nodes and links coloured by the NPS of their customers', () => {
		const map = buildPathMap(loops, { top: 3, minN: 30 });
		const option = pathMapOptions(map, { metric: 'nps', labels });
		expect(drawnSeriesTypes(option)).toEqual(['sankey']);
		const s = series(option);
		expect(s.type).toBe('sankey');
		expect(isAcyclic(s.links)).toBe(true);
		for (const l of s.links) {
			const from = s.data.find((d) => d.name === l.source)!;
			const to = s.data.find((d) => d.name === l.target)!;
			expect(to.depth).toBeGreaterThan(from.depth);
		}
		expect(s.label.formatter({ name: '2:phone:call_agent' })).toBe('CALL_AGENT · phone');
		expect(s.label.formatter({ name: '2:end:abandoned' })).toBe('end:abandoned');
		expect(s.label.formatter({ name: '2:other' })).toBe('Other paths');
		// The loop links carry only the 50 looping customers: NPS (4 − 30)/40 = −65 → red; the direct path +57.
		const loop = s.links.find((l) => l.source === '1:phone:call_agent' && l.target === '2:phone:call_agent')!;
		expect(loop.value).toBe(50);
		expect(loop.lineStyle.color).toBe(scoreColor('nps', -65));
		expect(loop.lineStyle.color).toBe('#b42318');
		const direct = s.links.find(
			(l) => l.source === '1:phone:call_agent' && l.target === '2:app:dispute_resolved'
		)!;
		expect(direct.lineStyle.color).toBe('#1d7a4d');
		// Under the minimum n a link is grey, not coloured.
		const abandoned = s.links.find((l) => l.target === '2:end:abandoned')!;
		expect(abandoned.lineStyle.color).toBe(NEUTRAL_LINK);
	});

	it('drops a backward link defensively and shows counts, shares and n in the tooltip', () => {
		const option = pathMapOptions(
			{
				total: 10,
				minN: 30,
				nodes: [
					{
						id: '0:app:a',
						position: 0,
						kind: 'step',
						channel: 'app',
						event: 'a',
						failed: false,
						status: null,
						value: 10
					},
					{
						id: '1:phone:contact',
						position: 1,
						kind: 'contact',
						channel: 'phone',
						event: null,
						failed: false,
						status: null,
						value: 10
					}
				],
				links: [
					{
						source: '0:app:a',
						target: '1:phone:contact',
						value: 10,
						share: 100,
						nps: { value: null, n: 4, ci95: null },
						csat: { value: 90, n: 31, ci95: [80, 95] }
					},
					{
						source: '1:phone:contact',
						target: '0:app:a',
						value: 1,
						share: 10,
						nps: { value: null, n: 0, ci95: null },
						csat: { value: null, n: 0, ci95: null }
					}
				]
			},
			{ metric: 'csat', labels }
		);
		const s = series(option);
		expect(s.links).toHaveLength(1);
		const tooltip = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
		expect(tooltip({ dataType: 'edge', data: s.links[0] })).toBe(
			'A · app → Contact · phone<br/>Journeys: 10 (100.0%)<br/>CSAT: 90.0% (n = 31)'
		);
		expect(tooltip({ dataType: 'node', name: '0:app:a' })).toBe('A · app<br/>Journeys: 10 (100.0%)');
	});

	it('labels failed attempts and back-office steps', () => {
		expect(
			nodeLabel(
				{
					id: '1:app:x:failed',
					position: 1,
					kind: 'step',
					channel: 'app',
					event: 'x',
					failed: true,
					status: null,
					value: 1
				},
				labels
			)
		).toBe('X (failed) · app');
		expect(
			nodeLabel(
				{
					id: '1:back_office:x',
					position: 1,
					kind: 'step',
					channel: 'back_office',
					event: 'x',
					failed: false,
					status: null,
					value: 1
				},
				labels
			)
		).toBe('X');
	});
});
