import { sql } from 'drizzle-orm';
import type { PgDb } from '$lib/server/db/postgres';
import { arrayParam, rowsOf, sent, type PgRunner } from '$lib/server/metrics/rollups-postgres';
import { buildInstances, type InstanceDraft, type InteractionRow, type StepEventRow } from './core';
import { DEFAULT_JOURNEYS, type CompiledJourney } from './definitions';
import { compileCatalog, toRecord, type DefinitionRow, type JourneyCatalog } from './catalog';
import type { EventNameMapping } from './registry';
import {
	freshRows,
	INSTANCE_COLUMNS,
	instanceRow,
	KEY_COLUMNS,
	pairsOf,
	planPair,
	sameLinkSeqs,
	touchedBy,
	type RestitchOptions,
	type StepSource,
	type StitchInput,
	type StitchResult,
	type StoredInstance
} from './stitch';

/**
 * Journey stitching on PostgreSQL: stitch.ts's decisions (touchedBy, pairsOf, planPair, buildInstances) with the
 * reads batched per write and the writes awaited in the caller's transaction.
 */

const STEP_COLUMNS = 'seq, id, ts, name, channel, journey, segment, properties';
const INTERACTION_COLUMNS = 'seq, type, ts, channel, journey, metric, score, team_id AS "teamId"';

/** Inserts the default journeys a database lacks (never overwrites an admin's edits); returns how many. */
export async function ensureDefaultJourneysPostgres(tx: PgRunner, now = Date.now()): Promise<number> {
	let inserted = 0;
	for (const d of DEFAULT_JOURNEYS) {
		const result = (await tx.execute(
			sql`INSERT INTO journey_definitions (key, name, name_en, definition, built_in, enabled, version, updated_at)
			 VALUES (${d.key}, ${d.name.zh}, ${d.name.en}, ${JSON.stringify(d)}, 1, 1, 1, ${now})
			 ON CONFLICT (key) DO NOTHING`
		)) as unknown as { count: number };
		inserted += result.count;
	}
	return inserted;
}

/**
 * The last compiled catalog and what it was compiled from. Safe across processes (a definition or mapping changed by
 * another process is seen by the next write): every call reads the definitions and mappings in its own transaction
 * and compiles again unless they are exactly those of the cached catalog; only the compiling is saved.
 */
let cachedCatalog: { fingerprint: string; catalog: JourneyCatalog } | null = null;

/**
 * The enabled journeys compiled with their mappings, read in `tx` (definitions may change in another process, so
 * they are read each time; compiling is skipped while they are unchanged).
 */
export async function journeyCatalogPostgres(tx: PgRunner): Promise<JourneyCatalog> {
	const readDefinitions = async () =>
		(await tx.execute(
			sql`SELECT key, definition, built_in, enabled, version, updated_at, updated_by FROM journey_definitions
			 ORDER BY built_in DESC, key`
		)) as unknown as DefinitionRow[];
	// Both reads sent together.
	const [read, mapped] = await Promise.all([
		readDefinitions(),
		tx.execute(
			sql`SELECT event_name AS "eventName", journey_key AS "journeyKey", step_event AS "stepEvent",
			   created_at AS "createdAt", created_by AS "createdBy"
			 FROM journey_event_mappings ORDER BY journey_key, event_name`
		)
	]);
	let definitions = read;
	const have = new Set(definitions.map((d) => d.key));
	if (DEFAULT_JOURNEYS.some((d) => !have.has(d.key)) && (await ensureDefaultJourneysPostgres(tx)) > 0)
		definitions = await readDefinitions();
	const mappings = [...(mapped as unknown as EventNameMapping[])];
	const fingerprint = JSON.stringify([
		definitions.map((d) => [d.key, d.definition, d.enabled, d.version]),
		mappings.map((m) => [m.eventName, m.journeyKey, m.stepEvent])
	]);
	if (cachedCatalog?.fingerprint === fingerprint) return cachedCatalog.catalog;
	const records = definitions.map(toRecord).filter((r) => r.definition.enabled);
	const catalog = compileCatalog(records, mappings);
	cachedCatalog = { fingerprint, catalog };
	return catalog;
}

/** Counts journey event names of a batch, in name order (concurrent writers lock the rows in the same order). */
async function countEventNamesPostgres(
	tx: PgRunner,
	counts: Map<string, { n: number; first: number; last: number }>
): Promise<void> {
	if (counts.size === 0) return;
	const names = [...counts.keys()].sort();
	const c = names.map((name) => counts.get(name) as { n: number; first: number; last: number });
	await tx.execute(
		sql`INSERT INTO journey_event_names AS t (name, events, first_seen, last_seen)
		 SELECT * FROM unnest(${arrayParam(names)}::text[], ${arrayParam(c.map((x) => x.n))}::bigint[],
		   ${arrayParam(c.map((x) => x.first))}::bigint[], ${arrayParam(c.map((x) => x.last))}::bigint[])
		 ON CONFLICT (name) DO UPDATE SET events = t.events + excluded.events,
		   first_seen = LEAST(t.first_seen, excluded.first_seen), last_seen = GREATEST(t.last_seen, excluded.last_seen)`
	);
}

/** The id of a (path, switches) shape of a journey, created on first use (by whichever writer gets there first). */
export async function shapeIdPostgres(
	tx: PgRunner,
	journeyKey: string,
	path: string,
	switches: string
): Promise<number> {
	const find = async () =>
		(
			await rowsOf(
				tx,
				sql`SELECT id FROM journey_shapes WHERE journey_key = ${journeyKey} AND path = ${path} AND switches = ${switches}`
			)
		)[0]?.[0];
	const found = await find();
	if (found !== undefined) return Number(found);
	const [created] = await rowsOf(
		tx,
		sql`INSERT INTO journey_shapes (journey_key, path, switches) VALUES (${journeyKey}, ${path}, ${switches})
		 ON CONFLICT (journey_key, path, switches) DO NOTHING RETURNING id`
	);
	if (created) return Number(created[0]);
	return Number(await find());
}

/** The PostgreSQL type of each instance column (schema-pg/journeys.ts), for the arrays of a set-based insert. */
const INSTANCE_TYPES: Record<(typeof INSTANCE_COLUMNS)[number], string> = {
	journey_key: 'text',
	customer_id: 'text',
	customer_key: 'bigint',
	start_seq: 'bigint',
	started_at: 'bigint',
	last_event_at: 'bigint',
	ended_at: 'bigint',
	deadline: 'bigint',
	attach_end: 'bigint',
	reach_end: 'bigint',
	status: 'text',
	end_event: 'text',
	depth: 'bigint',
	last_step: 'text',
	step_offsets: 'text',
	duration_s: 'bigint',
	step_events: 'bigint',
	contacts: 'bigint',
	feedbacks: 'bigint',
	complaints: 'bigint',
	channels: 'text',
	first_channel: 'text',
	segment: 'text',
	shape_id: 'bigint',
	nps: 'double precision',
	csat: 'double precision',
	journey_nps: 'double precision',
	journey_csat: 'double precision',
	step_seqs: 'text',
	definition_version: 'bigint'
};

/** Instances (and their links) per INSERT statement of insertInstances. */
const INSERT_BATCH = 1_000;

const shapeName = (journeyKey: string, path: string, switches: string) =>
	`${journeyKey}\u0001${path}\u0001${switches}`;

/**
 * Ids of many (journey, path, switches) shapes at once, created when missing (by whichever writer gets there
 * first): one read, and for the missing ones an insert (in key order) and a second read.
 */
export async function shapeIdsPostgres(
	tx: PgRunner,
	wanted: readonly { journeyKey: string; path: string; switches: string }[]
): Promise<Map<string, number>> {
	const distinct = new Map<string, { journeyKey: string; path: string; switches: string }>();
	for (const w of wanted) distinct.set(shapeName(w.journeyKey, w.path, w.switches), w);
	const ids = new Map<string, number>();
	const read = async (list: { journeyKey: string; path: string; switches: string }[]) => {
		for (const [id, key, path, switches] of await rowsOf(
			tx,
			sql`SELECT s.id, s.journey_key, s.path, s.switches FROM journey_shapes s
			 JOIN unnest(${arrayParam(list.map((w) => w.journeyKey))}::text[], ${arrayParam(list.map((w) => w.path))}::text[],
			   ${arrayParam(list.map((w) => w.switches))}::text[]) AS w(journey_key, path, switches)
			 ON s.journey_key = w.journey_key AND s.path = w.path AND s.switches = w.switches`
		))
			ids.set(shapeName(String(key), String(path), String(switches)), Number(id));
	};
	if (distinct.size === 0) return ids;
	await read([...distinct.values()]);
	// Only the missing ones are inserted (an insert that conflicts still takes an identity value).
	const missing = [...distinct.entries()]
		.filter(([name]) => !ids.has(name))
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([, w]) => w);
	if (missing.length > 0) {
		await tx.execute(
			sql`INSERT INTO journey_shapes (journey_key, path, switches)
			 SELECT * FROM unnest(${arrayParam(missing.map((w) => w.journeyKey))}::text[],
			   ${arrayParam(missing.map((w) => w.path))}::text[], ${arrayParam(missing.map((w) => w.switches))}::text[])
			 ON CONFLICT (journey_key, path, switches) DO NOTHING`
		);
		await read(missing);
	}
	return ids;
}

/** An instance to insert: its journey, customer and draft. */
interface NewInstance {
	journey: CompiledJourney;
	customerId: string;
	d: InstanceDraft;
}

/** A stored instance rewritten from a draft. */
interface ChangedInstance extends NewInstance {
	old: StoredInstance;
}

const shapeOf = ({ journey, d }: NewInstance) => ({
	journeyKey: journey.key,
	path: d.path,
	switches: d.switches
});

/**
 * Inserts instances and their links set-based: their shapes resolved at once, then per INSERT_BATCH one INSERT …
 * SELECT FROM unnest for the instances (ids drawn in the list's order, as one insert each would draw them) and one
 * for their links.
 */
async function insertInstances(
	tx: PgRunner,
	list: readonly NewInstance[],
	resolved?: ReadonlyMap<string, number>
): Promise<void> {
	if (list.length === 0) return;
	const shapes = resolved ?? (await shapeIdsPostgres(tx, list.map(shapeOf)));
	const columns = sql.raw(INSTANCE_COLUMNS.join(', '));
	const names = sql.raw(INSTANCE_COLUMNS.map((c) => `u.${c}`).join(', '));
	for (let from = 0; from < list.length; from += INSERT_BATCH) {
		const batch = list.slice(from, from + INSERT_BATCH);
		const rows = batch.map(({ journey, customerId, d }) =>
			instanceRow(journey, customerId, d, shapes.get(shapeName(journey.key, d.path, d.switches)) as number)
		);
		const arrays = sql.join(
			INSTANCE_COLUMNS.map(
				(c, i) => sql`${arrayParam(rows.map((r) => r[i]))}::${sql.raw(INSTANCE_TYPES[c])}[]`
			),
			sql`, `
		);
		const returned = await rowsOf(
			tx,
			sql`INSERT INTO journey_instances (${columns})
			 SELECT ${names} FROM unnest(${arrays}) WITH ORDINALITY AS u(${columns}, ord) ORDER BY u.ord
			 RETURNING id, journey_key, customer_id, start_seq`
		);
		// (journey, customer, start) is an instance's identity: the ids are matched by it, not by the rows' order.
		const idOf = new Map(
			returned.map(([id, key, customer, start]) => [`${key}\u0001${customer}\u0001${start}`, Number(id)])
		);
		const links: { id: number; seq: number; type: string; ts: number }[] = [];
		for (const { journey, customerId, d } of batch) {
			const id = idOf.get(`${journey.key}\u0001${customerId}\u0001${d.startSeq}`) as number;
			for (const x of d.interactions) links.push({ id, seq: Number(x.seq), type: x.type, ts: x.ts });
		}
		if (links.length > 0)
			await tx.execute(
				sql`INSERT INTO journey_interactions (instance_id, seq, type, ts)
				 SELECT * FROM unnest(${arrayParam(links.map((l) => l.id))}::bigint[], ${arrayParam(links.map((l) => l.seq))}::bigint[],
				   ${arrayParam(links.map((l) => l.type))}::text[], ${arrayParam(links.map((l) => l.ts))}::bigint[])
				 ON CONFLICT DO NOTHING`
			);
	}
}

/** What restitching a write's pairs changes, planned first and written set-based (writeChanges). */
interface Changes {
	updates: ChangedInstance[];
	deletes: StoredInstance[];
	inserts: NewInstance[];
}

/** stitch.ts restitchPair's decisions for one (journey, customer) pair, collected into `changes`. */
function planRestitch(
	journey: CompiledJourney,
	customerId: string,
	stored: readonly StoredInstance[],
	cut: number,
	steps: readonly StepEventRow[],
	interactions: readonly InteractionRow[],
	now: number,
	result: StitchResult,
	changes: Changes
): void {
	const { drafts, byStart } = planPair(journey, stored, cut, steps, interactions, now);
	for (const d of drafts) {
		const old = byStart.get(d.startSeq);
		if (old) {
			byStart.delete(d.startSeq);
			changes.updates.push({ journey, customerId, d, old });
		} else changes.inserts.push({ journey, customerId, d });
		result.instancesWritten++;
	}
	for (const old of byStart.values()) {
		changes.deletes.push(old);
		result.instancesDeleted++;
	}
	result.pairs++;
}

/**
 * Writes planned changes in a few statements whatever their number (what stitch.ts does row by row): the shapes
 * of the updated and new instances resolved at once, the stored links of the updated instances whose link count
 * is unchanged read at once (they are rewritten only when they differ), then the updates (one UPDATE … FROM
 * unnest), the link and instance deletes and the rewritten links, sent together (executed in order), and the new
 * instances last, in the order they were planned.
 */
async function writeChanges(tx: PgRunner, changes: Changes): Promise<void> {
	const { updates, deletes, inserts } = changes;
	const toCheck = updates.filter(({ old, d }) => old.links > 0 && old.links === d.interactions.length);
	const [shapes, linked] = await Promise.all([
		shapeIdsPostgres(tx, [...updates, ...inserts].map(shapeOf)),
		toCheck.length === 0
			? Promise.resolve([] as unknown[][])
			: rowsOf(
					tx,
					sql`SELECT instance_id, seq FROM journey_interactions
					 WHERE instance_id = ANY(${arrayParam(toCheck.map(({ old }) => old.id))}::bigint[])`
				)
	]);
	const storedLinks = new Map<number, number[]>();
	for (const [id, seq] of linked) {
		const list = storedLinks.get(Number(id));
		if (list) list.push(Number(seq));
		else storedLinks.set(Number(id), [Number(seq)]);
	}
	const rewritten = updates.filter(
		({ old, d }) =>
			old.links !== d.interactions.length ||
			(old.links > 0 && !sameLinkSeqs(storedLinks.get(old.id) ?? [], d))
	);
	const unlinked = [
		...rewritten.filter(({ old }) => old.links > 0).map(({ old }) => old.id),
		...deletes.filter((old) => old.links > 0).map((old) => old.id)
	];
	const links = rewritten.flatMap(({ old, d }) =>
		d.interactions.map((x) => ({ id: old.id, seq: Number(x.seq), type: x.type, ts: x.ts }))
	);
	const writes: Promise<unknown>[] = [];
	if (updates.length > 0) {
		// The columns an update rewrites: all but the key columns (read here: stitch.ts imports this module).
		const UPDATE_COLUMNS = INSTANCE_COLUMNS.slice(KEY_COLUMNS);
		const rows = updates.map(({ journey, customerId, d }) =>
			instanceRow(
				journey,
				customerId,
				d,
				shapes.get(shapeName(journey.key, d.path, d.switches)) as number
			).slice(KEY_COLUMNS)
		);
		const arrays = sql.join(
			UPDATE_COLUMNS.map(
				(c, i) => sql`${arrayParam(rows.map((r) => r[i]))}::${sql.raw(INSTANCE_TYPES[c])}[]`
			),
			sql`, `
		);
		const sets = sql.raw(UPDATE_COLUMNS.map((c) => `${c} = u.${c}`).join(', '));
		writes.push(
			tx.execute(
				sql`UPDATE journey_instances AS t SET ${sets}
				 FROM unnest(${arrayParam(updates.map(({ old }) => old.id))}::bigint[], ${arrays})
				   AS u(id, ${sql.raw(UPDATE_COLUMNS.join(', '))})
				 WHERE t.id = u.id`
			)
		);
	}
	if (unlinked.length > 0)
		writes.push(
			tx.execute(
				sql`DELETE FROM journey_interactions WHERE instance_id = ANY(${arrayParam(unlinked)}::bigint[])`
			)
		);
	if (deletes.length > 0)
		writes.push(
			tx.execute(
				sql`DELETE FROM journey_instances WHERE id = ANY(${arrayParam(deletes.map((old) => old.id))}::bigint[])`
			)
		);
	if (links.length > 0)
		writes.push(
			tx.execute(
				sql`INSERT INTO journey_interactions (instance_id, seq, type, ts)
				 SELECT * FROM unnest(${arrayParam(links.map((l) => l.id))}::bigint[], ${arrayParam(links.map((l) => l.seq))}::bigint[],
				   ${arrayParam(links.map((l) => l.type))}::text[], ${arrayParam(links.map((l) => l.ts))}::bigint[])
				 ON CONFLICT DO NOTHING`
			)
		);
	await Promise.all(writes);
	await insertInstances(tx, inserts, shapes);
}

/** Groups rows by their first column (a customer id), the rest as objects. */
function byCustomer<T>(rows: (T & { customer: string })[]): Map<string, T[]> {
	const map = new Map<string, T[]>();
	for (const { customer, ...rest } of rows) {
		const list = map.get(customer);
		if (list) list.push(rest as T);
		else map.set(customer, [rest as T]);
	}
	return map;
}

/** stitchJourneys on PostgreSQL, in the writer's transaction `tx`. */
export async function stitchJourneysPostgres(
	tx: PgRunner,
	inserted: readonly (StitchInput & Partial<StepSource>)[],
	options: {
		now?: number;
		created?: ReadonlySet<string>;
		/** The catalog, read by the caller in `tx` (journeyCatalogPostgres); read here when not given. */
		catalog?: JourneyCatalog;
	} = {}
): Promise<StitchResult> {
	const result: StitchResult = { pairs: 0, instancesWritten: 0, instancesDeleted: 0 };
	if (inserted.length === 0) return result;
	const now = options.now ?? Date.now();
	const catalog = options.catalog ?? (await journeyCatalogPostgres(tx));
	const { customers, names } = touchedBy(inserted, catalog);
	// Nothing below reads the counts: sent with the next read, awaited at the end.
	const counted = sent(countEventNamesPostgres(tx, names));
	const fresh = options.created?.size
		? freshRows(inserted as readonly (StitchInput & StepSource)[], options.created)
		: null;
	const toRead = [...customers.keys()].filter((id) => !fresh?.has(id));
	const stored =
		toRead.length === 0
			? new Map<string, StoredInstance[]>()
			: byCustomer<StoredInstance>(
					(await tx.execute(
						sql`SELECT customer_id AS customer, id, journey_key AS "journeyKey", start_seq AS "startSeq",
						   started_at AS "startedAt", reach_end AS "reachEnd",
						   GREATEST(reach_end, coalesce(ended_at, deadline)) AS reach, contacts + feedbacks + complaints AS links
						 FROM journey_instances WHERE customer_id = ANY(${arrayParam(toRead)}::text[]) ORDER BY id`
					)) as unknown as (StoredInstance & { customer: string })[]
				);
	const plans: { customerId: string; stored: StoredInstance[]; cuts: Map<string, number>; from: number }[] =
		[];
	for (const [customerId, touched] of customers) {
		const own = stored.get(customerId) ?? [];
		const cuts = pairsOf(touched, own, catalog);
		if (cuts.size === 0) continue;
		plans.push({ customerId, stored: own, cuts, from: Math.min(...cuts.values()) });
	}
	const reads = plans.filter((p) => !fresh?.has(p.customerId));
	let steps = new Map<string, StepEventRow[]>();
	let interactions = new Map<string, InteractionRow[]>();
	if (reads.length > 0) {
		const window = sql`unnest(${arrayParam(reads.map((p) => p.customerId))}::text[],
		   ${arrayParam(reads.map((p) => p.from))}::bigint[]) AS w(customer_id, lo)`;
		steps = byCustomer<StepEventRow>(
			(await tx.execute(
				sql`SELECT w.customer_id AS customer, ${sql.raw(STEP_COLUMNS.replace(/(\w+)/g, 'e.$1'))}
				 FROM ${window} JOIN events e ON e.type = 'journey' AND e.customer_id = w.customer_id AND e.ts >= w.lo
				 ORDER BY e.ts, e.seq`
			)) as unknown as (StepEventRow & { customer: string })[]
		);
		interactions = byCustomer<InteractionRow>(
			(await tx.execute(
				sql`SELECT w.customer_id AS customer, e.seq, e.type, e.ts, e.channel, e.journey, e.metric, e.score,
				   e.team_id AS "teamId"
				 FROM ${window} JOIN events e ON e.customer_id = w.customer_id AND e.type <> 'journey'
				   AND e.type IN ('contact', 'feedback', 'complaint') AND e.ts >= w.lo
				 ORDER BY e.ts, e.seq`
			)) as unknown as (InteractionRow & { customer: string })[]
		);
	}
	// Every pair planned first; then the changes written together, new instances last in the order planned.
	const changes: Changes = { updates: [], deletes: [], inserts: [] };
	for (const p of plans) {
		const own = fresh?.get(p.customerId);
		const s = own ? own.steps : (steps.get(p.customerId) ?? []);
		const x = own ? own.interactions : (interactions.get(p.customerId) ?? []);
		for (const [key, cut] of p.cuts) {
			const journey = catalog.byKey.get(key);
			if (journey) planRestitch(journey, p.customerId, p.stored, cut, s, x, now, result, changes);
		}
	}
	await writeChanges(tx, changes);
	await counted;
	return result;
}

/**
 * restitchAll on PostgreSQL, as steps: each step rebuilds one chunk of customers in one transaction (their
 * instances of the journeys concerned deleted first). Yields the instances written per chunk.
 */
export async function* rebuildPostgres(db: PgDb, options: RestitchOptions): AsyncGenerator<number, void> {
	const catalog = await journeyCatalogPostgres(db);
	const now = options.now ?? Date.now();
	// Larger chunks than SQLite's: a chunk costs a few round trips, whatever its size.
	const chunk = options.chunk ?? 2_000;
	const keys = options.journeys ? [...options.journeys] : null;
	const journeys = keys ? catalog.journeys.filter((j) => keys.includes(j.key)) : catalog.journeys;
	const scope = keys ? sql` AND journey_key = ANY(${arrayParam(keys)}::text[])` : sql``;
	if (options.recountNames)
		await db.transaction(async (tx) => {
			await tx.execute(sql`DELETE FROM journey_event_names`);
			await tx.execute(
				sql`INSERT INTO journey_event_names (name, events, first_seen, last_seen)
				 SELECT name, count(*), min(ts), max(ts) FROM events WHERE type = 'journey' AND name IS NOT NULL GROUP BY name`
			);
		});
	let after = '';
	let done = 0;
	for (;;) {
		const ids = (
			await rowsOf(db, sql`SELECT id FROM customers WHERE id > ${after} ORDER BY id LIMIT ${chunk}`)
		).map((r) => String(r[0]));
		if (ids.length === 0) break;
		const lo = ids[0];
		const hi = ids[ids.length - 1];
		const written = await db.transaction(async (tx) => {
			// Sent together (postgres.js pipelines a transaction's queries): the deletes, then both reads.
			const [, , stepRows, interactionRows] = await Promise.all([
				tx.execute(
					sql`DELETE FROM journey_interactions WHERE instance_id IN
					 (SELECT id FROM journey_instances WHERE customer_id >= ${lo} AND customer_id <= ${hi}${scope})`
				),
				tx.execute(
					sql`DELETE FROM journey_instances WHERE customer_id >= ${lo} AND customer_id <= ${hi}${scope}`
				),
				tx.execute(
					sql`SELECT customer_id AS customer, ${sql.raw(STEP_COLUMNS)} FROM events
					 WHERE type = 'journey' AND customer_id >= ${lo} AND customer_id <= ${hi} ORDER BY customer_id, ts, seq`
				),
				tx.execute(
					sql`SELECT customer_id AS customer, ${sql.raw(INTERACTION_COLUMNS)} FROM events
					 WHERE customer_id >= ${lo} AND customer_id <= ${hi} AND type <> 'journey'
					   AND type IN ('contact', 'feedback', 'complaint') ORDER BY customer_id, ts, seq`
				)
			]);
			const steps = byCustomer<StepEventRow>(stepRows as unknown as (StepEventRow & { customer: string })[]);
			const interactions = byCustomer<InteractionRow>(
				interactionRows as unknown as (InteractionRow & { customer: string })[]
			);
			const list: NewInstance[] = [];
			for (const [customerId, own] of steps) {
				const x = interactions.get(customerId) ?? [];
				for (const journey of journeys) {
					if (!own.some((e) => journey.byName.has(e.name))) continue;
					for (const d of buildInstances(journey, own, x, now)) list.push({ journey, customerId, d });
				}
			}
			await insertInstances(tx, list);
			return list.length;
		});
		after = hi;
		done += ids.length;
		options.onProgress?.(done);
		yield written;
	}
}

/** closeTimedOut on PostgreSQL: open instances past their window become `abandoned`; returns the rows changed. */
export async function closeTimedOutPostgres(db: PgRunner, now: number): Promise<number> {
	const result = (await db.execute(
		sql`UPDATE journey_instances SET status = 'abandoned' WHERE status = 'in_progress' AND deadline <= ${now}`
	)) as unknown as { count: number };
	return result.count;
}
