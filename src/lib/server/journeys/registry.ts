import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { auditJourney, definitionDiff, type JourneyAuditContext } from './audit';
import { toRecord, type JourneyCatalog } from './catalog';
import {
	DEFAULT_JOURNEYS,
	journeyDefinitionSchema,
	type JourneyDefinition,
	type JourneyDefinitionInput
} from './definitions';
import { journeyStores, type JourneyStore } from './store';

export { forgetCatalog, onCatalogChange, type JourneyCatalog } from './catalog';
export { countEventNames, ensureDefaultJourneysSync, journeyCatalog } from './sqlite';

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

/** The journey store of a database (store.ts). */
export function journeyStore(target: Db | Storage): JourneyStore {
	return byEngine(asStorage(target), journeyStores);
}

/**
 * Inserts the eight journeys of DOMAIN.md into a database that lacks them; never overwrites an admin's edits.
 * Call once at start after migrating (idempotent and cheap; the stitcher also calls it on first use).
 */
export async function ensureDefaultJourneys(target: Db | Storage, now = Date.now()): Promise<number> {
	return journeyStore(target).insertDefaults(DEFAULT_JOURNEYS, now);
}

export async function listJourneys(
	target: Db | Storage,
	options: { includeDisabled?: boolean } = {}
): Promise<JourneyRecord[]> {
	const rows = await journeyStore(target).definitions();
	return rows.map(toRecord).filter((r) => options.includeDisabled || r.definition.enabled);
}

export async function getJourney(target: Db | Storage, key: string): Promise<JourneyRecord | null> {
	const row = await journeyStore(target).definition(key);
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

/** Validates a definition (throws JourneyValidationError). */
export function validJourney(input: JourneyDefinitionInput): JourneyDefinition {
	const parsed = journeyDefinitionSchema.safeParse(input);
	if (!parsed.success)
		throw new JourneyValidationError(
			'invalid journey definition',
			parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
		);
	return parsed.data;
}

/**
 * Creates or replaces a definition (validated). Returns the stored record; the caller decides whether to
 * re-stitch (`restitchJourney`) since steps, ends or the window may have changed.
 */
export async function saveJourney(
	target: Db | Storage,
	input: JourneyDefinitionInput,
	actor: string | null,
	options: { create?: boolean; now?: number; audit?: JourneyAuditContext } = {}
): Promise<JourneyRecord> {
	const d = validJourney(input);
	const now = options.now ?? Date.now();
	const existing = await getJourney(target, d.key);
	if (options.create && existing)
		throw new JourneyValidationError('exists', [{ path: 'key', message: `${d.key} exists already` }]);
	if (options.create === false && !existing)
		throw new JourneyValidationError('missing', [{ path: 'key', message: `${d.key} does not exist` }]);
	await journeyStore(target).upsertDefinition(d, actor, now);
	const saved = await getJourney(target, d.key);
	if (!saved) throw new Error('journey vanished after saving');
	if (options.audit) {
		const context = { ...options.audit, now };
		if (existing) {
			const changes = definitionDiff(existing.definition, saved.definition);
			if (Object.keys(changes).length)
				await auditJourney(target, context, 'journey.updated', d.key, { version: saved.version, changes });
		} else await auditJourney(target, context, 'journey.created', d.key, { definition: saved.definition });
	}
	return saved;
}

export async function listMappings(target: Db | Storage): Promise<EventNameMapping[]> {
	return journeyStore(target).mappings();
}

/** Maps an incoming event name to a step event of a journey (validated against the definition). */
export async function mapEventName(
	target: Db | Storage,
	mapping: { eventName: string; journeyKey: string; stepEvent: string },
	actor: string | null,
	now = Date.now(),
	auditContext?: JourneyAuditContext
): Promise<void> {
	const journey = await getJourney(target, mapping.journeyKey);
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
	await journeyStore(target).upsertMapping(mapping, actor, now);
	if (auditContext)
		await auditJourney(target, { ...auditContext, now }, 'journey.mapping_added', mapping.journeyKey, {
			...mapping
		});
}

export async function unmapEventName(
	target: Db | Storage,
	eventName: string,
	journeyKey: string,
	auditContext?: JourneyAuditContext
): Promise<boolean> {
	const changes = await journeyStore(target).deleteMapping(eventName, journeyKey);
	if (auditContext && changes > 0)
		await auditJourney(target, auditContext, 'journey.mapping_removed', journeyKey, {
			eventName,
			journeyKey
		});
	return changes > 0;
}

/** The enabled journeys compiled with their mappings (SQLite: cached until a definition or mapping changes). */
export async function loadJourneyCatalog(target: Db | Storage): Promise<JourneyCatalog> {
	return journeyStore(target).catalog();
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
export async function eventNameVolumes(
	target: Db | Storage,
	options: { unmappedOnly?: boolean; limit?: number } = {}
): Promise<EventNameVolume[]> {
	const store = journeyStore(target);
	const catalog = await store.catalog();
	const rows = await store.eventNames();
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
