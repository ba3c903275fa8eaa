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

function redactEvent(event: CxEvent, counts: RedactionCounts, longOnes?: LongStrings): void {
	if (event.text) {
		if (longOnes && event.text.length > LONG_TEXT_CHARS) longOnes.texts.push(event);
		else {
			const r = redactText(event.text);
			event.text = r.text;
			addCounts(counts, r.counts);
		}
	}
	redactValues(event.properties, counts, longOnes?.values);
	if (event.traits) redactValues(event.traits, counts, longOnes?.values);
}

/** A string value inside an event's properties or traits: `node[key]`. */
interface StringAt {
	node: Record<string, unknown>;
	key: string;
}

/** Strings over LONG_TEXT_CHARS set aside for the text scorer's thread: event texts, and string values. */
interface LongStrings {
	texts: CxEvent[];
	values: StringAt[];
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
		// Awaited only when there is something to wait for: an await per item costs more than redacting most items.
		const pending = work(items[i], i);
		if (pending) await pending;
		if (slicer.due()) await slicer.pause();
	}
}

/**
 * Redacts the strings inside a JSON object, in place. Without recursion: validation bounds the depth (MAX_DEPTH)
 * and the request the size, and an explicit stack holds whatever it is given.
 */
export function redactValues(
	root: Record<string, unknown>,
	counts: RedactionCounts,
	/** Where to set aside strings over LONG_TEXT_CHARS instead of redacting them here. */
	longValues?: StringAt[]
): void {
	const stack: (Record<string, unknown> | unknown[])[] = [root];
	while (stack.length) {
		const node = stack.pop() as Record<string, unknown>;
		for (const key of Object.keys(node)) {
			const value = node[key];
			if (typeof value === 'string' && longValues && value.length > LONG_TEXT_CHARS)
				longValues.push({ node, key });
			else if (typeof value === 'string') {
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
async function scoreTexts(
	events: CxEvent[],
	slicer: Slicer,
	scored: ReadonlyMap<CxEvent, number | null>
): Promise<(number | null)[]> {
	const sentiments: (number | null)[] = new Array(events.length).fill(null);
	await inSlices(events, slicer, (e, i) => {
		if (!e.text) return;
		if (scored.has(e)) sentiments[i] = scored.get(e)!;
		else
			return scoreSentimentAsync(e.text, slicer).then((sentiment) => {
				sentiments[i] = sentiment;
			});
	});
	return sentiments;
}

/**
 * Redacts every event in slices. With a text scorer thread (the built server), texts and string values over
 * LONG_TEXT_CHARS are redacted there instead, the event texts scored there too (on the redacted text, as here):
 * the main thread never spends more than a slice on one hostile string. Returns those sentiments; if the thread
 * fails, its strings are redacted here (one per slice) and their texts scored later with the others.
 */
async function redactBatch(
	items: readonly Item[],
	slicer: Slicer,
	counts: RedactionCounts
): Promise<Map<CxEvent, number | null>> {
	const scorer = longTextScorer();
	const longOnes: LongStrings | undefined = scorer ? { texts: [], values: [] } : undefined;
	await inSlices(items, slicer, ({ event }) => redactEvent(event, counts, longOnes));
	const scored = new Map<CxEvent, number | null>();
	if (!scorer || !longOnes || longOnes.texts.length + longOnes.values.length === 0) return scored;
	const [texts, values] = await Promise.all([
		scorer
			.redact(
				longOnes.texts.map((e) => e.text!),
				true
			)
			.catch(() => null),
		longOnes.values.length
			? scorer
					.redact(
						longOnes.values.map((v) => v.node[v.key] as string),
						false
					)
					.catch(() => null)
			: []
	]);
	await inSlices(longOnes.texts, slicer, (event, i) => {
		const done = texts?.[i];
		const r = done ?? redactText(event.text!);
		event.text = r.text;
		addCounts(counts, r.counts);
		if (done?.sentiment !== undefined) scored.set(event, done.sentiment);
	});
	await inSlices(longOnes.values, slicer, ({ node, key }, i) => {
		const r = values?.[i] ?? redactText(node[key] as string);
		node[key] = r.text;
		addCounts(counts, r.counts);
	});
	return scored;
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
	const scored = await redactBatch(valid, slicer, redacted);
	const { unique, repeats } = dedupeWithinBatch(valid);
	let result = { accepted: 0, duplicates: 0, duplicateIndexes: [] as number[] };
	if (unique.length) {
		try {
			const events = unique.map((i) => i.event);
			// Hashing, sentiment and serialising happen here, beside the writer thread's work on earlier batches;
			// sentiment (the costly part) of long texts was done with their redaction in the text scorer's thread,
			// of the others here in slices.
			const sentiments = await scoreTexts(events, slicer, scored);
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
