import type { Db } from '$lib/server/db';
import { compileJourney, journeyDefinitionSchema, type CompiledJourney } from './definitions';
import type { EventNameMapping, JourneyRecord } from './registry';

/**
 * The compiled journey catalog (what the stitcher matches events against) and the per-database bookkeeping of the
 * registry. No storage here: both engines' stores (sqlite.ts, postgres.ts) build on it.
 */
export interface JourneyCatalog {
	journeys: CompiledJourney[];
	byKey: Map<string, CompiledJourney>;
	/** Incoming event name → the enabled journeys it is a step of. */
	byName: Map<string, CompiledJourney[]>;
}

/** A row of `journey_definitions` as both engines read it. */
export interface DefinitionRow {
	key: string;
	definition: string;
	built_in: number;
	enabled: number;
	version: number;
	updated_at: number;
	updated_by: string | null;
}

export function toRecord(row: DefinitionRow): JourneyRecord {
	const parsed = journeyDefinitionSchema.parse({
		...JSON.parse(row.definition),
		enabled: Number(row.enabled) === 1
	});
	return {
		definition: parsed,
		builtIn: Number(row.built_in) === 1,
		version: row.version,
		updatedAt: row.updated_at,
		updatedBy: row.updated_by
	};
}

/** The enabled journeys compiled with their mappings (pure). */
export function compileCatalog(
	records: readonly JourneyRecord[],
	mappings: readonly EventNameMapping[]
): JourneyCatalog {
	const journeys = records
		.filter((r) => r.definition.enabled)
		.map((r) =>
			compileJourney(
				r.definition,
				mappings.filter((m) => m.journeyKey === r.definition.key),
				r.version
			)
		);
	const byName = new Map<string, CompiledJourney[]>();
	for (const j of journeys)
		for (const name of j.names) {
			const list = byName.get(name);
			if (list) list.push(j);
			else byName.set(name, [j]);
		}
	return { journeys, byKey: new Map(journeys.map((j) => [j.key, j])), byName };
}

/** SQLite's compiled catalogs, cached per database until a definition or mapping changes. */
export const catalogs = new WeakMap<Db, JourneyCatalog>();
const catalogListeners = new Set<(db: Db) => void>();

/** Drops the compiled catalog of a database (after its definitions or mappings changed) and tells listeners. */
export function forgetCatalog(db: Db): void {
	catalogs.delete(db);
	for (const listener of catalogListeners) listener(db);
}

/**
 * Calls `listener` whenever a catalog is forgotten in this thread, e.g. so the writer thread, which compiles its
 * own, forgets it too. Returns a function that stops listening.
 */
export function onCatalogChange(listener: (db: Db) => void): () => void {
	catalogListeners.add(listener);
	return () => catalogListeners.delete(listener);
}

/** Databases (SQLite or PostgreSQL handles) whose default journeys were ensured by this process. */
export const ensured = new WeakSet<object>();
