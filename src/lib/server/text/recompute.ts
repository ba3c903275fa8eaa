import type { Db } from '$lib/server/db';
import { runExclusive } from '$lib/server/db/jobs';
import { asStorage, type Storage } from '$lib/server/db/storage';
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
import { readState, textStore, writeState } from './state';

export interface RecomputeOptions extends RefitOptions {
	/** Texts analyzed per write transaction. */
	batchSize?: number;
	/** Refit the topic model when it is older than this (default 6 h) … */
	refitEveryMs?: number;
	/** … or when the texts indexed since the fit exceed this share of the texts it was fitted on (default 0.25). */
	refitGrowth?: number;
	/** Refit whatever the age. */
	forceRefit?: boolean;
	/** Texts indexed in one pass from which text_docs' planner statistics are refreshed at once (default 1,000). */
	refreshStatisticsAfter?: number;
}

export interface RecomputeReport {
	indexed: number;
	retagged: boolean;
	refitted: boolean;
	topics: number;
	ms: number;
	/** True when another server process was running the pass (PostgreSQL): this one did nothing. */
	skipped?: boolean;
}

/** Lets the event loop breathe between batches (HTTP requests and SSE keep flowing during a long recompute). */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const running = new WeakMap<object, Promise<RecomputeReport>>();

async function run(db: Storage, options: RecomputeOptions): Promise<RecomputeReport> {
	const started = performance.now();
	const batchSize = options.batchSize ?? 2000;

	// 1. Index new texts (sentiment, terms, tags, topic under the current model; events.sentiment backfilled).
	let indexed = 0;
	for (let n = await indexTextBatch(db, batchSize); n > 0; n = await indexTextBatch(db, batchSize)) {
		indexed += n;
		await yieldToEventLoop();
	}

	// 2. Re-tag everything when an admin changed the rules since the texts were tagged.
	const version = await rulesVersion(db);
	let retagged = false;
	if ((await readState(db, 'tagged_version', 0)) !== version) {
		for (let at: number | null = 0; at !== null; at = await retagBatch(db, at)) await yieldToEventLoop();
		await writeState(db, 'tagged_version', version);
		retagged = true;
	}

	// 3. Refit the topics when there is no model, it is old, or the corpus grew a lot since.
	const model = await currentModel(db);
	const sinceFit = model ? (await readState(db, 'docs', 0)) - (await readState(db, 'docs_at_fit', 0)) : 0;
	const due =
		options.forceRefit ||
		!model ||
		Date.now() - model.fittedAt > (options.refitEveryMs ?? 6 * 3_600_000) ||
		sinceFit > Math.max(50, model.docs * (options.refitGrowth ?? 0.25));
	let refitted = false;
	if (due && indexed + (model?.docs ?? 0) > 0) {
		const fresh = await refitTopicModel(db, options);
		if (fresh) {
			for (let at: number | null = 0; at !== null; at = await reassignBatch(db, fresh, at))
				await yieldToEventLoop();
			await writeState(db, 'docs_at_fit', await readState(db, 'docs', 0));
			refitted = true;
		}
	}
	// The reports (the warm-up below, the pages) are planned on text_docs' statistics: after a bulk of new texts (a
	// seed, an import) or a refit (every text's topic reassigned) they are refreshed now, not whenever autovacuum
	// gets there. Planned on those of the texts before their topics were set, the NPS-by-topic report ran 311 s.
	if ((indexed > 0 && indexed >= (options.refreshStatisticsAfter ?? 1_000)) || refitted)
		await textStore(db).refreshStatistics();
	// Warm the report cache for the default view (the first visit to /voice then reads from memory).
	if (indexed > 0 || retagged || refitted) await topics(db, defaultPeriod());
	return {
		indexed,
		retagged,
		refitted,
		topics: (await currentModel(db))?.topics.length ?? 0,
		ms: Math.round(performance.now() - started)
	};
}

/** What a process reports when another one held the job (nothing done here). */
async function skipped(db: Storage, started: number): Promise<RecomputeReport> {
	return {
		indexed: 0,
		retagged: false,
		refitted: false,
		topics: (await currentModel(db))?.topics.length ?? 0,
		ms: Math.round(performance.now() - started),
		skipped: true
	};
}

/**
 * The background job of the text module: index new texts, re-tag after rule edits, refit topics when due.
 * Safe to call often (it does nothing when up to date) and concurrently (callers in a process share the running
 * pass; on PostgreSQL one process runs it at a time, the others skip: db/jobs.ts).
 * Long passes yield to the event loop between batches; the k-means fit itself (≈ 1–3 s for 20,000 texts) does not.
 */
export function recomputeText(
	target: Db | Storage,
	options: RecomputeOptions = {}
): Promise<RecomputeReport> {
	const storage = asStorage(target);
	const pending = running.get(storage.db);
	if (pending) return pending;
	const started = performance.now();
	const pass = runExclusive(storage, 'text-recompute', () => run(storage, options))
		.then((outcome) => (outcome.ran ? outcome.value : skipped(storage, started)))
		.finally(() => running.delete(storage.db));
	running.set(storage.db, pass);
	return pass;
}

/**
 * Runs `recomputeText` now and then every `intervalMs` (default 5 min) until the returned function is called.
 * For the server's start: `const stop = scheduleTextRecompute(db)`.
 */
export function scheduleTextRecompute(
	db: Db | Storage,
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
export async function ensureTextIndex(db: Db | Storage): Promise<void> {
	if (await currentModel(db)) return;
	await recomputeText(db);
}
