import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * How often the checkpointer copies committed pages from the WAL back into the database file while the writer is
 * busy. At full load a group commit lands every ~100 ms; a quarter second keeps each pass to a few commits' pages.
 */
export const CHECKPOINT_INTERVAL_MS = 250;

/**
 * How often it looks when the writer is not busy (a live simulator, a quiet night). Each pass that copies anything
 * syncs the WAL and the database file: four a second cost an almost idle server ~1% of a core for nothing, while
 * the writer's own `wal_autocheckpoint` only ever finds a couple of seconds of pages at this pace.
 */
export const CHECKPOINT_IDLE_INTERVAL_MS = 2_000;

/** WAL frames (pages) written per second from which the writer counts as busy: 4 MB/s at 4 KB pages. */
export const BUSY_FRAMES_PER_SECOND = 1_000;

/**
 * The delay before the next pass, from the last delay and the frames the writer added to the WAL since the pass
 * before (`log` after a restart of the WAL counts from zero). Busy: the short interval at once. Not busy: the delay
 * doubles up to the idle interval. Self-contained: it runs in the thread as its source text.
 */
export function nextCheckpointDelay(
	delayMs: number,
	newFrames: number,
	fastMs: number,
	idleMs: number,
	busyFramesPerSecond: number
): number {
	if (newFrames * 1000 >= busyFramesPerSecond * delayMs) return fastMs;
	return Math.min(idleMs, delayMs * 2);
}

/**
 * The frames the writer added to the WAL since the pass before, from that pass's figures and this one's `log`
 * (`PRAGMA wal_checkpoint` returns the WAL's frames and how many of them are copied back). After a pass that copied
 * everything the writer restarts the WAL at its next transaction, counting from zero again: then every frame of
 * `log` is new (and an unchanged `log` means no write at all). Otherwise the WAL can only have grown.
 * Self-contained: it runs in the thread as its source text.
 */
export function framesSinceLastPass(last: { log: number; copied: number }, log: number): number {
	if (last.copied >= last.log) return log === last.log ? 0 : log;
	return log >= last.log ? log - last.log : log;
}

/**
 * The thread's code: plain JavaScript run as an `eval` worker, so the thread loads better-sqlite3 alone (~45 MB less
 * than a second copy of the writer's bundle). PASSIVE never waits for, nor blocks, the writer or readers. A failure
 * is not fatal (the writer's own autocheckpoint still bounds the WAL) and is said once, not every quarter second.
 */
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const connection = new Database(workerData.file, { fileMustExist: true });
const nextDelay = ${nextCheckpointDelay.toString()};
const framesSince = ${framesSinceLastPass.toString()};
const { fastMs, idleMs, busyFramesPerSecond } = workerData;
let failed = false;
let delay = fastMs;
let last = { log: 0, copied: 0 };
let timer;
const pass = () => {
	let newFrames = 0;
	try {
		const [{ log, checkpointed }] = connection.pragma('wal_checkpoint(PASSIVE)');
		newFrames = framesSince(last, log);
		last = { log, copied: checkpointed };
	} catch (error) {
		if (!failed) console.error('ingest: the WAL checkpointer failed; the writer checkpoints alone', error);
		failed = true;
	}
	delay = nextDelay(delay, newFrames, fastMs, idleMs, busyFramesPerSecond);
	timer = setTimeout(pass, delay);
};
timer = setTimeout(pass, delay);
parentPort.once('message', () => {
	clearTimeout(timer);
	connection.close();
	parentPort.close();
});
`;

/**
 * The writer thread's checkpointer, a thread of its own with its own connection to `file`: it checkpoints the WAL
 * every `fastMs` while the writer is busy (every `idleMs` at most when it is not), so the page copies and the two
 * fsyncs of a checkpoint happen beside the writer instead of inside one of its commits. The writer's
 * `wal_autocheckpoint` (db/index.ts) then finds almost everything copied: it copies the last few commits' pages and
 * restarts the WAL. On the contact-heavy mix (bench/ingest.ts) that took the writer's time blocked on the disk from
 * ~3.6 to ~1.9 µs per event and its CPU down by ~2 µs (session 13). Commits, and what readers see, are unchanged: a
 * checkpoint only moves pages already committed.
 */
export function startCheckpointer(
	file: string,
	{ fastMs = CHECKPOINT_INTERVAL_MS, idleMs = CHECKPOINT_IDLE_INTERVAL_MS } = {}
): { stop: () => Promise<void> } {
	const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
	const worker = new Worker(THREAD_CODE, {
		eval: true,
		workerData: { file, sqlite, fastMs, idleMs, busyFramesPerSecond: BUSY_FRAMES_PER_SECOND },
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
