/**
 * PostgreSQL's side of retention (beside sqlite.ts): one small batch of raw events older than a cutoff, with their
 * text documents, deleted in one short transaction. Several processes may prune at once (each skips rows another
 * has locked), though the schedule runs it in one (db/jobs.ts).
 */
import type { PgDb } from '$lib/server/db/postgres';
import type { PrunedBatch } from './sqlite';

export async function pruneEventBatch(db: PgDb, before: number, limit: number): Promise<PrunedBatch> {
	return db.$client.begin(async (sql) => {
		const rows = await sql<{ seq: number }[]>`
			SELECT seq FROM events WHERE ts < ${before} ORDER BY ts LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
		if (!rows.length) return { events: 0, texts: 0 };
		const seqs = rows.map((r) => r.seq);
		const texts = await sql`DELETE FROM text_docs WHERE seq = ANY(${seqs}::bigint[])`;
		const events = await sql`DELETE FROM events WHERE seq = ANY(${seqs}::bigint[])`;
		return { events: events.count, texts: texts.count };
	});
}

export async function oldestEvent(db: PgDb): Promise<number | null> {
	const [row] = await db.$client<{ oldest: number | null }[]>`SELECT min(ts) AS oldest FROM events`;
	return row?.oldest ?? null;
}
