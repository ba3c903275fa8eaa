import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import { writeEvents, type WriteOptions, type WriteResult } from '$lib/server/ingest/writer';
import { applyToRollups, type InsertedEvent } from './rollups';

/**
 * For tests (and until the writer calls applyToRollups itself): writeEvents and applyToRollups in one transaction,
 * the way the writer will do it. The inserted rows are read back by seq to pair each accepted event with its seq
 * and the segment, region and sentiment stamped on its row.
 */
export function writeWithRollups(
	db: Db,
	events: readonly CxEvent[],
	options: WriteOptions = { sourceId: null }
): WriteResult {
	const c = db.$client;
	return c.transaction(() => {
		const before = Number(c.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck().get());
		const result = writeEvents(db, events, options);
		const rows = c
			.prepare('SELECT seq, segment, region, sentiment FROM events WHERE seq > ? ORDER BY seq')
			.all(before) as {
			seq: number;
			segment: string | null;
			region: string | null;
			sentiment: number | null;
		}[];
		const skipped = new Set(result.duplicateIndexes);
		const accepted = events.filter((_, i) => !skipped.has(i));
		if (accepted.length !== rows.length) throw new Error('inserted rows do not match accepted events');
		const inserted: InsertedEvent[] = accepted.map((e, i) => ({ ...e, ...rows[i] }));
		applyToRollups(db, inserted);
		return result;
	})();
}
