import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import type { InstanceStatus } from './core';
import type { JourneyDefinition } from './definitions';
import { instanceGroups, pathTokens, type InstanceGroup } from './groups';
import { MIN_N, type JourneyQuery } from './query';
import type { Measured } from '$lib/server/stats';
import { addScores, emptyScores, scoreMeasures, type ScoreCounts } from './scores';

/**
 * The path map: the actual sequences of (channel, step) as a Sankey. Nodes are keyed by position
 * (`2:phone:call_agent`), so a loop (a repeat call) becomes a later node instead of a cycle, which ECharts' Sankey
 * refuses. Each path ends in an explicit end node (`3:end:abandoned`); the top N paths are drawn in full and the
 * rest leave the drawn paths where they diverge, into an `other` node.
 */

export type PathNodeKind = 'step' | 'contact' | 'complaint' | 'end' | 'other' | 'more';

export interface PathNode {
	id: string;
	position: number;
	kind: PathNodeKind;
	channel: string | null;
	/** The step event (for steps), or null. */
	event: string | null;
	/** A failed attempt at the step. */
	failed: boolean;
	/** For end nodes: how the journeys ended. */
	status: InstanceStatus | null;
	/** Journeys through the node. */
	value: number;
}

export interface PathLink {
	source: string;
	target: string;
	value: number;
	/** Percent of all journeys in the map. */
	share: number;
	nps: Measured;
	csat: Measured;
}

export interface PathSummary {
	tokens: string[];
	status: InstanceStatus;
	value: number;
	share: number;
	nps: Measured;
	csat: Measured;
}

export interface PathMap {
	journey: string;
	from: string;
	to: string;
	segment: string | null;
	channel: string | null;
	minN: number;
	/** Journeys (instances) in the map. */
	total: number;
	top: number;
	maxDepth: number;
	/** Distinct paths before the cut to the top N. */
	distinctPaths: number;
	/** Journeys routed to `other`. */
	otherValue: number;
	nodes: PathNode[];
	links: PathLink[];
	paths: PathSummary[];
}

export interface PathMapOptions {
	top?: number;
	maxDepth?: number;
	minN?: number;
}

const MORE = 'more';

/** What a path token says: `channel:event`, `channel:event:failed`, `channel:contact`, `channel:complaint`. */
export function parseToken(token: string): Pick<PathNode, 'kind' | 'channel' | 'event' | 'failed'> {
	const [channel, what, flag] = token.split(':');
	if (what === MORE) return { kind: 'more', channel: null, event: null, failed: false };
	if (what === 'contact' || what === 'complaint') return { kind: what, channel, event: null, failed: false };
	return { kind: 'step', channel, event: what ?? null, failed: flag === 'failed' };
}

interface Acc {
	value: number;
	scores: ScoreCounts;
}

function add(map: Map<string, Acc>, key: string, value: number, scores: ScoreCounts) {
	const a = map.get(key);
	if (a) {
		a.value += value;
		addScores(a.scores, scores);
	} else {
		const s = emptyScores();
		addScores(s, scores);
		map.set(key, { value, scores: s });
	}
}

/** Builds the map from grouped instances (pure). */
export function buildPathMap(
	groups: readonly InstanceGroup[],
	options: PathMapOptions = {}
): Omit<PathMap, 'journey' | 'from' | 'to' | 'segment' | 'channel'> {
	const top = options.top ?? 12;
	const maxDepth = options.maxDepth ?? 8;
	const minN = options.minN ?? MIN_N;

	// Distinct (cut) paths with their end status.
	const byPath = new Map<string, { tokens: string[]; status: InstanceStatus } & Acc>();
	let total = 0;
	for (const g of groups) {
		let tokens = pathTokens(g.path).map((t) => (t.endsWith(`:${MORE}`) ? `~:${MORE}` : t));
		if (tokens.length > maxDepth) tokens = [...tokens.slice(0, maxDepth), `~:${MORE}`];
		const key = `${tokens.join('|')}#${g.status}`;
		const p = byPath.get(key);
		if (p) {
			p.value += g.count;
			addScores(p.scores, g.scores);
		} else {
			const scores = emptyScores();
			addScores(scores, g.scores);
			byPath.set(key, { tokens, status: g.status, value: g.count, scores });
		}
		total += g.count;
	}
	const ranked = [...byPath.values()].sort(
		(a, b) =>
			b.value - a.value ||
			a.tokens.join('|').localeCompare(b.tokens.join('|')) ||
			a.status.localeCompare(b.status)
	);
	const kept = ranked.slice(0, top);
	const prefixes = new Set<string>();
	for (const p of kept)
		for (let i = 1; i <= p.tokens.length; i++) prefixes.add(p.tokens.slice(0, i).join('|'));

	const nodes = new Map<string, PathNode>();
	const links = new Map<string, Acc>();
	const node = (
		id: string,
		position: number,
		fields: Pick<PathNode, 'kind' | 'channel' | 'event' | 'failed'>,
		status: InstanceStatus | null = null
	) => {
		if (!nodes.has(id)) nodes.set(id, { id, position, ...fields, status, value: 0 });
		return id;
	};
	const route = (ids: string[], value: number, scores: ScoreCounts) => {
		for (let i = 0; i < ids.length; i++) {
			const n = nodes.get(ids[i]);
			if (n) n.value += value;
			if (i > 0) add(links, `${ids[i - 1]}\u0000${ids[i]}`, value, scores);
		}
	};
	let otherValue = 0;
	kept.forEach((p) => {
		const ids = p.tokens.map((t, i) => node(`${i}:${t}`, i, parseToken(t)));
		const end = p.tokens.length;
		ids.push(
			node(
				`${end}:end:${p.status}`,
				end,
				{ kind: 'end', channel: null, event: null, failed: false },
				p.status
			)
		);
		route(ids, p.value, p.scores);
	});
	for (const p of ranked.slice(top)) {
		const ids: string[] = [];
		let i = 0;
		while (i < p.tokens.length && prefixes.has(p.tokens.slice(0, i + 1).join('|'))) {
			ids.push(node(`${i}:${p.tokens[i]}`, i, parseToken(p.tokens[i])));
			i++;
		}
		ids.push(node(`${i}:other`, i, { kind: 'other', channel: null, event: null, failed: false }));
		route(ids, p.value, p.scores);
		otherValue += p.value;
	}
	const share = (v: number) => (total > 0 ? (v / total) * 100 : 0);
	return {
		minN,
		total,
		top,
		maxDepth,
		distinctPaths: ranked.length,
		otherValue,
		nodes: [...nodes.values()].sort((a, b) => a.position - b.position || b.value - a.value),
		links: [...links.entries()].map(([key, acc]) => {
			const [source, target] = key.split('\u0000');
			return {
				source,
				target,
				value: acc.value,
				share: share(acc.value),
				...scoreMeasures(acc.scores, minN)
			};
		}),
		paths: kept.map((p) => ({
			tokens: p.tokens,
			status: p.status,
			value: p.value,
			share: share(p.value),
			...scoreMeasures(p.scores, minN)
		}))
	};
}

export async function pathMap(
	target: Db | Storage,
	definition: JourneyDefinition,
	q: JourneyQuery,
	options: PathMapOptions & { now?: number } = {}
): Promise<PathMap> {
	const groups = await instanceGroups(target, definition.key, q, options.now ?? Date.now());
	return {
		journey: definition.key,
		from: new Date(q.from).toISOString(),
		to: new Date(q.to).toISOString(),
		segment: q.segment,
		channel: q.channel,
		...buildPathMap(groups, options)
	};
}
