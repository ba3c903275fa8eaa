import { inArray, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { pgSchema, type PgDb } from '$lib/server/db/postgres';
import { sources } from '$lib/server/db/schema';
import { pruneSqliteEventIds } from './writer';

/**
 * What ingestion reads and maintains besides the writes themselves, one implementation per engine (db/storage.ts).
 * The writes are writer.ts (SQLite, in the writer thread or inline) and postgres-writer.ts.
 */
export interface IngestStore {
	/**
	 * Forgets de-duplication ids first seen before `before` (epoch ms), at most `limit` log rows a call (the oldest
	 * by seq). Returns the rows deleted; call again while it returns `limit`.
	 */
	pruneEventIds(before: number, limit: number): Promise<number>;
	/** The names of these sources (a deleted one is missing). */
	sourceNames(ids: number[]): Promise<Map<number, string>>;
	/** Whether any source allows this origin (or `*`). */
	originAllowedAnywhere(origin: string): Promise<boolean>;
}

const allows = (allowed: string[], origin: string) => allowed.includes(origin) || allowed.includes('*');

function sqliteIngestStore(db: Db): IngestStore {
	return {
		async pruneEventIds(before, limit) {
			return pruneSqliteEventIds(db, before, limit);
		},
		async sourceNames(ids) {
			if (!ids.length) return new Map();
			const rows = db
				.select({ id: sources.id, name: sources.name })
				.from(sources)
				.where(inArray(sources.id, ids))
				.all();
			return new Map(rows.map((s) => [s.id, s.name]));
		},
		async originAllowedAnywhere(origin) {
			return db
				.select({ allowed: sources.allowedOrigins })
				.from(sources)
				.all()
				.some(({ allowed }) => allows(allowed, origin));
		}
	};
}

function postgresIngestStore(db: PgDb): IngestStore {
	const t = pgSchema.sources;
	return {
		async pruneEventIds(before, limit) {
			// The log is in arrival order (by seq, give or take the processes' clocks): the old rows are a prefix.
			const result = await db.execute(sql`DELETE FROM event_ids WHERE seen_at < ${before}::bigint AND seq <= (
				SELECT max(seq) FROM (SELECT seq, seen_at FROM event_ids ORDER BY seq LIMIT ${limit}::bigint) AS head
				WHERE seen_at < ${before}::bigint)`);
			return result.count;
		},
		async sourceNames(ids) {
			if (!ids.length) return new Map();
			const rows = await db.select({ id: t.id, name: t.name }).from(t).where(inArray(t.id, ids));
			return new Map(rows.map((s) => [s.id, s.name]));
		},
		async originAllowedAnywhere(origin) {
			const rows = await db.select({ allowed: t.allowedOrigins }).from(t);
			return rows.some(({ allowed }) => allows(allowed, origin));
		}
	};
}

export const ingestStores = { sqlite: sqliteIngestStore, postgres: postgresIngestStore };
