import type { FunnelStep } from '$lib/components/journeys/types';
import type { Db } from '$lib/server/db';
import { stepKey, type JourneyDefinition } from './definitions';
import { MIN_N, type JourneyQuery } from './query';
import { quantileInterval, quantileSorted, wilson } from '$lib/server/stats';
import type { Storage } from '$lib/server/db/storage';
import { journeyStore } from './registry';
import type { FunnelText } from './store';

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
 * (`steps`). Step times go into one typed array per step (grown when full), of which only the order statistics
 * shown are selected.
 */
class FunnelTally {
	readonly reached: Int32Array;
	readonly lost: Int32Array;
	readonly inProgress: Int32Array;
	readonly branches: Int32Array[];
	readonly times: Float64Array[];
	readonly timeN: Int32Array;

	/** `capacity`: how many times each step is expected to get (a customer adds at most one per step). */
	constructor(
		readonly definition: JourneyDefinition,
		capacity: (step: number) => number
	) {
		const n = definition.steps.length;
		this.reached = new Int32Array(n);
		this.lost = new Int32Array(n);
		this.inProgress = new Int32Array(n);
		this.timeN = new Int32Array(n);
		this.branches = definition.steps.map((s) => new Int32Array(s.events.length));
		// Step 0 has no time from a previous step.
		this.times = definition.steps.map((_, k) => new Float64Array(k === 0 ? 0 : capacity(k)));
	}

	private grow(k: number): void {
		const times = new Float64Array(Math.max(64, this.times[k].length * 2));
		times.set(this.times[k]);
		this.times[k] = times;
	}

	/**
	 * One customer's deepest instance: its depth, status code (0 in progress, 1 completed, 2 failed, 3 abandoned:
	 * STATUS_CODE) and the step offsets ("0,540,,86400/1") found in `text` from `from` to the end of the line (a
	 * '\n' or the end of the text), parsed in place.
	 */
	add(depth: number, status: number, text: string, from: number): void {
		const n = this.reached.length;
		const length = text.length;
		let previous = -1;
		let k = 0;
		let i = from;
		while (k < n) {
			let seconds = 0;
			let alt = 0;
			let digits = 0;
			let inAlt = false;
			// What ended the field: a ',' (another follows), or the line's end (10, also at the text's end).
			let c = 10;
			for (; i < length; i++) {
				c = text.charCodeAt(i);
				if (c === 44 || c === 10) break; // , or the line's end
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
			if (digits > 0 && !Number.isNaN(seconds)) {
				this.reached[k]++;
				if (alt < this.branches[k].length) this.branches[k][alt]++;
				if (previous >= 0) {
					if (this.timeN[k] === this.times[k].length) this.grow(k);
					this.times[k][this.timeN[k]++] = seconds - previous;
				}
				previous = seconds;
			}
			k++;
			if (c !== 44) break;
			i++;
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

/** Each customer's deepest instance (deepestInstances), by line of the funnel texts in order. */
interface Deepest {
	/** The lines of each text: text t holds lines firstLine[t] to firstLine[t + 1] - 1. */
	firstLine: Int32Array;
	/** Per line: 1 if it is its customer's deepest instance. */
	kept: Uint8Array;
	/** Per line: its depth, and the position of its status code in its text (past the depth's ';'). */
	depth: Int32Array;
	at: Int32Array;
	/** Per step k: how many customers are kept with a depth above k (the most times step k can get). */
	deeper: Int32Array;
}

/**
 * Each customer's deepest instance among the funnel texts of a query (lines `customer_key;depth;status;group;offsets`
 * in start order, so the first of equals is kept). Keys and depths are read digit by digit into numbers (a 53-bit key
 * is exact), the rest of a line is skipped with indexOf. Customers are found in an open-addressing table of line
 * numbers small enough to stay in the CPU's cache (the keys and depths it points to are per line, written in order),
 * and the kept lines are only flagged, so the tally reads the texts in order too: reading them, or a large table,
 * in hash order waits on memory for every customer.
 */
export function deepestInstances(texts: readonly FunnelText[], steps: number): Deepest {
	let n = 0;
	for (const t of texts) n += t.lines;
	// At most two thirds full: linear probing stays short even when every line is another customer.
	let size = 1024;
	while (size < n * 1.5) size *= 2;
	const mask = size - 1;
	const table = new Int32Array(size); // a line + 1; 0: empty
	const keys = new Float64Array(n);
	const depths = new Int32Array(n);
	const at = new Int32Array(n);
	const kept = new Uint8Array(n);
	const firstLine = new Int32Array(texts.length + 1);
	const byDepth = new Int32Array(steps + 1);
	let i = 0;
	for (let t = 0; t < texts.length; t++) {
		firstLine[t] = i;
		const text = texts[t].text;
		const length = text.length;
		let p = 0;
		while (p < length) {
			let key = 0;
			let low = 0;
			// Past the text's end charCodeAt gives NaN, never ';': a line cut short must stop the loop, not spin.
			for (let c = text.charCodeAt(p); c !== 59; c = text.charCodeAt(++p)) {
				if (p >= length) throw new Error(`funnel texts: line ${i + 1} ends before its depth`);
				key = key * 10 + (c - 48);
				low = (Math.imul(low, 10) + (c - 48)) | 0;
			}
			let depth = 0;
			for (let c = text.charCodeAt(++p); c !== 59; c = text.charCodeAt(++p)) {
				if (p >= length) throw new Error(`funnel texts: line ${i + 1} ends before its status`);
				depth = depth * 10 + (c - 48);
			}
			keys[i] = key;
			depths[i] = depth;
			at[i] = ++p;
			// `low` is the key modulo 2^32 (wrapping arithmetic): the keys are hashes, so its bits spread evenly.
			let s = Math.imul(low, 0x9e3779b1) & mask;
			for (;;) {
				const j = table[s] - 1;
				if (j === -1) {
					table[s] = i + 1;
					kept[i] = 1;
					byDepth[Math.min(depth, steps)]++;
					break;
				}
				if (keys[j] === key) {
					if (depth > depths[j]) {
						table[s] = i + 1;
						kept[j] = 0;
						kept[i] = 1;
						byDepth[Math.min(depths[j], steps)]--;
						byDepth[Math.min(depth, steps)]++;
					}
					break;
				}
				s = (s + 1) & mask;
			}
			i++;
			const end = text.indexOf('\n', p);
			p = end === -1 ? length : end + 1;
		}
	}
	// The per-line arrays are sized by the counts the store gave: a text with other lines would be tallied wrong.
	if (i !== n) throw new Error(`funnel texts: ${i} lines where ${n} were counted`);
	firstLine[texts.length] = i;
	const deeper = new Int32Array(steps);
	for (let k = steps - 1, sum = byDepth[steps]; k >= 0; k--) {
		deeper[k] = sum;
		sum += byDepth[k];
	}
	return { firstLine, kept, depth: depths, at, deeper };
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
	const texts = await journeyStore(target).funnelText(definition.key, q, now, by);
	const deepest = deepestInstances(texts, definition.steps.length);
	const all = new FunnelTally(definition, (k) => deepest.deeper[k]);
	// With `by`: a tally per group (the text between a line's third and fourth ';'; '' is none), fed in the same pass.
	const groups = new Map<string | null, FunnelTally>();
	const { firstLine, kept, depth, at } = deepest;
	for (let t = 0; t < texts.length; t++) {
		const text = texts[t].text;
		for (let i = firstLine[t]; i < firstLine[t + 1]; i++) {
			if (kept[i] === 0) continue;
			const status = text.charCodeAt(at[i]) - 48;
			const g = at[i] + 2;
			// Without `by` the group is always none: the offsets follow at once.
			const d = by ? text.indexOf(';', g) : g;
			all.add(depth[i], status, text, d + 1);
			if (by) {
				const group = d === g ? null : text.slice(g, d);
				let tally = groups.get(group);
				if (!tally) groups.set(group, (tally = new FunnelTally(definition, () => 0)));
				tally.add(depth[i], status, text, d + 1);
			}
		}
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
		result.by = by;
		result.groups = [...groups.entries()]
			.map(([group, tally]) => {
				const s = tally.steps(minN);
				return { group, customers: s[0]?.customers ?? 0, steps: s };
			})
			.sort((a, b) => b.customers - a.customers || (a.group ?? '').localeCompare(b.group ?? ''));
	}
	return result;
}
