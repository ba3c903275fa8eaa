import { TAG_BITS } from '$lib/server/text/tags';
import { REPEAT_WINDOW_MS } from '$lib/server/metrics/measures';
import type { FeatureRow, TextFeatures, WeekPart } from './store';

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
 * COUNT_FEATURES order, row-major.
 */
export interface FeatureTable {
	n: number;
	counts: Int32Array;
	complained: Uint8Array;
	regulatorComplained: Uint8Array;
	segments: (string | null)[];
}

const C = COUNT_FEATURES.length;

class TableBuilder {
	n = 0;
	counts = new Int32Array(1024 * C);
	complained = new Uint8Array(1024);
	regulator = new Uint8Array(1024);
	segments: (string | null)[] = [];
	push(counts: ArrayLike<number>, complained: number, regulator: number, segment: string | null) {
		if (this.n === this.complained.length) {
			const grow = <T extends Int32Array | Uint8Array>(a: T, size: number): T => {
				const b = new (a.constructor as new (n: number) => T)(size);
				b.set(a);
				return b;
			};
			this.counts = grow(this.counts, this.n * 2 * C);
			this.complained = grow(this.complained, this.n * 2);
			this.regulator = grow(this.regulator, this.n * 2);
		}
		this.counts.set(counts, this.n * C);
		this.complained[this.n] = complained;
		this.regulator[this.n] = regulator;
		this.segments.push(segment);
		this.n++;
	}
	table(): FeatureTable {
		return {
			n: this.n,
			counts: this.counts.subarray(0, this.n * C),
			complained: this.complained.subarray(0, this.n),
			regulatorComplained: this.regulator.subarray(0, this.n),
			segments: this.segments
		};
	}
}

/** The rows of several tables (in order), or the given rows of them (indices into the concatenation). */
export function concatTables(tables: readonly FeatureTable[], pick?: ArrayLike<number>): FeatureTable {
	const total = tables.reduce((n, t) => n + t.n, 0);
	const n = pick ? pick.length : total;
	const out: FeatureTable = {
		n,
		counts: new Int32Array(n * C),
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

/** featureMatrix of a table. */
export function tableMatrix(table: FeatureTable, features: readonly string[]): Float64Array {
	const p = features.length;
	const x = new Float64Array(table.n * p);
	const segmentColumn = new Map<string, number>();
	features.forEach((f, j) => {
		if (f.startsWith(SEGMENT_PREFIX)) segmentColumn.set(f.slice(SEGMENT_PREFIX.length), j);
	});
	for (let i = 0; i < table.n; i++) {
		for (let j = 0; j < C; j++) x[i * p + j] = Math.log1p(table.counts[i * C + j]);
		const segment = table.segments[i];
		const column = segment === null ? undefined : segmentColumn.get(segment);
		if (column !== undefined) x[i * p + column] = 1;
	}
	return x;
}

const WEEK_MS = 7 * DAY_MS;
const PAD = 15;

/**
 * The feature rows of weekly anchors from one scan (RiskStore.weekParts from `origin`, the first anchor − 14 days),
 * the same rows as RiskStore.features(anchor, anchor + 14 d) gives each anchor: the 14 days before an anchor are its
 * two weeks before, the label window its two weeks after; a repeat chain counts when it ended over 48 hours before
 * the anchor, so the second week's last 48 hours (part 1) are left out of it. `texts[i]`: textFeatures(anchors[i]).
 * Feed `add` the parts in the store's order (by customer); `tables()` gives one table per anchor.
 */
export function anchorFeatures(
	origin: number,
	anchors: readonly number[],
	texts: readonly TextFeatures[],
	withKeys = false
) {
	const weeks = anchors.map((a) => (a - origin) / WEEK_MS);
	if (weeks.some((w) => !Number.isInteger(w) || w < 2) || REPEAT_WINDOW_MS >= WEEK_MS)
		throw new Error('anchors must lie on whole weeks at least 14 days after the origin');
	const builders = anchors.map(() => new TableBuilder());
	const counts = new Array<number>(C).fill(0);
	let current: string | null = null;
	let parts: WeekPart[] = [];
	const flush = () => {
		if (current === null) return;
		for (let a = 0; a < anchors.length; a++) {
			const w = weeks[a];
			let events = 0;
			let complained = 0;
			let regulator = 0;
			let team: string | null = null;
			let segment: string | null = null;
			counts.fill(0);
			for (const part of parts) {
				if (part.week === w || part.week === w + 1) {
					if (part.complaints > 0) complained = 1;
					if (part.regulatorComplaints > 0) regulator = 1;
					continue;
				}
				if (part.week !== w - 2 && part.week !== w - 1) continue;
				events += part.events;
				// contacts, repeatChains, transfers, abandoned, longWaits | negativeTexts, riskWords, stuckJourneys |
				// detractors, priorComplaints
				counts[0] += part.counts[0];
				if (part.week === w - 2 || part.late === 0) counts[1] += part.counts[1];
				counts[2] += part.counts[2];
				counts[3] += part.counts[3];
				counts[4] += part.counts[4];
				counts[8] += part.counts[5];
				counts[9] += part.counts[6];
				// The latest value (timestamp-padded text, compared as MAX compares it).
				if (part.team !== null && (team === null || part.team > team)) team = part.team;
				if (part.segment !== null && (segment === null || part.segment > segment)) segment = part.segment;
			}
			if (events === 0) continue;
			const text = texts[a].get(current);
			if (text) {
				counts[5] = text[0];
				counts[6] = text[1];
				counts[7] = text[2];
			}
			builders[a].push(counts, complained, regulator, segment === null ? null : segment.slice(PAD));
			if (withKeys) {
				teams[a].push(team === null ? null : team.slice(PAD));
				ids[a].push(current);
			}
		}
	};
	const teams = anchors.map((): (string | null)[] => []);
	const ids = anchors.map((): string[] => []);
	return {
		add(batch: readonly WeekPart[]) {
			for (const part of batch) {
				if (part.customerId !== current) {
					flush();
					current = part.customerId;
					parts = [];
				}
				parts.push(part);
			}
		},
		tables(): FeatureTable[] {
			flush();
			current = null;
			return builders.map((b) => b.table());
		},
		/** Customer and team of each row of each anchor's table (`withKeys`; for comparisons in tests). */
		keys(): { customerIds: string[][]; teamIds: (string | null)[][] } {
			return { customerIds: ids, teamIds: teams };
		}
	};
}
