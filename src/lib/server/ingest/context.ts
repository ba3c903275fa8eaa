import type { Db } from '$lib/server/db';
import { GroupCommit } from './batcher';
import { ingestConfig, type IngestConfig } from './config';
import { startPruning } from './prune';
import { RateLimiter } from './rate-limit';
import { writeBatches } from './writer';

/** What the ingestion steps share within one process and database: the group committer, rate limits, pruning. */
export interface IngestContext {
	db: Db;
	config: IngestConfig;
	committer: GroupCommit;
	limiter: RateLimiter;
	/** Writes what is waiting and stops the background pruning. */
	close(): void;
}

export function createIngestContext(db: Db, config: IngestConfig = ingestConfig()): IngestContext {
	const committer = new GroupCommit((batches) => writeBatches(db, batches), {
		maxDelayMs: config.groupCommitMs,
		maxEvents: config.groupCommitEvents
	});
	const stopPruning = startPruning(db, { windowMs: config.dedupeWindowMs });
	return {
		db,
		config,
		committer,
		limiter: new RateLimiter(),
		close() {
			stopPruning();
			committer.drain();
		}
	};
}

const contexts = new WeakMap<Db, IngestContext>();

/** The one ingestion context of a database (created on first use). */
export function ingestContext(db: Db): IngestContext {
	let ctx = contexts.get(db);
	if (!ctx) contexts.set(db, (ctx = createIngestContext(db)));
	return ctx;
}
