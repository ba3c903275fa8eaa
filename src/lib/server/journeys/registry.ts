import type { Db } from '$lib/server/db';
import { auditJourney, definitionDiff, type JourneyAuditContext } from './audit';
import {
	compileJourney,
	DEFAULT_JOURNEYS,
	journeyDefinitionSchema,
	type CompiledJourney,
	type JourneyDefinition,
	type JourneyDefinitionInput
} from './definitions';

/** A stored definition with its bookkeeping. */
export interface JourneyRecord {
	definition: JourneyDefinition;
	builtIn: boolean;
	version: number;
	updatedAt: number;
	updatedBy: string | null;
}

export interface EventNameMapping {
	eventName: string;
	journeyKey: string;
	stepEvent: string;
	createdAt: number;
	createdBy: string | null;
}

/** Everything the stitcher needs, compiled once per change. */
export interface JourneyCatalog {
	journeys: CompiledJourney[];
	byKey: Map<string, CompiledJourney>;
	/** Incoming event name → the enabled journeys it is a step of. */
	byName: Map<string, CompiledJourney[]>;
}

export interface DefinitionRow {
	key: string;
	definition: string;
	built_in: number;
	enabled: number;
	version: number;
	updated_at: number;
	updated_by: string | null;
}

const catalogs = new WeakMap<Db, JourneyCatalog>();
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
const ensured = new WeakSet<Db>();

/**
 * Inserts the eight journeys of DOMAIN.md into a database that lacks them; never overwrites an admin's edits.
 * Call once at start after migrating (idempotent and cheap; the stitcher also calls it on first use).
 */
export function ensureDefaultJourneys(db: Db, now = Date.now()): number {
	const insert = db.$client.prepare(
		`INSERT OR IGNORE INTO journey_definitions (key, name, name_en, definition, built_in, enabled, version, updated_at)
		 VALUES (?, ?, ?, ?, 1, 1, 1, ?)`
	);
	let inserted = 0;
	db.$client.transaction(() => {
		for (const d of DEFAULT_JOURNEYS)
			inserted += insert.run(d.key, d.name.zh, d.name.en, JSON.stringify(d), now).changes;
	})();
	ensured.add(db);
	if (inserted) forgetCatalog(db);
	return inserted;
}

export function toRecord(row: DefinitionRow): JourneyRecord {
	const parsed = journeyDefinitionSchema.parse({ ...JSON.parse(row.definition), enabled: row.enabled === 1 });
	return {
		definition: parsed,
		builtIn: row.built_in === 1,
		version: row.version,
		updatedAt: row.updated_at,
		updatedBy: row.updated_by
	};
}

export function listJourneys(db: Db, options: { includeDisabled?: boolean } = {}): JourneyRecord[] {
	if (!ensured.has(db)) ensureDefaultJourneys(db);
	const rows = db.$client
		.prepare('SELECT * FROM journey_definitions ORDER BY built_in DESC, rowid')
		.all() as DefinitionRow[];
	return rows.map(toRecord).filter((r) => options.includeDisabled || r.definition.enabled);
}

export function getJourney(db: Db, key: string): JourneyRecord | null {
	if (!ensured.has(db)) ensureDefaultJourneys(db);
	const row = db.$client.prepare('SELECT * FROM journey_definitions WHERE key = ?').get(key) as
		DefinitionRow | undefined;
	return row ? toRecord(row) : null;
}

export class JourneyValidationError extends Error {
	constructor(
		message: string,
		readonly issues: { path: string; message: string }[]
	) {
		super(message);
	}
}

/**
 * Creates or replaces a definition (validated). Returns the stored record; the caller decides whether to
 * re-stitch (`restitchJourney`) since steps, ends or the window may have changed.
 */
export function saveJourney(
	db: Db,
	input: JourneyDefinitionInput,
	actor: string | null,
	options: { create?: boolean; now?: number; audit?: JourneyAuditContext } = {}
): JourneyRecord {
	const parsed = journeyDefinitionSchema.safeParse(input);
	if (!parsed.success)
		throw new JourneyValidationError(
			'invalid journey definition',
			parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
		);
	const d = parsed.data;
	const now = options.now ?? Date.now();
	const existing = getJourney(db, d.key);
	if (options.create && existing)
		throw new JourneyValidationError('exists', [{ path: 'key', message: `${d.key} exists already` }]);
	if (options.create === false && !existing)
		throw new JourneyValidationError('missing', [{ path: 'key', message: `${d.key} does not exist` }]);
	db.$client
		.prepare(
			`INSERT INTO journey_definitions (key, name, name_en, definition, built_in, enabled, version, updated_at, updated_by)
			 VALUES (@key, @name, @nameEn, @definition, 0, @enabled, 1, @now, @actor)
			 ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
			   definition = excluded.definition, enabled = excluded.enabled, version = version + 1,
			   updated_at = excluded.updated_at, updated_by = excluded.updated_by`
		)
		.run({
			key: d.key,
			name: d.name.zh,
			nameEn: d.name.en,
			definition: JSON.stringify(d),
			enabled: d.enabled ? 1 : 0,
			now,
			actor
		});
	forgetCatalog(db);
	const saved = getJourney(db, d.key);
	if (!saved) throw new Error('journey vanished after saving');
	if (options.audit) {
		const context = { ...options.audit, now };
		if (existing) {
			const changes = definitionDiff(existing.definition, saved.definition);
			if (Object.keys(changes).length)
				auditJourney(db, context, 'journey.updated', d.key, { version: saved.version, changes });
		} else auditJourney(db, context, 'journey.created', d.key, { definition: saved.definition });
	}
	return saved;
}

export function listMappings(db: Db): EventNameMapping[] {
	return db.$client
		.prepare(
			`SELECT event_name AS eventName, journey_key AS journeyKey, step_event AS stepEvent,
			   created_at AS createdAt, created_by AS createdBy
			 FROM journey_event_mappings ORDER BY journey_key, event_name`
		)
		.all() as EventNameMapping[];
}

/** Maps an incoming event name to a step event of a journey (validated against the definition). */
export function mapEventName(
	db: Db,
	mapping: { eventName: string; journeyKey: string; stepEvent: string },
	actor: string | null,
	now = Date.now(),
	auditContext?: JourneyAuditContext
): void {
	const journey = getJourney(db, mapping.journeyKey);
	if (!journey)
		throw new JourneyValidationError('unknown journey', [
			{ path: 'journeyKey', message: `${mapping.journeyKey} does not exist` }
		]);
	const events = journey.definition.steps.flatMap((s) => s.events);
	if (!events.includes(mapping.stepEvent))
		throw new JourneyValidationError('unknown step', [
			{ path: 'stepEvent', message: `${mapping.stepEvent} is not a step event of ${mapping.journeyKey}` }
		]);
	if (events.includes(mapping.eventName))
		throw new JourneyValidationError('already a step', [
			{ path: 'eventName', message: `${mapping.eventName} is a step event of ${mapping.journeyKey} already` }
		]);
	db.$client
		.prepare(
			`INSERT INTO journey_event_mappings (event_name, journey_key, step_event, created_at, created_by)
			 VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (event_name, journey_key) DO UPDATE SET step_event = excluded.step_event,
			   created_at = excluded.created_at, created_by = excluded.created_by`
		)
		.run(mapping.eventName, mapping.journeyKey, mapping.stepEvent, now, actor);
	forgetCatalog(db);
	if (auditContext)
		auditJourney(db, { ...auditContext, now }, 'journey.mapping_added', mapping.journeyKey, { ...mapping });
}

export function unmapEventName(
	db: Db,
	eventName: string,
	journeyKey: string,
	auditContext?: JourneyAuditContext
): boolean {
	const changes = db.$client
		.prepare('DELETE FROM journey_event_mappings WHERE event_name = ? AND journey_key = ?')
		.run(eventName, journeyKey).changes;
	forgetCatalog(db);
	if (auditContext && changes > 0)
		auditJourney(db, auditContext, 'journey.mapping_removed', journeyKey, { eventName, journeyKey });
	return changes > 0;
}

/** The enabled journeys compiled with their mappings; cached until a definition or mapping changes. */
export function journeyCatalog(db: Db): JourneyCatalog {
	const cached = catalogs.get(db);
	if (cached) return cached;
	const catalog = compileCatalog(listJourneys(db), listMappings(db));
	catalogs.set(db, catalog);
	return catalog;
}

/** The catalog of enabled journey records and their mappings (pure; PostgreSQL's stitcher reads its own rows). */
export function compileCatalog(
	records: readonly JourneyRecord[],
	mappings: readonly EventNameMapping[]
): JourneyCatalog {
	const journeys = records.map((r) =>
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

export interface EventNameVolume {
	name: string;
	events: number;
	firstSeen: number;
	lastSeen: number;
	/** The journeys and step events it stands for (empty: unmapped). */
	steps: { journeyKey: string; stepEvent: string }[];
}

/** Journey event names seen at ingest by volume, with what they map to; `unmappedOnly` for the admin's to-do. */
export function eventNameVolumes(
	db: Db,
	options: { unmappedOnly?: boolean; limit?: number } = {}
): EventNameVolume[] {
	const catalog = journeyCatalog(db);
	const rows = db.$client
		.prepare(
			'SELECT name, events, first_seen AS firstSeen, last_seen AS lastSeen FROM journey_event_names ORDER BY events DESC'
		)
		.all() as Omit<EventNameVolume, 'steps'>[];
	const out: EventNameVolume[] = [];
	for (const row of rows) {
		const steps = (catalog.byName.get(row.name) ?? []).map((j) => ({
			journeyKey: j.key,
			stepEvent: j.byName.get(row.name)?.canonical ?? row.name
		}));
		if (options.unmappedOnly && steps.length) continue;
		out.push({ ...row, steps });
		if (options.limit && out.length >= options.limit) break;
	}
	return out;
}

/** Counts journey event names of a batch (one upsert per distinct name). Runs inside the writer's transaction. */
export function countEventNames(
	db: Db,
	counts: Map<string, { n: number; first: number; last: number }>
): void {
	if (counts.size === 0) return;
	const upsert = db.$client.prepare(
		`INSERT INTO journey_event_names (name, events, first_seen, last_seen) VALUES (?, ?, ?, ?)
		 ON CONFLICT (name) DO UPDATE SET events = events + excluded.events,
		   first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`
	);
	for (const [name, c] of counts) upsert.run(name, c.n, c.first, c.last);
}
