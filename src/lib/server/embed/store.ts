import { and, asc, desc, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { pgSchema } from '$lib/server/db/postgres';
import { embedIntegrations, embedViews } from '$lib/server/db/schema';

/**
 * The embed tables' storage, one implementation per engine (db/storage.ts): integrations, the usage record and the
 * customer card's open follow-up case. The SQL is the same but for the China-time day of a view (strftime on SQLite,
 * to_char on PostgreSQL).
 */
export type IntegrationRow = typeof embedIntegrations.$inferSelect;
export type ViewRow = typeof embedViews.$inferSelect;

export interface EmbedStore {
	insertIntegration(row: typeof embedIntegrations.$inferInsert): Promise<IntegrationRow>;
	listIntegrations(): Promise<IntegrationRow[]>;
	integration(id: string): Promise<IntegrationRow | null>;
	/** Sets revoked_before; null when unknown. */
	revoke(id: string, now: number): Promise<IntegrationRow | null>;
	/** Deletes; the deleted row, or null when unknown. */
	remove(id: string): Promise<IntegrationRow | null>;
	insertView(row: typeof embedViews.$inferInsert): Promise<void>;
	viewsByDay(from: number): Promise<{ integrationId: string; day: string; views: number }[]>;
	recentViews(limit: number, from: number): Promise<ViewRow[]>;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

function sqliteEmbedStore(db: Db): EmbedStore {
	const i = embedIntegrations;
	const v = embedViews;
	return {
		async insertIntegration(row) {
			return db.insert(i).values(row).returning().get();
		},
		async listIntegrations() {
			return db.select().from(i).orderBy(asc(i.createdAt)).all();
		},
		async integration(id) {
			return db.select().from(i).where(eq(i.id, id)).get() ?? null;
		},
		async revoke(id, now) {
			return db.update(i).set({ revokedBefore: now }).where(eq(i.id, id)).returning().get() ?? null;
		},
		async remove(id) {
			return db.delete(i).where(eq(i.id, id)).returning().get() ?? null;
		},
		async insertView(row) {
			db.insert(v).values(row).run();
		},
		async viewsByDay(from) {
			const day = sql<string>`strftime('%Y-%m-%d', (${v.ts} + ${CHINA_OFFSET_MS}) / 1000, 'unixepoch')`;
			return db
				.select({ integrationId: v.integrationId, day, views: sql<number>`count(*)` })
				.from(v)
				.where(gte(v.ts, from))
				.groupBy(v.integrationId, day)
				.orderBy(desc(day), v.integrationId)
				.all();
		},
		async recentViews(limit, from) {
			return db
				.select()
				.from(v)
				.where(and(gte(v.ts, from)))
				.orderBy(desc(v.ts), desc(v.id))
				.limit(limit)
				.all();
		}
	};
}

function postgresEmbedStore(db: PgDb): EmbedStore {
	const i = pgSchema.embedIntegrations;
	const v = pgSchema.embedViews;
	return {
		async insertIntegration(row) {
			const [created] = await db.insert(i).values(row).returning();
			return created;
		},
		async listIntegrations() {
			return await db.select().from(i).orderBy(asc(i.createdAt));
		},
		async integration(id) {
			const [row] = await db.select().from(i).where(eq(i.id, id));
			return row ?? null;
		},
		async revoke(id, now) {
			const [row] = await db.update(i).set({ revokedBefore: now }).where(eq(i.id, id)).returning();
			return row ?? null;
		},
		async remove(id) {
			const [row] = await db.delete(i).where(eq(i.id, id)).returning();
			return row ?? null;
		},
		async insertView(row) {
			await db.insert(v).values(row);
		},
		async viewsByDay(from) {
			const day = sql<string>`to_char(to_timestamp((${v.ts} + ${sql.raw(String(CHINA_OFFSET_MS))}) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
			return await db
				.select({ integrationId: v.integrationId, day, views: sql<number>`count(*)` })
				.from(v)
				.where(gte(v.ts, from))
				.groupBy(v.integrationId, day)
				.orderBy(desc(day), v.integrationId);
		},
		async recentViews(limit, from) {
			return await db.select().from(v).where(gte(v.ts, from)).orderBy(desc(v.ts), desc(v.id)).limit(limit);
		}
	};
}

export const embedStores = { sqlite: sqliteEmbedStore, postgres: postgresEmbedStore };
