import type { CxEvent, EventType } from '$lib/model';
import { publishAccepted } from '$lib/server/live/bus';
import { scoreSentimentAsync } from '$lib/server/text';
import { LONG_TEXT_CHARS, longTextScorer } from '$lib/server/text/scorer';
import { Slicer } from '$lib/server/text/steps';
import type { IngestContext } from './context';
import { dedupeWithinBatch } from './dedupe';
import { IngestError } from './errors';
import type { ParsedBatch } from './formats/types';
import { normalizeEvent } from './normalize';
import { addCounts, redactText, type RedactionCounts } from './redact';
import { isRejection, validateCandidate, type Rejection } from './validate';
import { prepareEvents } from './writer';

export interface IngestOutcome {
	accepted: number;
	duplicates: number;
	rejected: Rejection[];
	ignored: { index: number; reason: string }[];
	redacted: RedactionCounts;
}

interface Item {
	index: number;
	event: CxEvent;
}

/** Validate and normalize: each item becomes a `CxEvent` or a rejection naming its fields. */
export function validateBatch(parsed: ParsedBatch, now: number) {
	const valid: Item[] = [];
	const rejected: Rejection[] = [];
	const ignored: IngestOutcome['ignored'] = [];
	for (const candidate of parsed.items) {
		if (candidate.ignored) {
			ignored.push({ index: candidate.index, reason: candidate.ignored });
			continue;
		}
		const checked = validateCandidate(candidate, parsed, now);
		if (isRejection(checked)) rejected.push(checked);
		else valid.push({ index: checked.index, event: normalizeEvent(checked) });
	}
	return { valid, rejected, ignored };
}

/**
 * Redacts PII in each event's free text and in the string values of its properties and traits (at any depth, in
 * arrays too), in place, and counts it.
 */
export function redactEvents(items: readonly { event: CxEvent }[]): RedactionCounts {
	const counts: RedactionCounts = {};
	for (const { event } of items) redactEvent(event, counts);
	return counts;
}

function redactEvent(event: CxEvent, counts: RedactionCounts): void {
	if (event.text) {
		const r = redactText(event.text);
		event.text = r.text;
		addCounts(counts, r.counts);
	}
	redactValues(event.properties, counts);
	if (event.traits) redactValues(event.traits, counts);
}

/** How long a step may hold the event loop before it lets timers, streams and other requests run. */
const SLICE_MS = 4;

/**
 * Runs `work` on each item, handing the event loop back whenever a slice has taken SLICE_MS: a batch of long
 * texts is redacted and scored between other work, not in one block. `work` may pause inside an item too, with
 * the same slicer (sentiment does, so the longest hold is a slice plus one step of one text, not a whole text).
 */
async function inSlices<T>(
	items: readonly T[],
	slicer: Slicer,
	work: (item: T, index: number) => void | Promise<void>
): Promise<void> {
	for (let i = 0; i < items.length; i++) {
		await work(items[i], i);
		await slicer.pause();
	}
}

/**
 * Redacts the strings inside a JSON object, in place. Without recursion: validation bounds the depth (MAX_DEPTH)
 * and the request the size, and an explicit stack holds whatever it is given.
 */
export function redactValues(root: Record<string, unknown>, counts: RedactionCounts): void {
	const stack: (Record<string, unknown> | unknown[])[] = [root];
	while (stack.length) {
		const node = stack.pop() as Record<string, unknown>;
		for (const key of Object.keys(node)) {
			const value = node[key];
			if (typeof value === 'string') {
				const r = redactText(value);
				if (r.text !== value) {
					node[key] = r.text;
					addCounts(counts, r.counts);
				}
			} else if (typeof value === 'object' && value !== null) stack.push(value as Record<string, unknown>);
		}
	}
}

/**
 * Sentiment of each event's text: texts over LONG_TEXT_CHARS in the text scorer's thread when the built server has
 * one (the main thread meanwhile scores the short ones in slices), everything else here in slices. If the thread
 * fails, its texts are scored here too: the same scores either way.
 */
async function scoreTexts(events: CxEvent[], slicer: Slicer): Promise<(number | null)[]> {
	const sentiments: (number | null)[] = new Array(events.length).fill(null);
	const scorer = longTextScorer();
	const long = scorer ? events.flatMap((e, i) => (e.text && e.text.length > LONG_TEXT_CHARS ? [i] : [])) : [];
	const offloaded = long.length
		? scorer!.score(long.map((i) => events[i].text!)).catch(() => null)
		: Promise.resolve(null);
	const inThread = new Set(long);
	await inSlices(events, slicer, async (e, i) => {
		if (e.text && !inThread.has(i)) sentiments[i] = await scoreSentimentAsync(e.text, slicer);
	});
	const scores = await offloaded;
	for (const [k, i] of long.entries())
		sentiments[i] = scores ? scores[k] : await scoreSentimentAsync(events[i].text!, slicer);
	return sentiments;
}

/**
 * The ingestion pipeline after authentication and decoding: validate → normalize → redact → dedupe (within the
 * batch, then against the stored ids inside the write) → write (group commit; resolves after the commit) →
 * publish to the live bus. Redaction and sentiment, linear but the costly steps on long texts, yield to the event
 * loop every few milliseconds.
 */
export async function ingestBatch(
	ctx: IngestContext,
	sourceId: number,
	parsed: ParsedBatch,
	receivedAt: number
): Promise<IngestOutcome> {
	const { valid, rejected, ignored } = validateBatch(parsed, receivedAt);
	const redacted: RedactionCounts = {};
	const slicer = new Slicer(SLICE_MS);
	await inSlices(valid, slicer, ({ event }) => redactEvent(event, redacted));
	const { unique, repeats } = dedupeWithinBatch(valid);
	let result = { accepted: 0, duplicates: 0, duplicateIndexes: [] as number[] };
	if (unique.length) {
		try {
			const events = unique.map((i) => i.event);
			// Hashing, sentiment and serialising happen here, beside the writer thread's work on earlier batches;
			// sentiment (the costly part) of long texts in the text scorer's thread, of the others in slices.
			const sentiments = await scoreTexts(events, slicer);
			const prepared = prepareEvents(sourceId, events, sentiments);
			result = await ctx.committer.submit({ sourceId, receivedAt, events, prepared });
		} catch (error) {
			console.error('ingest: writing a batch failed', error);
			throw new IngestError(503, 'unavailable', 'the events could not be stored; retry the request', null, {
				'retry-after': '1'
			});
		}
	}
	if (result.accepted) {
		const dup = new Set(result.duplicateIndexes);
		const events = unique.filter((_, i) => !dup.has(i)).map((i) => i.event);
		const byType: Partial<Record<EventType, number>> = {};
		for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1;
		publishAccepted({
			sourceId,
			receivedAt,
			accepted: result.accepted,
			duplicates: result.duplicates + repeats.length,
			byType,
			redacted,
			events
		});
	}
	return {
		accepted: result.accepted,
		duplicates: result.duplicates + repeats.length,
		rejected,
		ignored,
		redacted
	};
}
