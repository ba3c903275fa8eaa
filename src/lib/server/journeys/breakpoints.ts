import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { NO_CHANNEL } from './core';
import { stepKey, type JourneyDefinition } from './definitions';
import { instanceGroups, isLost, pathTokens, switchSignatures, type InstanceGroup } from './groups';
import { parseToken } from './paths';
import { MIN_N, type JourneyQuery } from './query';
import { npsMeasure, shareMeasure } from '$lib/server/stats';
import { addScores, emptyScores, type ScoreCounts } from './scores';

/**
 * Service breakpoints (服务断点): steps where journeys stop, failed attempts, detours (loops, retries, contacts and complaints
 * inside a journey) and channel switches soon after a digital step (failure demand), ranked by the journeys lost
 * there times the CX impact: the score gap between the journeys that went through it and those that did not.
 */

export type BreakpointKind = 'drop' | 'failure' | 'loop' | 'contact' | 'switch';

export interface ScoreGap {
	metric: 'nps' | 'csat';
	/** Score without − score with (points; positive: the breakpoint hurts). */
	value: number;
	with: number;
	without: number;
	withN: number;
	withoutN: number;
}

export interface Breakpoint {
	/** Stable id for drill-down: `drop:<step index>`, `transition:<from>><to>`, `switch:<event@from>to>`. */
	id: string;
	kind: BreakpointKind;
	/** drop: the step key; otherwise the step event where it happens. */
	step: string | null;
	/** Path tokens of a transition (`app:b`, `phone:contact`). */
	from: string | null;
	to: string | null;
	/** switch: the channels. */
	fromChannel: string | null;
	toChannel: string | null;
	/** Journeys that went through it (drop: that stopped there). */
	affected: number;
	/** Of those, journeys that failed or were abandoned. */
	lost: number;
	/** Percent of the journeys in the range that went through it. */
	share: number;
	gap: ScoreGap | null;
	/** lost × gap / 100: journeys lost, weighted by how much worse they feel. Null without a gap. */
	impact: number | null;
}

export interface BreakpointList {
	journey: string;
	from: string;
	to: string;
	minN: number;
	/** Journeys in the range. */
	total: number;
	/** Candidates with at least the minimum n that were ranked. */
	candidates: number;
	breakpoints: Breakpoint[];
}

interface Tally {
	affected: number;
	lost: number;
	scores: ScoreCounts;
}

function tally(): Tally {
	return { affected: 0, lost: 0, scores: emptyScores() };
}

function count(t: Tally, g: InstanceGroup) {
	t.affected += g.count;
	if (isLost(g.status)) t.lost += g.count;
	addScores(t.scores, g.scores);
}

/** NPS gap when both sides have the minimum n of answers, else CSAT, else none. */
export function scoreGap(withScores: ScoreCounts, withoutScores: ScoreCounts, minN: number): ScoreGap | null {
	const nps = [
		npsMeasure(withScores.promoters, withScores.detractors, withScores.npsN, minN),
		npsMeasure(withoutScores.promoters, withoutScores.detractors, withoutScores.npsN, minN)
	];
	if (nps[0].value !== null && nps[1].value !== null)
		return {
			metric: 'nps',
			value: nps[1].value - nps[0].value,
			with: nps[0].value,
			without: nps[1].value,
			withN: nps[0].n,
			withoutN: nps[1].n
		};
	const csat = [
		shareMeasure(withScores.satisfied, withScores.csatN, minN),
		shareMeasure(withoutScores.satisfied, withoutScores.csatN, minN)
	];
	if (csat[0].value !== null && csat[1].value !== null)
		return {
			metric: 'csat',
			value: csat[1].value - csat[0].value,
			with: csat[0].value,
			without: csat[1].value,
			withN: csat[0].n,
			withoutN: csat[1].n
		};
	return null;
}

/** Step position of a path token in the definition (-1 for contacts, complaints and unknown events). */
function stepIndexOf(definition: JourneyDefinition, token: string): number {
	const t = parseToken(token);
	if (t.kind !== 'step' || !t.event) return -1;
	return definition.steps.findIndex((s) => s.events.includes(t.event as string));
}

/** Whether a transition is a detour worth ranking (not the designed next step). */
function detourKind(definition: JourneyDefinition, from: string, to: string): BreakpointKind | null {
	const t = parseToken(to);
	if (t.kind === 'contact' || t.kind === 'complaint') return 'contact';
	if (t.kind !== 'step') return null;
	if (t.failed) return 'failure';
	if (parseToken(from).failed) return 'loop';
	const a = stepIndexOf(definition, from);
	const b = stepIndexOf(definition, to);
	return a >= 0 && b >= 0 && b <= a ? 'loop' : null;
}

/** Ranks the breakpoints of grouped instances (pure). */
export function rankBreakpoints(
	definition: JourneyDefinition,
	groups: readonly InstanceGroup[],
	options: { minN?: number; limit?: number } = {}
): Omit<BreakpointList, 'journey' | 'from' | 'to'> {
	const minN = options.minN ?? MIN_N;
	const all = tally();
	for (const g of groups) count(all, g);

	const drops = definition.steps.map(() => tally());
	const passed = definition.steps.map(() => tally());
	const transitions = new Map<string, Tally & { kind: BreakpointKind; from: string; to: string }>();
	const switches = new Map<string, Tally>();
	for (const g of groups) {
		if (g.depth > 0 && isLost(g.status)) count(drops[g.depth - 1], g);
		for (let k = 0; k < g.depth - 1; k++) count(passed[k], g);
		const tokens = pathTokens(g.path);
		const seen = new Set<string>();
		for (let i = 1; i < tokens.length; i++) {
			const key = `${tokens[i - 1]}>${tokens[i]}`;
			if (seen.has(key)) continue;
			seen.add(key);
			const kind = detourKind(definition, tokens[i - 1], tokens[i]);
			if (!kind) continue;
			let t = transitions.get(key);
			if (!t) transitions.set(key, (t = { ...tally(), kind, from: tokens[i - 1], to: tokens[i] }));
			count(t, g);
		}
		for (const sig of switchSignatures(g.switches)) {
			let t = switches.get(sig);
			if (!t) switches.set(sig, (t = tally()));
			count(t, g);
		}
	}

	const without = (t: Tally) => {
		const s = emptyScores();
		addScores(s, all.scores);
		addScores(s, t.scores, -1);
		return s;
	};
	const make = (
		id: string,
		kind: BreakpointKind,
		t: Tally,
		gap: ScoreGap | null,
		fields: Partial<Pick<Breakpoint, 'step' | 'from' | 'to' | 'fromChannel' | 'toChannel'>>
	): Breakpoint => ({
		id,
		kind,
		step: null,
		from: null,
		to: null,
		fromChannel: null,
		toChannel: null,
		...fields,
		affected: t.affected,
		lost: t.lost,
		share: all.affected ? (t.affected / all.affected) * 100 : 0,
		gap,
		impact: gap ? (t.lost * Math.max(0, gap.value)) / 100 : null
	});

	const list: Breakpoint[] = [];
	definition.steps.forEach((step, k) => {
		if (k === definition.steps.length - 1) return;
		const t = drops[k];
		if (t.affected < minN) return;
		list.push(
			make(`drop:${k}`, 'drop', t, scoreGap(t.scores, passed[k].scores, minN), { step: stepKey(step) })
		);
	});
	for (const [key, t] of transitions) {
		if (t.affected < minN) continue;
		const step = parseToken(t.kind === 'contact' ? t.from : t.to).event;
		list.push(
			make(`transition:${key}`, t.kind, t, scoreGap(t.scores, without(t), minN), {
				step,
				from: t.from,
				to: t.to
			})
		);
	}
	for (const [sig, t] of switches) {
		if (t.affected < minN) continue;
		const m = /^(.*)@([^>]*)>(.*)$/.exec(sig);
		list.push(
			make(`switch:${sig}`, 'switch', t, scoreGap(t.scores, without(t), minN), {
				step: m?.[1] ?? null,
				fromChannel: m?.[2] ?? null,
				toChannel: m?.[3] ?? null
			})
		);
	}
	list.sort(
		(a, b) =>
			(b.impact ?? -1) - (a.impact ?? -1) ||
			b.lost - a.lost ||
			b.affected - a.affected ||
			a.id.localeCompare(b.id)
	);
	return {
		minN,
		total: all.affected,
		candidates: list.length,
		breakpoints: list.slice(0, options.limit ?? 10)
	};
}

export async function breakpoints(
	target: Db | Storage,
	definition: JourneyDefinition,
	q: JourneyQuery,
	options: { minN?: number; limit?: number; now?: number } = {}
): Promise<BreakpointList> {
	const groups = await instanceGroups(target, definition.key, q, options.now ?? Date.now());
	return {
		journey: definition.key,
		from: new Date(q.from).toISOString(),
		to: new Date(q.to).toISOString(),
		...rankBreakpoints(definition, groups, options)
	};
}

/** A drill-down selector parsed from a breakpoint id (or `lost:<step index>` from the funnel). */
export type Selector =
	| { kind: 'lost'; step: number }
	| { kind: 'transition'; from: string; to: string }
	| { kind: 'switch'; signature: string };

export function parseSelector(id: string, definition: JourneyDefinition): Selector | null {
	const drop = /^(?:drop|lost):(\d{1,2})$/.exec(id);
	if (drop) {
		const step = Number(drop[1]);
		return step < definition.steps.length ? { kind: 'lost', step } : null;
	}
	const tr = /^transition:([^|>]+)>([^|>]+)$/.exec(id);
	if (tr) return { kind: 'transition', from: tr[1], to: tr[2] };
	const sw = /^switch:([^,|]+@[^,|>]+>[^,|>]+)$/.exec(id);
	if (sw) return { kind: 'switch', signature: sw[1] };
	return null;
}

/** The channel a path token was on (for display). */
export function tokenChannel(token: string): string | null {
	const c = parseToken(token).channel;
	return c === NO_CHANNEL ? null : c;
}
