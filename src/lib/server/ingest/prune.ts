import type { Db } from '$lib/server/db';
import { pruneEventIds } from './writer';

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
 * Keeps the de-duplication table compact: every `everyMs` (default an hour) a sweep deletes ids older than the
 * window, a few thousand rows at a time so ingestion is never blocked for long. Returns a function that stops it.
 */
export function startPruning(db: Db, options: PruneOptions): () => void {
	const { windowMs, everyMs = 3_600_000, rowsPerStep = 20_000, pauseMs = 20 } = options;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	const schedule = (fn: () => void, ms: number) => {
		if (stopped) return;
		timer = setTimeout(fn, ms);
		timer.unref?.();
	};
	const sweep = (before: number) => {
		let deleted = 0;
		try {
			deleted = pruneEventIds(db, before, rowsPerStep);
		} catch (error) {
			console.error('ingest: pruning de-duplication ids failed', error);
		}
		if (deleted >= rowsPerStep) schedule(() => sweep(before), pauseMs);
		else schedule(start, everyMs);
	};
	const start = () => sweep(Date.now() - windowMs);
	schedule(start, Math.min(everyMs, 60_000));
	return () => {
		stopped = true;
		clearTimeout(timer);
	};
}
