/**
 * SQLite's side of retention (postgres.ts beside it): one small batch of raw events older
 * than a cutoff, with their text documents, deleted in one short write transaction.
 */
import type { Db } from '$lib/server/db';

export interface PrunedBatch {
	events: number;
	texts: number;
}

/**
 * Deletes at most `limit` events with `ts < before` (found through the `events_ts` index) and the text documents
 * of those events. Rollups, contact-chain flags and journey instances are not touched: they were derived when the
 * events arrived and keep the KPIs of those days as they were.
 */
export function pruneEventBatch(db: Db, before: number, limit: number): PrunedBatch {
	const c = db.$client;
	return c
		.transaction(() => {
			const seqs = c
				.prepare('SELECT seq FROM events WHERE ts < ? ORDER BY ts LIMIT ?')
				.pluck()
				.all(before, limit) as number[];
			if (!seqs.length) return { events: 0, texts: 0 };
			const list = JSON.stringify(seqs);
			const texts = c
				.prepare('DELETE FROM text_docs WHERE seq IN (SELECT value FROM json_each(?))')
				.run(list).changes;
			const events = c
				.prepare('DELETE FROM events WHERE seq IN (SELECT value FROM json_each(?))')
				.run(list).changes;
			return { events, texts };
		})
		.immediate();
}

export function oldestEvent(db: Db): number | null {
	return (db.$client.prepare('SELECT min(ts) FROM events').pluck().get() as number | null) ?? null;
}
