import type { Db } from '$lib/server/db';
import {
	currentModel,
	indexTextBatch,
	reassignBatch,
	refitTopicModel,
	retagBatch,
	type RefitOptions
} from './indexer';
import { defaultPeriod, topics } from './queries';
import { rulesVersion } from './rules';
import { readState, writeState } from './state';

export interface RecomputeOptions extends RefitOptions {
	/** Texts analyzed per write transaction. */
	batchSize?: number;
	/** Refit the topic model when it is older than this (default 6 h) … */
	refitEveryMs?: number;
	/** … or when the texts indexed since the fit exceed this share of the texts it was fitted on (default 0.25). */
	refitGrowth?: number;
	/** Refit whatever the age. */
	forceRefit?: boolean;
}

export interface RecomputeReport {
	indexed: number;
	retagged: boolean;
	refitted: boolean;
	topics: number;
	ms: number;
}

/** Lets the event loop breathe between batches (HTTP requests and SSE keep flowing during a long recompute). */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const running = new WeakMap<Db, Promise<RecomputeReport>>();

async function run(db: Db, options: RecomputeOptions): Promise<RecomputeReport> {
	const started = performance.now();
	const batchSize = options.batchSize ?? 2000;

	// 1. Index new texts (sentiment, terms, tags, topic under the current model; events.sentiment backfilled).
	let indexed = 0;
	for (let n = indexTextBatch(db, batchSize); n > 0; n = indexTextBatch(db, batchSize)) {
		indexed += n;
		await yieldToEventLoop();
	}

	// 2. Re-tag everything when an admin changed the rules since the texts were tagged.
	const version = rulesVersion(db);
	let retagged = false;
	if (readState(db, 'tagged_version', 0) !== version) {
		for (let at: number | null = 0; at !== null; at = retagBatch(db, at)) await yieldToEventLoop();
		writeState(db, 'tagged_version', version);
		retagged = true;
	}

	// 3. Refit the topics when there is no model, it is old, or the corpus grew a lot since.
	const model = currentModel(db);
	const sinceFit = model ? readState(db, 'docs', 0) - readState(db, 'docs_at_fit', 0) : 0;
	const due =
		options.forceRefit ||
		!model ||
		Date.now() - model.fittedAt > (options.refitEveryMs ?? 6 * 3_600_000) ||
		sinceFit > Math.max(50, model.docs * (options.refitGrowth ?? 0.25));
	let refitted = false;
	if (due && indexed + (model?.docs ?? 0) > 0) {
		const fresh = refitTopicModel(db, options);
		if (fresh) {
			for (let at: number | null = 0; at !== null; at = reassignBatch(db, fresh, at))
				await yieldToEventLoop();
			writeState(db, 'docs_at_fit', readState(db, 'docs', 0));
			refitted = true;
		}
	}
	// Warm the report cache for the default view (the first visit to /voice then reads from memory).
	if (indexed > 0 || retagged || refitted) topics(db, defaultPeriod());
	return {
		indexed,
		retagged,
		refitted,
		topics: currentModel(db)?.topics.length ?? 0,
		ms: Math.round(performance.now() - started)
	};
}

/**
 * The background job of the text module: index new texts, re-tag after rule edits, refit topics when due.
 * Safe to call often (it does nothing when up to date) and concurrently (callers share the running pass).
 * Long passes yield to the event loop between batches; the k-means fit itself (≈ 1–3 s for 20,000 texts) does not.
 */
export function recomputeText(db: Db, options: RecomputeOptions = {}): Promise<RecomputeReport> {
	const pending = running.get(db);
	if (pending) return pending;
	const pass = run(db, options).finally(() => running.delete(db));
	running.set(db, pass);
	return pass;
}

/**
 * Runs `recomputeText` now and then every `intervalMs` (default 5 min) until the returned function is called.
 * For the server's start: `const stop = scheduleTextRecompute(db)`.
 */
export function scheduleTextRecompute(
	db: Db,
	options: RecomputeOptions & { intervalMs?: number; onError?: (error: unknown) => void } = {}
): () => void {
	const onError = options.onError ?? ((e: unknown) => console.error('[resonance] text recompute failed', e));
	const tick = () => void recomputeText(db, options).catch(onError);
	tick();
	const timer = setInterval(tick, options.intervalMs ?? 5 * 60_000);
	timer.unref?.();
	return () => clearInterval(timer);
}

/**
 * Makes sure a first index and topic model exist before a read (the first visit to /voice on a database the
 * scheduler has not reached yet). Returns at once when a model exists.
 */
export async function ensureTextIndex(db: Db): Promise<void> {
	if (currentModel(db)) return;
	await recomputeText(db);
}
