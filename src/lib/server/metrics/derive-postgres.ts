import type { PgTx } from '$lib/server/db/pg-tx';
import { journeyCatalogPostgres, stitchJourneysPostgres } from '$lib/server/journeys/stitch-postgres';
import type { StepSource } from '$lib/server/journeys/stitch';
import type { InsertedEvent } from './rollups';
import { applyToRollupsPostgres, sent, type PgRollupDeltas } from './rollups-postgres';

/**
 * The derived writes of a PostgreSQL write, in its transaction after the events are inserted: what applyToRollups
 * and stitchJourneys do on SQLite (rollup cells, contact-chain flags, complaint attribution, answer links, journey
 * instances). `inserted` are the events the write inserted (not duplicates) with their row seqs and stored
 * values; `created` the customers it created (their rows are taken from `inserted`, not read back); `cells`, when
 * given, collects the cell contributions for the caller to write (once per group commit) instead of writing them.
 */
export async function deriveOnPostgres(
	tx: PgTx,
	inserted: readonly (InsertedEvent & StepSource)[],
	options: { now: number; created: ReadonlySet<string>; cells?: PgRollupDeltas }
): Promise<void> {
	if (inserted.length === 0) return;
	// The journey catalog's reads are sent first, together with the rollups' first read (one round trip fewer).
	const catalog = sent(journeyCatalogPostgres(tx));
	await applyToRollupsPostgres(tx, inserted, options.created, options.cells);
	await stitchJourneysPostgres(tx, inserted, {
		now: options.now,
		created: options.created,
		catalog: await catalog
	});
}
