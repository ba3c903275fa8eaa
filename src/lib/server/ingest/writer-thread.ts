/**
 * The writer thread's entry point (a `worker_threads` Worker; see writer-client.ts). It owns the database
 * connection that ingestion writes through: group-committed batches arrive as messages, are written by
 * `writeBatches` (events, de-duplication log, customers, rollups and journey instances in one transaction) and
 * answered after the commit. It also prunes the de-duplication window, whose in-memory part lives here, and starts
 * the WAL checkpointer beside it (checkpointer.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, sqliteCacheMb } from '$lib/server/db';
import { forgetCatalog } from '$lib/server/journeys/registry';
import { keepRecentFacts } from '$lib/server/metrics/rollups';
import { scoreSentiment } from '$lib/server/text';
import { startCheckpointer } from './checkpointer';
import { startPruning } from './prune';
import { writeBatches } from './writer';
import type { ToWriter, FromWriter, WriterThreadData } from './writer-protocol';

const port = parentPort;
if (!port) throw new Error('writer-thread.ts runs as a worker thread');
const data = workerData as WriterThreadData;
// The writer's page cache keeps the index pages that ingestion touches hot: RESONANCE_SQLITE_WRITER_CACHE_MB, else 64.
const db = openDatabase(data.file, {
	cacheMb: sqliteCacheMb(process.env, 'RESONANCE_SQLITE_WRITER_CACHE_MB', 64)
});
// Only this thread writes events through this connection: the writer may keep recent customers' rows between
// transactions (metrics/rollups.ts RecentFacts; anything another connection commits drops them).
keepRecentFacts(db);
// Load the segmentation dictionary before the first transaction rather than inside it.
scoreSentiment('预热');
const stopPruning = startPruning(db, { windowMs: data.dedupeWindowMs });
const checkpointer = startCheckpointer(data.file);

port.on('message', (message: ToWriter) => {
	if (message.kind === 'write') {
		let reply: FromWriter;
		try {
			const results = writeBatches(db, message.batches);
			reply = {
				kind: 'written',
				id: message.id,
				results: results.map((r) => (r instanceof Error ? { error: r.message } : { ok: r }))
			};
		} catch (error) {
			reply = {
				kind: 'failed',
				id: message.id,
				error: error instanceof Error ? error.message : String(error)
			};
		}
		port.postMessage(reply);
	} else if (message.kind === 'catalog-changed') forgetCatalog(db);
	else if (message.kind === 'close') {
		stopPruning();
		// Its connection closes first: the writer's, closing last, checkpoints what is left and removes the WAL.
		void checkpointer.stop().then(() => {
			db.$client.close();
			port.postMessage({ kind: 'closed' } satisfies FromWriter);
			port.close();
		});
	}
});
port.postMessage({ kind: 'ready' } satisfies FromWriter);
