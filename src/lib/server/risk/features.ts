import { TAG_BITS } from '$lib/server/text/tags';
import type { FeatureRow } from './store';

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
	const bySegment = new Map<string, number>();
	for (const row of rows) if (row.segment) bySegment.set(row.segment, (bySegment.get(row.segment) ?? 0) + 1);
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
