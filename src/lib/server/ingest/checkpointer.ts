import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * How often the checkpointer copies committed pages from the WAL back into the database file. At full load a
 * group commit lands every ~100 ms; a quarter second keeps each pass to a few commits' pages.
 */
export const CHECKPOINT_INTERVAL_MS = 250;

/**
 * The thread's code: plain JavaScript run as an `eval` worker, so the thread loads better-sqlite3 alone (~45 MB less
 * than a second copy of the writer's bundle). PASSIVE never waits for, nor blocks, the writer or readers. A failure
 * is not fatal (the writer's own autocheckpoint still bounds the WAL) and is said once, not every quarter second.
 */
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const connection = new Database(workerData.file, { fileMustExist: true });
let failed = false;
const timer = setInterval(() => {
	try {
		connection.pragma('wal_checkpoint(PASSIVE)');
	} catch (error) {
		if (!failed) console.error('ingest: the WAL checkpointer failed; the writer checkpoints alone', error);
		failed = true;
	}
}, workerData.intervalMs);
parentPort.once('message', () => {
	clearInterval(timer);
	connection.close();
	parentPort.close();
});
`;

/**
 * The writer thread's checkpointer, a thread of its own with its own connection to `file`: it checkpoints the WAL
 * every `intervalMs`, so the page copies and the two fsyncs of a checkpoint happen beside the writer instead of
 * inside one of its commits. The writer's `wal_autocheckpoint` (db/index.ts) then finds almost everything copied:
 * it copies the last few commits' pages and restarts the WAL. On the contact-heavy mix (bench/ingest.ts) that took
 * the writer's time blocked on the disk from ~3.6 to ~1.9 µs per event and its CPU down by ~2 µs (session 13).
 * Commits, and what readers see, are unchanged: a checkpoint only moves pages already committed.
 */
export function startCheckpointer(
	file: string,
	intervalMs = CHECKPOINT_INTERVAL_MS
): { stop: () => Promise<void> } {
	const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
	const worker = new Worker(THREAD_CODE, {
		eval: true,
		workerData: { file, sqlite, intervalMs },
		name: 'resonance-checkpointer'
	});
	// It never keeps the writer thread alive on its own.
	worker.unref();
	worker.on('error', (error) => console.error('ingest: the WAL checkpointer thread failed', error));
	const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
	return {
		stop() {
			worker.postMessage('stop');
			return exited;
		}
	};
}
