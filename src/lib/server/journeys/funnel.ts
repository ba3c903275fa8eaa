import type { FunnelStep } from '$lib/components/journeys/types';
import type { Db } from '$lib/server/db';
import { stepKey, type JourneyDefinition } from './definitions';
import { MIN_N, type JourneyQuery } from './query';
import { quantileInterval, quantileSorted, wilson } from '$lib/server/stats';
import type { Storage } from '$lib/server/db/storage';
import { journeyStore } from './registry';

/**
 * Funnels from the precomputed instances (PERF-NOTES.md): per step, the customers who reached it in order, the
 * conversion from the start and from the previous step, and the time between steps. A customer counts once: by
 * their deepest instance started in the range (the earliest of equals).
 */

export type { FunnelStep };

export interface FunnelGroup {
	group: string | null;
	customers: number;
	steps: FunnelStep[];
}

export interface Funnel {
	journey: string;
	from: string;
	to: string;
	segment: string | null;
	channel: string | null;
	minN: number;
	/** Customers who started the journey in the range. */
	customers: number;
	steps: FunnelStep[];
	/** With `by`: the same funnel per segment or start channel. */
	by?: 'segment' | 'channel';
	groups?: FunnelGroup[];
}

/** The quantiles the funnel shows of each step's times (quantileSorted and quantileInterval read them). */
const SHOWN_QUANTILES = [0.5, 0.9];

/**
 * Rearranges `values` so that every position the funnel's quantiles read (the medians, p90s and their intervals:
 * a handful of ranks) holds the value a full sort would put there, each by selection (Floyd–Rivest) rather than
 * sorting the whole step: the ranks are found by asking quantileSorted and quantileInterval themselves which
 * positions they read, so the numbers stay those of the sort. Unshown (under the minimum n): left as they are.
 */
export function orderStatistics(values: Float64Array, shown: boolean): Float64Array {
	const n = values.length;
	if (!shown || n === 0) return values;
	const ranks = new Set<number>();
	const probe = new Proxy(values, {
		get(target, property) {
			if (typeof property === 'string' && /^\d+$/.test(property)) ranks.add(Number(property));
			return Reflect.get(target, property);
		}
	});
	for (const p of SHOWN_QUANTILES) {
		quantileSorted(probe, p);
		quantileInterval(probe, p);
	}
	// Ascending: each selection leaves every smaller value before its rank, so the next searches after it only.
	let left = 0;
	for (const rank of [...ranks].sort((a, b) => a - b)) {
		select(values, rank, left, n - 1);
		left = rank + 1;
	}
	return values;
}

/** Floyd–Rivest selection: puts the k-th smallest of a[left..right] at k, smaller before, larger after. */
function select(a: Float64Array, k: number, left: number, right: number): void {
	while (right > left) {
		if (right - left > 600) {
			const n = right - left + 1;
			const m = k - left + 1;
			const z = Math.log(n);
			const s = 0.5 * Math.exp((2 * z) / 3);
			const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
			select(
				a,
				k,
				Math.max(left, Math.floor(k - (m * s) / n + sd)),
				Math.min(right, Math.floor(k + ((n - m) * s) / n + sd))
			);
		}
		const t = a[k];
		let i = left;
		let j = right;
		swap(a, left, k);
		if (a[right] > t) swap(a, left, right);
		while (i < j) {
			swap(a, i, j);
			i++;
			j--;
			while (a[i] < t) i++;
			while (a[j] > t) j--;
		}
		if (a[left] === t) swap(a, left, j);
		else {
			j++;
			swap(a, j, right);
		}
		if (j <= k) left = j + 1;
		if (k <= j) right = j - 1;
	}
}

function swap(a: Float64Array, i: number, j: number): void {
	const t = a[i];
	a[i] = a[j];
	a[j] = t;
}

/**
 * The funnel arithmetic of one set of customers, fed one deepest instance at a time (`add`) and read once
 * (`steps`). Step times go into one typed array per step, of which only the order statistics shown are selected.
 */
class FunnelTally {
	readonly reached: Int32Array;
	readonly lost: Int32Array;
	readonly inProgress: Int32Array;
	readonly branches: Int32Array[];
	readonly times: Float64Array[];
	readonly timeN: Int32Array;

	constructor(
		readonly definition: JourneyDefinition,
		capacity: number
	) {
		const n = definition.steps.length;
		this.reached = new Int32Array(n);
		this.lost = new Int32Array(n);
		this.inProgress = new Int32Array(n);
		this.timeN = new Int32Array(n);
		this.branches = definition.steps.map((s) => new Int32Array(s.events.length));
		// Step 0 has no time from a previous step; a customer adds at most one time per step.
		this.times = definition.steps.map((_, k) => new Float64Array(k === 0 ? 0 : capacity));
	}

	/**
	 * One customer's deepest instance: its depth, status code (0 in progress, 1 completed, 2 failed, 3 abandoned: STATUS_CODE) and the step offsets ("0,540,,86400/1")
	 * found in `text` from `from` to the end, parsed in place.
	 */
	add(depth: number, status: number, text: string, from: number): void {
		const n = this.reached.length;
		let previous = -1;
		let k = 0;
		let i = from;
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
				this.reached[k]++;
				if (alt < this.branches[k].length) this.branches[k][alt]++;
				if (previous >= 0) this.times[k][this.timeN[k]++] = seconds - previous;
				previous = seconds;
			}
			k++;
		}
		if (depth > 0) {
			const at = depth - 1;
			if (status === 2 || status === 3) this.lost[at]++;
			else if (status === 0) this.inProgress[at]++;
		}
	}

	steps(minN: number): FunnelStep[] {
		const { definition, reached, inProgress } = this;
		const start = reached[0];
		// In-progress journeys (abandonment window not passed) that stopped before a step may still reach it: they
		// are kept out of that step's conversion denominators (DOMAIN.md "Maturity") and shown apart as inProgress.
		const openBefore = (k: number, from = 0) => {
			let sum = 0;
			for (let j = from; j < k; j++) sum += inProgress[j];
			return sum;
		};
		let previousRequired = 0;
		return definition.steps.map((step, k) => {
			const started = start - openBefore(k);
			const base = k === 0 ? start : reached[previousRequired] - openBefore(k, previousRequired);
			const timed = this.timeN[k] >= minN;
			const sorted = orderStatistics(this.times[k].subarray(0, this.timeN[k]), timed);
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
				lost: this.lost[k],
				inProgress: inProgress[k],
				branches:
					step.events.length > 1
						? step.events.map((event, i) => ({ event, customers: this.branches[k][i] }))
						: []
			};
			if (!step.optional) previousRequired = k;
			return out;
		});
	}
}

/** A Wilson interval of x out of n, in percent. */
function percentInterval(x: number, n: number): [number, number] | null {
	const ci = wilson(x, n);
	return ci ? [ci[0] * 100, ci[1] * 100] : null;
}

/**
 * Each customer's deepest instance among the funnel lines of a query (`customer_key;depth;status;group;offsets`,
 * in start order, so the first of equals is kept): the indices of the lines kept, with the depth of each line and
 * where its depth ends. Keys and depths are read digit by digit into numbers (a 53-bit key is exact); customers are
 * found in an open-addressing table of typed arrays (no Map of boxed keys, no substring per line).
 */
function deepestLines(lines: readonly string[]): { kept: Int32Array; depths: Int32Array; ends: Int32Array } {
	const n = lines.length;
	const depths = new Int32Array(n);
	const ends = new Int32Array(n);
	let size = 1024;
	while (size < n * 2) size *= 2;
	const mask = size - 1;
	const slotKey = new Float64Array(size);
	const slotLine = new Int32Array(size).fill(-1);
	let customers = 0;
	for (let i = 0; i < n; i++) {
		const line = lines[i];
		let p = 0;
		let key = 0;
		let low = 0;
		for (let c = line.charCodeAt(p); c !== 59; c = line.charCodeAt(++p)) {
			key = key * 10 + (c - 48);
			low = (Math.imul(low, 10) + (c - 48)) | 0;
		}
		let depth = 0;
		for (let c = line.charCodeAt(++p); c !== 59; c = line.charCodeAt(++p)) depth = depth * 10 + (c - 48);
		depths[i] = depth;
		ends[i] = p;
		// `low` is the key modulo 2^32 (wrapping arithmetic): the keys are hashes, so its bits spread evenly.
		let s = Math.imul(low, 0x9e3779b1) & mask;
		for (;;) {
			const j = slotLine[s];
			if (j === -1) {
				slotKey[s] = key;
				slotLine[s] = i;
				customers++;
				break;
			}
			if (slotKey[s] === key) {
				if (depth > depths[j]) slotLine[s] = i;
				break;
			}
			s = (s + 1) & mask;
		}
	}
	const kept = new Int32Array(customers);
	let m = 0;
	for (let s = 0; s < size; s++) if (slotLine[s] !== -1) kept[m++] = slotLine[s];
	return { kept, depths, ends };
}

export async function funnel(
	target: Db | Storage,
	definition: JourneyDefinition,
	q: JourneyQuery,
	options: { by?: 'segment' | 'channel' | null; minN?: number; now?: number } = {}
): Promise<Funnel> {
	const now = options.now ?? Date.now();
	const minN = options.minN ?? MIN_N;
	const by = options.by ?? null;
	const lines = await journeyStore(target).funnelLines(definition.key, q, now, by);
	const { kept, depths, ends } = deepestLines(lines);
	const all = new FunnelTally(definition, kept.length);
	// With `by`: the group of each kept line (the text between its third and fourth ';'; '' is none).
	const groupOf: (string | null)[] = by ? new Array<string | null>(kept.length) : [];
	for (let m = 0; m < kept.length; m++) {
		const i = kept[m];
		const line = lines[i];
		const b = ends[i];
		const c = b + 2; // one status digit: b + 1
		const d = line.indexOf(';', c + 1);
		all.add(depths[i], line.charCodeAt(b + 1) - 48, line, d + 1);
		if (by) groupOf[m] = d === c + 1 ? null : line.slice(c + 1, d);
	}
	const steps = all.steps(minN);
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
	if (by) {
		const members = new Map<string | null, number[]>();
		for (let m = 0; m < kept.length; m++) {
			const list = members.get(groupOf[m]);
			if (list) list.push(m);
			else members.set(groupOf[m], [m]);
		}
		result.by = by;
		result.groups = [...members.entries()]
			.map(([group, list]) => {
				const tally = new FunnelTally(definition, list.length);
				for (const m of list) {
					const i = kept[m];
					const line = lines[i];
					const b = ends[i];
					tally.add(depths[i], line.charCodeAt(b + 1) - 48, line, line.indexOf(';', b + 3) + 1);
				}
				const s = tally.steps(minN);
				return { group, customers: s[0]?.customers ?? 0, steps: s };
			})
			.sort((a, b) => b.customers - a.customers || (a.group ?? '').localeCompare(b.group ?? ''));
	}
	return result;
}
