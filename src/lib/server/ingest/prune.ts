import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { runExclusive } from '$lib/server/db/jobs';
import { ingestStores } from './store';

export interface PruneOptions {
	/** Ids first seen longer ago than this are forgotten (RESONANCE_DEDUPE_WINDOW_DAYS, default 7 days). */
	windowMs: number;
	/** Time between sweeps. */
	everyMs?: number;
	/** A sweep deletes at most this many log rows at a time, with a pause between. */
	rowsPerStep?: number;
	pauseMs?: number;
}

/**
 * Forgets de-duplication ids first seen before `before` (epoch ms), at most `limit` log rows a call; on SQLite also
 * from the writer's memory (writer.ts `pruneSqliteEventIds`). Returns the rows deleted; call again while it returns
 * `limit`.
 */
export async function pruneEventIds(target: Db | Storage, before: number, limit = 20_000): Promise<number> {
	return byEngine(asStorage(target), ingestStores).pruneEventIds(before, limit);
}

/**
 * Keeps the de-duplication table compact: every `everyMs` (default an hour) a sweep deletes ids older than the
 * window, a few thousand rows at a time so ingestion is never blocked for long. On PostgreSQL one process sweeps
 * at a time (an advisory lock; the others skip that step). Returns a function that stops it.
 */
export function startPruning(target: Db | Storage, options: PruneOptions): () => void {
	const storage = asStorage(target);
	const { windowMs, everyMs = 3_600_000, rowsPerStep = 20_000, pauseMs = 20 } = options;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	const schedule = (fn: () => void, ms: number) => {
		if (stopped) return;
		timer = setTimeout(fn, ms);
		timer.unref?.();
	};
	const sweep = async (before: number) => {
		let deleted = 0;
		try {
			const step = await runExclusive(storage, 'ingest.prune-event-ids', () =>
				pruneEventIds(storage, before, rowsPerStep)
			);
			if (step.ran) deleted = step.value;
		} catch (error) {
			console.error('ingest: pruning de-duplication ids failed', error);
		}
		if (deleted >= rowsPerStep) schedule(() => void sweep(before), pauseMs);
		else schedule(start, everyMs);
	};
	const start = () => void sweep(Date.now() - windowMs);
	schedule(start, Math.min(everyMs, 60_000));
	return () => {
		stopped = true;
		clearTimeout(timer);
	};
}
