import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import { writeEvents, type WriteOptions, type WriteResult } from '$lib/server/ingest/writer';

/**
 * For tests: writes events the way ingestion does. The writer maintains the rollups itself (applyToRollups in its
 * transaction, unless `derive: false`), so this is writeEvents with rollups on; kept as the one name tests use.
 */
export function writeWithRollups(
	db: Db,
	events: readonly CxEvent[],
	options: WriteOptions = { sourceId: null }
): WriteResult {
	return writeEvents(db, events, { ...options, derive: true });
}
