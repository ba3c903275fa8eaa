import type { FunnelStep } from '$lib/components/journeys/types';
import type { Funnel } from './funnel';
import type { Db } from '$lib/server/db';
import type { InstanceStatus } from './core';
import { stepKey, type JourneyDefinition } from './definitions';
import { MIN_N, type JourneyQuery } from './query';
import { quantileInterval, quantileSorted, wilson } from '$lib/server/stats';
import type { Storage } from '$lib/server/db/storage';
import { journeyStore } from './registry';

/**
 * The funnel as computed before issue 22 (every instance of the range read as one line, each customer's deepest
 * instance picked in a Map, the step times sorted per step), kept unchanged as the reference the tests compare
 * funnel.ts with on both engines, and the "before" of the funnel benchmark. Not used by the app.
 */

/** The funnel steps of one set of customers (pure; the arithmetic the tests compute by hand). */
function funnelSteps(definition: JourneyDefinition, rows: readonly FunnelRow[], minN = MIN_N): FunnelStep[] {
	const n = definition.steps.length;
	const reached = new Array<number>(n).fill(0);
	const lost = new Array<number>(n).fill(0);
	const inProgress = new Array<number>(n).fill(0);
	const times: number[][] = definition.steps.map(() => []);
	const branches: number[][] = definition.steps.map((s) => new Array<number>(s.events.length).fill(0));
	for (const r of rows) {
		// Parsed in place ("0,540,,86400/1"): this loop runs once per customer of the range.
		const text = r.offsets;
		let previous = -1;
		let k = 0;
		let i = 0;
		while (k < n && i <= text.length) {
			let seconds = 0;
			let alt = 0;
			let digits = 0;
			let inAlt = false;
			for (; i < text.length; i++) {
				const c = text.charCodeAt(i);
				if (c === 44) break; // ,
				if (c === 47)
					inAlt = true; // /
				else if (inAlt) alt = alt * 10 + (c - 48);
				else if (c === 45)
					seconds = NaN; // never negative; guards malformed input
				else {
					seconds = seconds * 10 + (c - 48);
					digits++;
				}
			}
			i++;
			if (digits > 0 && !Number.isNaN(seconds)) {
				reached[k]++;
				if (alt < branches[k].length) branches[k][alt]++;
				if (previous >= 0) times[k].push(seconds - previous);
				previous = seconds;
			}
			k++;
		}
		if (r.depth > 0) {
			const at = r.depth - 1;
			if (r.status === 'failed' || r.status === 'abandoned') lost[at]++;
			else if (r.status === 'in_progress') inProgress[at]++;
		}
	}
	const start = reached[0];
	// In-progress journeys (abandonment window not passed) that stopped before a step may still reach it: they are
	// kept out of that step's conversion denominators (DOMAIN.md "Maturity") and shown apart as inProgress.
	const openBefore = (k: number, from = 0) => {
		let sum = 0;
		for (let j = from; j < k; j++) sum += inProgress[j];
		return sum;
	};
	let previousRequired = 0;
	return definition.steps.map((step, k) => {
		const started = start - openBefore(k);
		const base = k === 0 ? start : reached[previousRequired] - openBefore(k, previousRequired);
		const sorted = Float64Array.from(times[k]).sort();
		const timed = sorted.length >= minN;
		const out: FunnelStep = {
			step: stepKey(step),
			events: [...step.events],
			optional: step.optional === true,
			customers: reached[k],
			conversionFromStart: started >= minN ? (reached[k] / started) * 100 : null,
			conversionFromStartCi95: started >= minN ? percentInterval(reached[k], started) : null,
			startCustomers: started,
			conversionFromPrevious: base >= minN ? (reached[k] / base) * 100 : null,
			conversionFromPreviousCi95: base >= minN ? percentInterval(reached[k], base) : null,
			previousCustomers: base,
			medianSecondsFromPrevious: k > 0 && timed ? quantileSorted(sorted, 0.5) : null,
			p90SecondsFromPrevious: k > 0 && timed ? quantileSorted(sorted, 0.9) : null,
			medianSecondsCi95: k > 0 && timed ? quantileInterval(sorted, 0.5) : null,
			p90SecondsCi95: k > 0 && timed ? quantileInterval(sorted, 0.9) : null,
			timeN: sorted.length,
			lost: lost[k],
			inProgress: inProgress[k],
			branches:
				step.events.length > 1 ? step.events.map((event, i) => ({ event, customers: branches[k][i] })) : []
		};
		if (!step.optional) previousRequired = k;
		return out;
	});
}

/** A Wilson interval of x out of n, in percent. */
function percentInterval(x: number, n: number): [number, number] | null {
	const ci = wilson(x, n);
	return ci ? [ci[0] * 100, ci[1] * 100] : null;
}

/** One customer's deepest instance, as the reference reads it. */
interface FunnelRow {
	customer: number;
	depth: number;
	offsets: string;
	status: InstanceStatus;
	group: string | null;
}

const STATUS_OF: readonly InstanceStatus[] = ['in_progress', 'completed', 'failed', 'abandoned'];

/**
 * Reads the funnel rows of a query: each customer's deepest instance. Everything comes from the covering index as
 * one string a row (`key;depth;status;group;offsets`): building JS values is what a large range costs most,
 * and one string a row is about half the cost of six columns.
 */
async function funnelRows(
	target: Db | Storage,
	journeyKey: string,
	q: JourneyQuery,
	now: number,
	by: 'segment' | 'channel' | null = null
): Promise<FunnelRow[]> {
	const lines = await journeyStore(target).funnelLines(journeyKey, q, now, by);
	// Each customer's deepest instance; rows come in start order (the index's), so the first of equals is kept.
	// Keys and depths are read digit by digit into numbers (a 53-bit key is exact): no substring per line.
	const n = lines.length;
	const keys = new Float64Array(n);
	const depths = new Int32Array(n);
	const ends = new Int32Array(n);
	const best = new Map<number, number>();
	for (let i = 0; i < n; i++) {
		const line = lines[i];
		let p = 0;
		let key = 0;
		for (let c = line.charCodeAt(p); c !== 59; c = line.charCodeAt(++p)) key = key * 10 + (c - 48);
		let depth = 0;
		for (let c = line.charCodeAt(++p); c !== 59; c = line.charCodeAt(++p)) depth = depth * 10 + (c - 48);
		keys[i] = key;
		depths[i] = depth;
		ends[i] = p;
		const j = best.get(key);
		if (j === undefined || depth > depths[j]) best.set(key, i);
	}
	const rows: FunnelRow[] = [];
	for (const i of best.values()) {
		const line = lines[i];
		const b = ends[i];
		const c = line.indexOf(';', b + 1);
		const d = line.indexOf(';', c + 1);
		rows.push({
			customer: keys[i],
			depth: depths[i],
			status: STATUS_OF[line.charCodeAt(b + 1) - 48] ?? 'in_progress',
			group: d === c + 1 ? null : line.slice(c + 1, d),
			offsets: line.slice(d + 1)
		});
	}
	return rows;
}

export async function referenceFunnel(
	target: Db | Storage,
	definition: JourneyDefinition,
	q: JourneyQuery,
	options: { by?: 'segment' | 'channel' | null; minN?: number; now?: number } = {}
): Promise<Funnel> {
	const now = options.now ?? Date.now();
	const minN = options.minN ?? MIN_N;
	const rows = await funnelRows(target, definition.key, q, now, options.by ?? null);
	const steps = funnelSteps(definition, rows, minN);
	const result: Funnel = {
		journey: definition.key,
		from: new Date(q.from).toISOString(),
		to: new Date(q.to).toISOString(),
		segment: q.segment,
		channel: q.channel,
		minN,
		customers: steps[0]?.customers ?? 0,
		steps
	};
	if (options.by) {
		const by = options.by;
		const groups = new Map<string | null, FunnelRow[]>();
		for (const r of rows) {
			const g = r.group;
			const list = groups.get(g);
			if (list) list.push(r);
			else groups.set(g, [r]);
		}
		result.by = by;
		result.groups = [...groups.entries()]
			.map(([group, list]) => {
				const s = funnelSteps(definition, list, minN);
				return { group, customers: s[0]?.customers ?? 0, steps: s };
			})
			.sort((a, b) => b.customers - a.customers || (a.group ?? '').localeCompare(b.group ?? ''));
	}
	return result;
}
