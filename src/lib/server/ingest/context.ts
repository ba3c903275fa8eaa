import { builtFile } from '$lib/server/built-files';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { asStorage, sqliteStorage, postgresStorage, type Storage } from '$lib/server/db/storage';
import { onCatalogChange } from '$lib/server/journeys/registry';
import { GroupCommit } from './batcher';
import { ingestConfig, type IngestConfig } from './config';
import { IngestMonitor } from './monitor';
import { startPruning } from './prune';
import { RateLimiter } from './rate-limit';
import { writeBatches } from './writer';
import { postgresWriter, type PgDerive } from './postgres-writer';
import { deriveOnPostgres } from '$lib/server/metrics/derive-postgres';
import { observeCommit } from '$lib/server/monitoring';
import { WriterThread } from './writer-client';

/** What the ingestion steps share within one process and database: the group committer, rate limits, pruning. */
export interface IngestContext {
	/** The database the events are written to. */
	storage: Storage;
	/**
	 * The SQLite handle, for the steps whose other domains still take a `Db` (write keys in auth/keys.ts). On
	 * PostgreSQL reading it throws: use `storage`.
	 */
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

export interface IngestContextOptions {
	/** The writer thread's entry file; defaults to the built one (none in dev and tests). */
	writerThreadUrl?: URL | string | null;
	/**
	 * PostgreSQL: what derives rollups, contact chains and journeys in each write's transaction. Undefined: the
	 * default (`DEFAULT_PG_DERIVE`); null: none (events, customers and directories only).
	 */
	derive?: PgDerive | null;
}

/** What PostgreSQL writes derive by default, in their transaction: rollups, contact chains, journeys. */
const DEFAULT_PG_DERIVE: PgDerive | null = deriveOnPostgres;

/** The group committer's settings and what it reports to the monitor. */
function committerFor(
	write: ConstructorParameters<typeof GroupCommit>[0],
	config: IngestConfig,
	monitor: IngestMonitor
): GroupCommit {
	return new GroupCommit(write, {
		maxDelayMs: config.groupCommitMs,
		maxEvents: config.groupCommitEvents,
		onCommit: (report) => {
			monitor.recordCommit(report, Date.now());
			observeCommit(report.durationMs, report.failed);
		}
	});
}

/** One ingestion context per engine: the SQLite writer (thread or inline) or the PostgreSQL writer in process. */
const contextFactories = {
	sqlite: (db: Db) => (config: IngestConfig, options: IngestContextOptions) =>
		createSqliteContext(db, config, options),
	postgres: (db: PgDb) => (config: IngestConfig, options: IngestContextOptions) =>
		createPostgresContext(db, config, options)
};

export function createIngestContext(
	target: Db | Storage,
	config: IngestConfig = ingestConfig(),
	options: IngestContextOptions = {}
): IngestContext {
	const storage = asStorage(target);
	// Not cached per database (byEngine would): a test may create several contexts on one database.
	return (
		storage.engine === 'sqlite' ? contextFactories.sqlite(storage.db) : contextFactories.postgres(storage.db)
	)(config, options);
}

/**
 * PostgreSQL: writes happen in this process (no writer thread: the server does the work, the pool waits on it),
 * group-committed like SQLite's, each request in a savepoint. Several processes write at once (postgres-writer.ts).
 */
function createPostgresContext(db: PgDb, config: IngestConfig, options: IngestContextOptions): IngestContext {
	const storage = postgresStorage(db);
	const writer = postgresWriter(db, {
		derive: (options.derive === undefined ? DEFAULT_PG_DERIVE : options.derive) ?? undefined
	});
	const monitor = new IngestMonitor(Date.now(), null);
	const committer = committerFor((batches) => writer.writeBatches(batches), config, monitor);
	const stopPruning = startPruning(storage, { windowMs: config.dedupeWindowMs });
	return {
		storage,
		get db(): Db {
			throw new Error("ingestion on PostgreSQL: use the context's storage, not its SQLite handle");
		},
		config,
		committer,
		limiter: new RateLimiter(),
		monitor,
		writerThread: null,
		async close() {
			stopPruning();
			await committer.drain();
		}
	};
}

function createSqliteContext(db: Db, config: IngestConfig, options: IngestContextOptions): IngestContext {
	const url =
		options.writerThreadUrl === undefined
			? config.writerThread
				? builtFile('ingest-writer.js')
				: null
			: options.writerThreadUrl;
	const thread =
		config.writerThread && url && !db.$client.memory
			? new WriterThread(new URL(url), { file: db.$client.name, dedupeWindowMs: config.dedupeWindowMs })
			: null;
	const monitor = new IngestMonitor(Date.now(), thread ? (since) => thread.utilization(since) : null);
	const committer = committerFor(
		thread ? (batches) => thread.write(batches) : (batches) => writeBatches(db, batches),
		config,
		monitor
	);
	// The de-duplication window lives where the writes happen.
	const stopPruning = thread ? () => undefined : startPruning(db, { windowMs: config.dedupeWindowMs });
	const stopListening = thread
		? onCatalogChange((changed) => changed === db && thread.catalogChanged())
		: () => undefined;
	return {
		storage: sqliteStorage(db),
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

const contexts = new WeakMap<object, IngestContext>();

/** Closes the ingestion context of a database, if one was created (at shutdown): every accepted event is committed. */
export async function closeIngestion(target: Db | Storage): Promise<void> {
	const { db } = asStorage(target);
	const ctx = contexts.get(db);
	contexts.delete(db);
	await ctx?.close();
}

/** The one ingestion context of a database in this process (created on first use). */
export function ingestContext(target: Db | Storage): IngestContext {
	const storage = asStorage(target);
	let ctx = contexts.get(storage.db);
	if (!ctx) contexts.set(storage.db, (ctx = createIngestContext(storage)));
	return ctx;
}
