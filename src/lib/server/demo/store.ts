import { sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { schema } from '$lib/server/db';
import { pgSchema, type PgDb } from '$lib/server/db/postgres';
import { forgetCustomers, writeEvents } from '$lib/server/ingest/writer';
import { postgresHistoryWriter, type HistoryWriter } from './history-postgres';

/**
 * What the demo reads and writes itself (db/storage.ts), one implementation per engine: whether the database is
 * empty, its sources (eligibility.ts), the center's directory and the history (seed.ts). The live simulator's
 * events go through ingestion.
 */
export interface DirectoryRows {
	teams: (typeof schema.teams.$inferInsert)[];
	agents: (typeof schema.agents.$inferInsert)[];
	dimensions: (typeof schema.dimensionValues.$inferInsert)[];
}

export interface DemoStore {
	hasEvents(): Promise<boolean>;
	/** Every source by id, with whether it has sent events. */
	sources(): Promise<{ id: number; name: string; hasEvents: boolean }[]>;
	/** Upserts teams, agents and dimension labels in one transaction. */
	writeDirectory(rows: DirectoryRows): Promise<void>;
	/**
	 * A writer of the seeded history, without de-duplication (ids are unique by construction) or derivation (the seed
	 * rebuilds rollups and journeys once at the end): the event writer on SQLite, bulk COPY on PostgreSQL.
	 */
	historyWriter(): HistoryWriter;
	/**
	 * Once the history and what is derived from it are written: the planner's statistics of the tables they filled
	 * refreshed (PostgreSQL: ANALYZE, so the first pages and jobs are not planned on the statistics of nearly empty
	 * tables); SQLite: nothing.
	 */
	refreshStatistics(): Promise<void>;
}

const ANY_EVENT = 'SELECT 1 AS one FROM events LIMIT 1';
const SOURCES = `SELECT s.id, s.name, EXISTS (SELECT 1 FROM events e WHERE e.source_id = s.id) AS has_events
	FROM sources s ORDER BY s.id`;

function sqliteDemoStore(db: Db): DemoStore {
	return {
		async refreshStatistics() {},
		async hasEvents() {
			return db.$client.prepare(ANY_EVENT).get() !== undefined;
		},
		async sources() {
			const rows = db.$client.prepare(SOURCES).all() as { id: number; name: string; has_events: number }[];
			return rows.map((r) => ({ id: r.id, name: r.name, hasEvents: r.has_events === 1 }));
		},
		async writeDirectory(rows) {
			db.transaction((tx) => {
				tx.insert(schema.teams)
					.values(rows.teams)
					.onConflictDoUpdate({
						target: schema.teams.id,
						set: { name: sql`excluded.name`, nameEn: sql`excluded.name_en`, site: sql`excluded.site` }
					})
					.run();
				tx.insert(schema.agents)
					.values(rows.agents)
					.onConflictDoUpdate({
						target: schema.agents.id,
						set: { name: sql`excluded.name`, teamId: sql`excluded.team_id` }
					})
					.run();
				tx.insert(schema.dimensionValues)
					.values(rows.dimensions)
					.onConflictDoUpdate({
						target: [schema.dimensionValues.dimension, schema.dimensionValues.value],
						set: { label: sql`excluded.label`, labelEn: sql`excluded.label_en` }
					})
					.run();
			});
		},
		historyWriter: () => ({
			async write(events) {
				writeEvents(db, events, { sourceId: null, dedupe: false, derive: false });
			},
			// The writer's cache of customers on this (the server's read) connection would otherwise hold every
			// customer of the history for the life of the process (the memory budget: bench/memory.js).
			finish: () => forgetCustomers(db)
		})
	};
}

function postgresDemoStore(db: PgDb): DemoStore {
	return {
		async refreshStatistics() {
			await db.$client.unsafe(
				'ANALYZE events, customers, metric_cells, metric_day_cells, journey_instances, journey_interactions'
			);
		},
		async hasEvents() {
			return (await db.$client.unsafe(ANY_EVENT)).length > 0;
		},
		async sources() {
			const rows = await db.$client.unsafe<{ id: number; name: string; has_events: boolean }[]>(SOURCES);
			return rows.map((r) => ({ id: r.id, name: r.name, hasEvents: r.has_events }));
		},
		async writeDirectory(rows) {
			await db.transaction(async (tx) => {
				await tx
					.insert(pgSchema.teams)
					.values(rows.teams)
					.onConflictDoUpdate({
						target: pgSchema.teams.id,
						set: { name: sql`excluded.name`, nameEn: sql`excluded.name_en`, site: sql`excluded.site` }
					});
				await tx
					.insert(pgSchema.agents)
					.values(rows.agents)
					.onConflictDoUpdate({
						target: pgSchema.agents.id,
						set: { name: sql`excluded.name`, teamId: sql`excluded.team_id` }
					});
				await tx
					.insert(pgSchema.dimensionValues)
					.values(rows.dimensions)
					.onConflictDoUpdate({
						target: [pgSchema.dimensionValues.dimension, pgSchema.dimensionValues.value],
						set: { label: sql`excluded.label`, labelEn: sql`excluded.label_en` }
					});
			});
		},
		historyWriter: () => postgresHistoryWriter(db)
	};
}

export const demoStores = { sqlite: sqliteDemoStore, postgres: postgresDemoStore };
