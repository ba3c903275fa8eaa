import { TAG_BITS } from '$lib/server/text/tags';
import { REPEAT_WINDOW_MS } from '$lib/server/metrics/measures';
import type { FeatureRow, ScanBatch } from './store';

/**
 * The risk model's features (DOMAIN.md "Acting on what is measured"): counts of the 14 days before an anchor per
 * customer, and the customer's segment. Counts enter as log(1 + count), so a customer with 30 contacts does not
 * outweigh everything else; the segment enters as one indicator per segment seen in training.
 */

export const DAY_MS = 86_400_000;
/** Features look back this far; labels look forward as far. */
export const WINDOW_MS = 14 * DAY_MS;
/** A contact waited long when its queue wait reached this many seconds. */
export const LONG_WAIT_S = 180;
/** A negative text (sentimentClass in $lib/model: below −0.25). */
export const NEGATIVE_SENTIMENT = -0.25;
/** text_docs.tag_mask bit of risk words. */
export const RISK_TAG_BIT = TAG_BITS.risk;

/**
 * What an event counts for (EVENT_FLAGS bits), computed in the database so a row crosses as a few columns:
 * customer_id, ts, flags, team_id, segment.
 */
export const EVENT_FLAGS = {
	contact: 1,
	/** A contact that ended a chain followed by a repeat within 48 hours (the flag looks forward 48 hours). */
	repeatChain: 2,
	transfer: 4,
	abandoned: 8,
	longWait: 16,
	detractor: 32,
	complaint: 64,
	regulatorComplaint: 128
} as const;

/** text_docs row bits (scanTexts: customer_id, ts, flags). */
export const TEXT_FLAGS = { negative: 1, riskWords: 2 } as const;

export const COUNT_FEATURES = [
	'contacts',
	'repeatChains',
	'transfers',
	'abandoned',
	'longWaits',
	'negativeTexts',
	'riskWords',
	'stuckJourneys',
	'detractors',
	'priorComplaints'
] as const;
export type CountFeature = (typeof COUNT_FEATURES)[number];

export const SEGMENT_PREFIX = 'segment:';
/** At most this many segment indicators (the most frequent in training). */
const MAX_SEGMENTS = 8;

/** The feature names of a model trained on these rows: the counts, then the segments seen (most frequent first). */
export function featureNames(rows: readonly FeatureRow[]): string[] {
	return featureNamesOf(rows.map((r) => r.segment));
}

/** featureNames from the rows' segments. */
export function featureNamesOf(rowSegments: Iterable<string | null>): string[] {
	const bySegment = new Map<string, number>();
	for (const segment of rowSegments) if (segment) bySegment.set(segment, (bySegment.get(segment) ?? 0) + 1);
	const segments = [...bySegment.entries()]
		.filter(([, n]) => n >= 2)
		.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
		.slice(0, MAX_SEGMENTS)
		.map(([segment]) => `${SEGMENT_PREFIX}${segment}`);
	// With one segment only, its indicator would be constant: it says nothing.
	return [...COUNT_FEATURES, ...(segments.length > 1 ? segments : [])];
}

/** The rows as a flat row-major matrix over `features`. */
export function featureMatrix(rows: readonly FeatureRow[], features: readonly string[]): Float64Array {
	const p = features.length;
	const x = new Float64Array(rows.length * p);
	const segmentColumn = new Map<string, number>();
	features.forEach((f, j) => {
		if (f.startsWith(SEGMENT_PREFIX)) segmentColumn.set(f.slice(SEGMENT_PREFIX.length), j);
	});
	rows.forEach((row, i) => {
		for (let j = 0; j < COUNT_FEATURES.length; j++) x[i * p + j] = Math.log1p(row.counts[j]);
		const column = row.segment === null ? undefined : segmentColumn.get(row.segment);
		if (column !== undefined) x[i * p + column] = 1;
	});
	return x;
}

/**
 * Feature rows held by column (a training reads millions: objects per row would not fit in memory): counts in
 * COUNT_FEATURES order, row-major (capped at 65,535 each).
 */
export interface FeatureTable {
	n: number;
	counts: Uint16Array;
	complained: Uint8Array;
	regulatorComplained: Uint8Array;
	segments: (string | null)[];
}

/** A table with the customer and latest team of each row (scoring). */
export interface KeyedFeatureTable extends FeatureTable {
	customerIds: string[];
	teamIds: (string | null)[];
}

const C = COUNT_FEATURES.length;

/** The rows of several tables (in order), or the given rows of them (indices into the concatenation). */
export function concatTables(tables: readonly FeatureTable[], pick?: ArrayLike<number>): FeatureTable {
	const total = tables.reduce((n, t) => n + t.n, 0);
	const n = pick ? pick.length : total;
	const out: FeatureTable = {
		n,
		counts: new Uint16Array(n * C),
		complained: new Uint8Array(n),
		regulatorComplained: new Uint8Array(n),
		segments: new Array<string | null>(n)
	};
	let table = 0;
	let offset = 0;
	for (let i = 0; i < n; i++) {
		let at = pick ? pick[i] : i;
		while (at - offset >= tables[table].n) offset += tables[table++].n;
		at -= offset;
		const t = tables[table];
		out.counts.set(t.counts.subarray(at * C, (at + 1) * C), i * C);
		out.complained[i] = t.complained[at];
		out.regulatorComplained[i] = t.regulatorComplained[at];
		out.segments[i] = t.segments[at];
	}
	return out;
}

/**
 * A reader of a table's rows as feature vectors over `features`: `read(i)` fills and returns one buffer (overwritten
 * by the next call), so a million rows need no matrix.
 */
export function featureRows(table: FeatureTable, features: readonly string[]): (i: number) => Float64Array {
	const x = new Float64Array(features.length);
	const segmentColumn = new Map<string, number>();
	features.forEach((f, j) => {
		if (f.startsWith(SEGMENT_PREFIX)) segmentColumn.set(f.slice(SEGMENT_PREFIX.length), j);
	});
	const logs = Float64Array.from({ length: 256 }, (_, v) => Math.log1p(v));
	return (i) => {
		x.fill(0);
		for (let j = 0; j < C; j++) {
			const v = table.counts[i * C + j];
			x[j] = v < 256 ? logs[v] : Math.log1p(v);
		}
		const segment = table.segments[i];
		const column = segment === null ? undefined : segmentColumn.get(segment);
		if (column !== undefined) x[column] = 1;
		return x;
	};
}

/** featureMatrix of a table. */
export function tableMatrix(table: FeatureTable, features: readonly string[]): Float64Array {
	const p = features.length;
	const out = new Float64Array(table.n * p);
	const read = featureRows(table, features);
	for (let i = 0; i < table.n; i++) out.set(read(i), i * p);
	return out;
}

/** An anchor of a scan: features from [at − 14 d, at), labels (complaints) from [at, labelTo). */
export interface Anchor {
	at: number;
	labelTo: number;
}

const BLOCK_BITS = 16;
const BLOCK = 1 << BLOCK_BITS;
const MASK = BLOCK - 1;
const MAX_COUNT = 65_535;
const ACTIVE = 1;
const COMPLAINED = 2;
const REGULATOR = 4;
const F = Object.fromEntries(COUNT_FEATURES.map((f, j) => [f, j])) as Record<CountFeature, number>;

/** FNV-1a over the UTF-16 code units. */
function hash(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
	return h >>> 0;
}

/** One anchor's accumulators, in blocks of 65,536 customers (allocated when a customer of the block is seen). */
interface AnchorBlocks {
	counts: Uint16Array[];
	state: Uint8Array[];
	team: Int32Array[];
	segment: Int32Array[];
}

/**
 * The feature rows of several anchors from one pass over the history (RiskStore.scanEvents, then scanTexts and
 * scanJourneys): the same rows as RiskStore.features(at, labelTo) gives each anchor. Customers get a dense index
 * on first sight, and every count lives in typed arrays by anchor and index (no object per customer). Events must
 * come in time order: the latest team and segment of a customer are then the last seen (equal times: the larger
 * value, as MAX over timestamp-padded text picks it).
 */
export class AnchorScan {
	readonly from: number;
	readonly to: number;
	private readonly ats: Float64Array;
	private readonly ends: Float64Array;
	/** Customer ids by dense index, and an open-addressing table of indices by the ids' hash (-1: empty). */
	private readonly idList: string[] = [];
	private slots = new Int32Array(1 << 16).fill(-1);
	private readonly valueCodes = new Map<string, number>();
	/** Interned team and segment values; code k is values[k − 1] (0: none). */
	private readonly values: string[] = [];
	private readonly latestTeam: { ts: Float64Array[]; code: Int32Array[] } = { ts: [], code: [] };
	private readonly latestSegment: { ts: Float64Array[]; code: Int32Array[] } = { ts: [], code: [] };
	private readonly blocks: (AnchorBlocks | null)[];

	constructor(readonly anchors: readonly Anchor[]) {
		this.ats = Float64Array.from(anchors, (a) => a.at);
		this.ends = Float64Array.from(anchors, (a) => Math.max(a.at, a.labelTo));
		this.from = Math.min(...anchors.map((a) => a.at - WINDOW_MS));
		this.to = Math.max(...this.ends);
		this.blocks = anchors.map(() => ({ counts: [], state: [], team: [], segment: [] }));
	}

	/** Customers seen so far. */
	get customers(): number {
		return this.idList.length;
	}

	/** The dense index of a customer id, or -1 when not seen. (A Map of a million fresh strings costs more.) */
	private find(id: string): number {
		const mask = this.slots.length - 1;
		for (let at = hash(id) & mask; ; at = (at + 1) & mask) {
			const c = this.slots[at];
			if (c === -1 || this.idList[c] === id) return c;
		}
	}

	private customer(id: string): number {
		let mask = this.slots.length - 1;
		let at = hash(id) & mask;
		for (; ; at = (at + 1) & mask) {
			const k = this.slots[at];
			if (k === -1) break;
			if (this.idList[k] === id) return k;
		}
		const c = this.idList.length;
		this.idList.push(id);
		this.slots[at] = c;
		if (this.idList.length * 2 > this.slots.length) {
			this.slots = new Int32Array(this.slots.length * 2).fill(-1);
			mask = this.slots.length - 1;
			for (let k = 0; k < this.idList.length; k++) {
				let to = hash(this.idList[k]) & mask;
				while (this.slots[to] !== -1) to = (to + 1) & mask;
				this.slots[to] = k;
			}
		}
		if ((c & MASK) === 0) {
			const b = c >>> BLOCK_BITS;
			this.latestTeam.ts[b] = new Float64Array(BLOCK);
			this.latestTeam.code[b] = new Int32Array(BLOCK);
			this.latestSegment.ts[b] = new Float64Array(BLOCK);
			this.latestSegment.code[b] = new Int32Array(BLOCK);
		}
		return c;
	}

	private code(value: string): number {
		let k = this.valueCodes.get(value);
		if (k === undefined) {
			this.values.push(value);
			this.valueCodes.set(value, (k = this.values.length));
		}
		return k;
	}

	/** The customer's latest value after one at `ts` (code). */
	private latest(
		into: { ts: Float64Array[]; code: Int32Array[] },
		c: number,
		ts: number,
		value: string
	): number {
		const b = c >>> BLOCK_BITS;
		const i = c & MASK;
		const current = into.code[b][i];
		const at = into.ts[b][i];
		if (current === 0 || ts > at || (ts === at && value > this.values[current - 1])) {
			into.code[b][i] = this.code(value);
			into.ts[b][i] = ts;
		}
		return into.code[b][i];
	}

	private block(a: number, c: number): number {
		const blocks = this.blocks[a]!;
		const b = c >>> BLOCK_BITS;
		if (blocks.state[b] === undefined) {
			blocks.counts[b] = new Uint16Array(BLOCK * C);
			blocks.state[b] = new Uint8Array(BLOCK);
			blocks.team[b] = new Int32Array(BLOCK);
			blocks.segment[b] = new Int32Array(BLOCK);
		}
		return b;
	}

	/** A batch of RiskStore.scanEvents rows (customer_id, ts, flags, team_id, segment), in time order. */
	readonly events = (rows: ScanBatch): void => {
		const A = this.ats.length;
		let lastId: string | null = null;
		let c = 0;
		for (let r = 0; r < rows.length; r++) {
			const row = rows[r];
			const id = row[0] as string;
			if (id !== lastId) {
				c = this.customer(id);
				lastId = id;
			}
			const ts = Number(row[1]);
			const flags = Number(row[2]);
			const team = row[3] as string | null;
			const segment = row[4] as string | null;
			const teamCode = team === null ? 0 : this.latest(this.latestTeam, c, ts, team);
			const segmentCode = segment === null ? 0 : this.latest(this.latestSegment, c, ts, segment);
			const i = c & MASK;
			for (let a = 0; a < A; a++) {
				const at = this.ats[a];
				if (ts < at - WINDOW_MS || ts >= this.ends[a]) continue;
				const b = this.block(a, c);
				const blocks = this.blocks[a]!;
				const state = blocks.state[b];
				if (ts >= at) {
					if (flags & EVENT_FLAGS.complaint) state[i] |= COMPLAINED;
					if (flags & EVENT_FLAGS.regulatorComplaint) state[i] |= REGULATOR;
					continue;
				}
				state[i] |= ACTIVE;
				if (teamCode) blocks.team[b][i] = teamCode;
				if (segmentCode) blocks.segment[b][i] = segmentCode;
				if (flags === 0) continue;
				const counts = blocks.counts[b];
				const o = i * C;
				if (flags & EVENT_FLAGS.contact && counts[o + F.contacts] < MAX_COUNT) counts[o + F.contacts]++;
				// Only chains whose 48-hour follow-up had passed by the anchor: the flag looks forward.
				if (
					flags & EVENT_FLAGS.repeatChain &&
					ts < at - REPEAT_WINDOW_MS &&
					counts[o + F.repeatChains] < MAX_COUNT
				)
					counts[o + F.repeatChains]++;
				if (flags & EVENT_FLAGS.transfer && counts[o + F.transfers] < MAX_COUNT) counts[o + F.transfers]++;
				if (flags & EVENT_FLAGS.abandoned && counts[o + F.abandoned] < MAX_COUNT) counts[o + F.abandoned]++;
				if (flags & EVENT_FLAGS.longWait && counts[o + F.longWaits] < MAX_COUNT) counts[o + F.longWaits]++;
				if (flags & EVENT_FLAGS.detractor && counts[o + F.detractors] < MAX_COUNT) counts[o + F.detractors]++;
				if (flags & EVENT_FLAGS.complaint && counts[o + F.priorComplaints] < MAX_COUNT)
					counts[o + F.priorComplaints]++;
			}
		}
	};

	/** The counts of customer `c` at anchor `a`, or null when the customer has no event before it. */
	private activeCounts(a: number, c: number): { counts: Uint16Array; o: number } | null {
		const blocks = this.blocks[a];
		const b = c >>> BLOCK_BITS;
		if (!blocks || blocks.state[b] === undefined || !(blocks.state[b][c & MASK] & ACTIVE)) return null;
		return { counts: blocks.counts[b], o: (c & MASK) * C };
	}

	/** A batch of RiskStore.scanTexts rows (customer_id, ts, flags), after the events. */
	readonly texts = (rows: ScanBatch): void => {
		for (const row of rows) {
			const c = this.find(row[0] as string);
			if (c === -1) continue;
			const ts = Number(row[1]);
			const flags = Number(row[2]);
			for (let a = 0; a < this.ats.length; a++) {
				if (ts < this.ats[a] - WINDOW_MS || ts >= this.ats[a]) continue;
				const at = this.activeCounts(a, c);
				if (!at) continue;
				if (flags & TEXT_FLAGS.negative && at.counts[at.o + F.negativeTexts] < MAX_COUNT)
					at.counts[at.o + F.negativeTexts]++;
				if (flags & TEXT_FLAGS.riskWords && at.counts[at.o + F.riskWords] < MAX_COUNT)
					at.counts[at.o + F.riskWords]++;
			}
		}
	};

	/**
	 * A batch of RiskStore.scanJourneys rows (customer_id, started_at, deadline, failed, ended_at), after the events:
	 * a journey is stuck at an anchor when it started before it, its deadline falls in the 14 days before it or
	 * later, and by the anchor it had failed, or was neither completed nor failed with its deadline passed.
	 */
	readonly journeys = (rows: ScanBatch): void => {
		for (const row of rows) {
			const c = this.find(row[0] as string);
			if (c === -1) continue;
			const started = Number(row[1]);
			const deadline = Number(row[2]);
			const failed = Number(row[3]) === 1;
			const ended = row[4] === null || row[4] === undefined ? Infinity : Number(row[4]);
			for (let a = 0; a < this.ats.length; a++) {
				const anchor = this.ats[a];
				if (started >= anchor || deadline < anchor - WINDOW_MS) continue;
				if (!(failed ? ended < anchor : deadline < anchor)) continue;
				const at = this.activeCounts(a, c);
				if (at && at.counts[at.o + F.stuckJourneys] < MAX_COUNT) at.counts[at.o + F.stuckJourneys]++;
			}
		}
	};

	private sorted: Int32Array | null = null;

	/** Dense indices in customer id order (UTF-16 code units: the same on both engines). */
	private order(): Int32Array {
		if (this.sorted && this.sorted.length === this.idList.length) return this.sorted;
		const ids = this.idList;
		const order = Int32Array.from({ length: ids.length }, (_, i) => i);
		order.sort((x, y) => (ids[x] < ids[y] ? -1 : 1));
		return (this.sorted = order);
	}

	/**
	 * Anchor `a`'s rows (customers with an event in its 14 days), by customer id; its accumulators are released
	 * (each anchor is read once). `keys`: with each row's customer and latest team (else those lists are empty).
	 */
	table(a: number, keys = false): KeyedFeatureTable {
		const blocks = this.blocks[a];
		if (!blocks) throw new Error(`anchor ${a} was read already`);
		const order = this.order();
		let n = 0;
		for (let k = 0; k < order.length; k++) {
			const c = order[k];
			const state = blocks.state[c >>> BLOCK_BITS];
			if (state !== undefined && state[c & MASK] & ACTIVE) n++;
		}
		const out: KeyedFeatureTable = {
			n,
			counts: new Uint16Array(n * C),
			complained: new Uint8Array(n),
			regulatorComplained: new Uint8Array(n),
			segments: new Array<string | null>(n),
			customerIds: keys ? new Array<string>(n) : [],
			teamIds: keys ? new Array<string | null>(n) : []
		};
		let row = 0;
		for (let k = 0; k < order.length; k++) {
			const c = order[k];
			const b = c >>> BLOCK_BITS;
			const i = c & MASK;
			const state = blocks.state[b];
			if (state === undefined || !(state[i] & ACTIVE)) continue;
			const counts = blocks.counts[b];
			for (let j = 0; j < C; j++) out.counts[row * C + j] = counts[i * C + j];
			out.complained[row] = state[i] & COMPLAINED ? 1 : 0;
			out.regulatorComplained[row] = state[i] & REGULATOR ? 1 : 0;
			const segment = blocks.segment[b][i];
			out.segments[row] = segment ? this.values[segment - 1] : null;
			if (keys) {
				const team = blocks.team[b][i];
				out.teamIds[row] = team ? this.values[team - 1] : null;
				out.customerIds[row] = this.idList[c];
			}
			row++;
		}
		this.blocks[a] = null;
		return out;
	}
}
