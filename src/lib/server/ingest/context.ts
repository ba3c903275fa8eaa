import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Db } from '$lib/server/db';
import { onCatalogChange } from '$lib/server/journeys/registry';
import { GroupCommit } from './batcher';
import { ingestConfig, type IngestConfig } from './config';
import { IngestMonitor } from './monitor';
import { startPruning } from './prune';
import { RateLimiter } from './rate-limit';
import { writeBatches } from './writer';
import { observeCommit } from '$lib/server/monitoring';
import { WriterThread } from './writer-client';

/** What the ingestion steps share within one process and database: the group committer, rate limits, pruning. */
export interface IngestContext {
	db: Db;
	config: IngestConfig;
	committer: GroupCommit;
	limiter: RateLimiter;
	/** What each source sent and how the writer keeps up, in memory, since this context was created. */
	monitor: IngestMonitor;
	/** The writer thread, when writes go through one (a file database in the built server). */
	writerThread: WriterThread | null;
	/** Writes what is waiting, stops the background pruning and the writer thread. */
	close(): Promise<void>;
}

/**
 * The built writer thread (build/ingest-writer.js, written by `npm run build` next to the server's entry), found by
 * looking up from this module's folder: in the built server that is build/server/chunks/…; in dev and tests (the
 * source tree) there is none.
 */
function builtWriterThread(): URL | null {
	let dir = path.dirname(fileURLToPath(import.meta.url));
	for (let up = 0; up < 5; up++) {
		const file = path.join(dir, 'ingest-writer.js');
		if (existsSync(file)) return pathToFileURL(file);
		const parent = path.dirname(dir);
		if (parent === dir) break;
		dir = parent;
	}
	return null;
}

export interface IngestContextOptions {
	/** The writer thread's entry file; defaults to the built one (none in dev and tests). */
	writerThreadUrl?: URL | string | null;
}

export function createIngestContext(
	db: Db,
	config: IngestConfig = ingestConfig(),
	options: IngestContextOptions = {}
): IngestContext {
	const url =
		options.writerThreadUrl === undefined
			? config.writerThread
				? builtWriterThread()
				: null
			: options.writerThreadUrl;
	const thread =
		config.writerThread && url && !db.$client.memory
			? new WriterThread(new URL(url), { file: db.$client.name, dedupeWindowMs: config.dedupeWindowMs })
			: null;
	const monitor = new IngestMonitor(Date.now(), thread ? (since) => thread.utilization(since) : null);
	const committer = new GroupCommit(
		thread ? (batches) => thread.write(batches) : (batches) => writeBatches(db, batches),
		{
			maxDelayMs: config.groupCommitMs,
			maxEvents: config.groupCommitEvents,
			onCommit: (report) => {
				monitor.recordCommit(report, Date.now());
				observeCommit(report.durationMs, report.failed);
			}
		}
	);
	// The de-duplication window lives where the writes happen.
	const stopPruning = thread ? () => undefined : startPruning(db, { windowMs: config.dedupeWindowMs });
	const stopListening = thread
		? onCatalogChange((changed) => changed === db && thread.catalogChanged())
		: () => undefined;
	return {
		db,
		config,
		committer,
		limiter: new RateLimiter(),
		monitor,
		writerThread: thread,
		async close() {
			stopPruning();
			stopListening();
			await committer.drain();
			await thread?.close();
		}
	};
}

const contexts = new WeakMap<Db, IngestContext>();

/** Closes the ingestion context of a database, if one was created (at shutdown). */
export async function closeIngestion(db: Db): Promise<void> {
	const ctx = contexts.get(db);
	contexts.delete(db);
	await ctx?.close();
}

/** The one ingestion context of a database (created on first use). */
export function ingestContext(db: Db): IngestContext {
	let ctx = contexts.get(db);
	if (!ctx) contexts.set(db, (ctx = createIngestContext(db)));
	return ctx;
}
