import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { runExclusive } from '$lib/server/db/jobs';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { readOpsStatus, writeOpsStatus } from '$lib/server/db/ops-status';
import {
	buildInstances,
	customerKeyOf,
	type InstanceDraft,
	type InteractionRow,
	type StepEventRow
} from './core';
import type { CompiledJourney } from './definitions';
import { countEventNames, ensureDefaultJourneysSync, journeyCatalog, type JourneyCatalog } from './registry';
import { placeholders, statement } from './statements';
import { closeTimedOutPostgres, rebuildPostgres } from './stitch-postgres';

/**
 * Stitching at ingest. The writer calls `stitchJourneys` inside its transaction with the events it has just
 * inserted; for every (customer, journey) the batch touches, the instances from the first affected one on are
 * rebuilt from the stored events (see `core.ts`), so late and out-of-order events give the same instances as
 * events in order. `restitchAll` rebuilds everything (after a bulk load or a definition change).
 */

/** What the writer hands over per inserted event: the event's fields and the row's `seq`. */
export interface StitchInput {
	seq: number | bigint;
	type: string;
	ts: number;
	customerId: string;
	name?: string | null;
	journey?: string | null;
}

/**
 * The rest of an inserted event's fields, which the writer hands over as well: with them, a customer the write has
 * just created is stitched from the batch alone (it has no stored events or instances to read back).
 */
export interface StepSource {
	id: string;
	channel?: string | null;
	segment?: string | null;
	metric?: string | null;
	score?: number | null;
	teamId?: string | null;
	/** The properties as stored (JSON text). */
	propertiesJson: string;
}

export interface StitchResult {
	/** (customer, journey) pairs re-stitched. */
	pairs: number;
	instancesWritten: number;
	instancesDeleted: number;
}

export const INTERACTION_TYPES = new Set(['contact', 'feedback', 'complaint']);

export const STEP_COLUMNS = 'seq, id, ts, name, channel, journey, segment, properties';
export const INTERACTION_COLUMNS = 'seq, type, ts, channel, journey, metric, score, team_id AS teamId';

/** The instance columns in the order `instanceValues` gives them; the first four never change. */
export const INSTANCE_COLUMNS = [
	'journey_key',
	'customer_id',
	'customer_key',
	'start_seq',
	'started_at',
	'last_event_at',
	'ended_at',
	'deadline',
	'attach_end',
	'reach_end',
	'status',
	'end_event',
	'depth',
	'last_step',
	'step_offsets',
	'duration_s',
	'step_events',
	'contacts',
	'feedbacks',
	'complaints',
	'channels',
	'first_channel',
	'segment',
	'shape_id',
	'nps',
	'csat',
	'journey_nps',
	'journey_csat',
	'step_seqs',
	'definition_version'
] as const;
export const KEY_COLUMNS = 4;

// Positional parameters: binding 30 named ones costs about twice as much per row.
const INSERT_INSTANCE = `INSERT INTO journey_instances (${INSTANCE_COLUMNS.join(', ')})
	VALUES (${INSTANCE_COLUMNS.map(() => '?').join(', ')})`;

const UPDATE_INSTANCE = `UPDATE journey_instances SET ${INSTANCE_COLUMNS.slice(KEY_COLUMNS)
	.map((c) => `${c} = ?`)
	.join(', ')} WHERE id = ?`;

/**
 * The id of a (path, switches) shape of a journey, created on first use. Not cached in memory: an id cached from a
 * transaction that was rolled back would point nowhere.
 */
export function shapeIdOf(db: Db, journeyKey: string, path: string, switches: string): number {
	const found = statement(
		db,
		'SELECT id FROM journey_shapes WHERE journey_key = ? AND path = ? AND switches = ?'
	)
		.pluck()
		.get(journeyKey, path, switches) as number | undefined;
	if (found !== undefined) return found;
	return Number(
		statement(db, 'INSERT INTO journey_shapes (journey_key, path, switches) VALUES (?, ?, ?)').run(
			journeyKey,
			path,
			switches
		).lastInsertRowid
	);
}

/** An instance's column values, in the order of INSTANCE_COLUMNS. */
function instanceValues(db: Db, journey: CompiledJourney, customerId: string, d: InstanceDraft): unknown[] {
	return instanceRow(journey, customerId, d, shapeIdOf(db, journey.key, d.path, d.switches));
}

/** An instance's column values, in the order of INSTANCE_COLUMNS, with its shape's id. */
export function instanceRow(
	journey: CompiledJourney,
	customerId: string,
	d: InstanceDraft,
	shapeId: number
): unknown[] {
	return [
		journey.key,
		customerId,
		customerKeyOf(customerId),
		d.startSeq,
		d.startedAt,
		d.lastEventAt,
		d.endedAt,
		d.deadline,
		d.attachEnd,
		d.reachEnd,
		d.status,
		d.endEvent,
		d.depth,
		d.lastStep,
		d.stepOffsets,
		d.durationS,
		d.stepEvents,
		d.contacts,
		d.feedbacks,
		d.complaints,
		d.channels,
		d.firstChannel,
		d.segment,
		shapeId,
		d.nps,
		d.csat,
		d.journeyNps,
		d.journeyCsat,
		JSON.stringify(d.stepSeqs),
		journey.version
	];
}

function writeLinks(db: Db, instanceId: number, d: InstanceDraft) {
	const insert = statement(
		db,
		'INSERT OR IGNORE INTO journey_interactions (instance_id, seq, type, ts) VALUES (?, ?, ?, ?)'
	);
	for (const x of d.interactions) insert.run(instanceId, x.seq, x.type, x.ts);
}

function deleteLinks(db: Db, instanceId: number) {
	statement(db, 'DELETE FROM journey_interactions WHERE instance_id = ?').run(instanceId);
}

function insertInstance(db: Db, journey: CompiledJourney, customerId: string, d: InstanceDraft): number {
	const id = Number(
		statement(db, INSERT_INSTANCE).run(instanceValues(db, journey, customerId, d)).lastInsertRowid
	);
	writeLinks(db, id, d);
	return id;
}

export interface StoredInstance {
	id: number;
	journeyKey: string;
	startSeq: number;
	startedAt: number;
	/** Interactions up to here may attach to it. */
	reachEnd: number;
	/** The latest time an event can still change it: a step before its end (or window), an interaction in reach. */
	reach: number;
	/** Interactions attached (0: no link rows to delete). */
	links: number;
}

/**
 * Rebuilds one customer's instances of one journey from the first instance that an event at `t0` can touch.
 * Instances that ended (with their grace) before `t0` cannot change and are kept as they are. `steps` and
 * `interactions` hold the customer's events from at least the cut on.
 */
function restitchPair(
	db: Db,
	journey: CompiledJourney,
	customerId: string,
	stored: readonly StoredInstance[],
	cut: number,
	steps: readonly StepEventRow[],
	interactions: readonly InteractionRow[],
	now: number,
	result: StitchResult
) {
	const { drafts, byStart } = planPair(journey, stored, cut, steps, interactions, now);
	for (const d of drafts) {
		const old = byStart.get(d.startSeq);
		if (old) {
			byStart.delete(d.startSeq);
			statement(db, UPDATE_INSTANCE).run([
				...instanceValues(db, journey, customerId, d).slice(KEY_COLUMNS),
				old.id
			]);
			if (!sameLinks(db, old, d)) {
				if (old.links > 0) deleteLinks(db, old.id);
				writeLinks(db, old.id, d);
			}
		} else insertInstance(db, journey, customerId, d);
		result.instancesWritten++;
	}
	for (const old of byStart.values()) {
		statement(db, 'DELETE FROM journey_instances WHERE id = ?').run(old.id);
		if (old.links > 0) deleteLinks(db, old.id);
		result.instancesDeleted++;
	}
	result.pairs++;
}

/**
 * The drafts of a pair re-stitched from `cut` on, and the stored instances they replace by start seq (a draft
 * whose start is among them updates it; the ones left over are deleted).
 */
export function planPair(
	journey: CompiledJourney,
	stored: readonly StoredInstance[],
	cut: number,
	steps: readonly StepEventRow[],
	interactions: readonly InteractionRow[],
	now: number
): { drafts: InstanceDraft[]; byStart: Map<number, StoredInstance> } {
	const replaced = stored.filter((s) => s.journeyKey === journey.key && s.startedAt >= cut);
	const mine = steps.filter((e) => e.ts >= cut);
	const drafts = mine.length
		? buildInstances(
				journey,
				mine,
				interactions.filter((x) => x.ts >= cut),
				now
			)
		: [];
	return { drafts, byStart: new Map(replaced.map((s) => [s.startSeq, s])) };
}

/** Whether stored link seqs (any order) are exactly the draft's interactions. */
export function sameLinkSeqs(stored: readonly number[], d: InstanceDraft): boolean {
	const wanted = d.interactions.map((x) => x.seq).sort((x, y) => x - y);
	const have = [...stored].sort((x, y) => x - y);
	return have.length === wanted.length && have.every((seq, i) => seq === wanted[i]);
}

/** Whether an instance's stored links are exactly the draft's interactions (then they are not rewritten). */
function sameLinks(db: Db, old: StoredInstance, d: InstanceDraft): boolean {
	if (old.links !== d.interactions.length) return false;
	if (old.links === 0) return true;
	const stored = statement(db, 'SELECT seq FROM journey_interactions WHERE instance_id = ? ORDER BY seq')
		.pluck()
		.all(old.id) as number[];
	const wanted = d.interactions.map((x) => x.seq).sort((x, y) => x - y);
	return stored.length === wanted.length && stored.every((seq, i) => seq === wanted[i]);
}

/** Where re-stitching a pair starts: `t0`, or the start of the first instance an event at `t0` can change. */
export function cutOf(stored: readonly StoredInstance[], journeyKey: string, t0: number): number {
	let cut = t0;
	for (const s of stored)
		if (s.journeyKey === journeyKey && s.reach >= t0 && s.startedAt < cut) cut = s.startedAt;
	return cut;
}

/** What a write touches of a customer. */
export interface Touched {
	/** journey key → earliest ts of a step event of it */
	steps: Map<string, number>;
	/** ts of new interactions */
	interactions: number[];
}

/** The customers a write touches (their journeys' earliest new steps, their new interactions), and name counts. */
export function touchedBy(
	inserted: readonly StitchInput[],
	catalog: JourneyCatalog
): {
	customers: Map<string, Touched>;
	names: Map<string, { n: number; first: number; last: number }>;
} {
	const customers = new Map<string, Touched>();
	const touchedOf = (customerId: string) => {
		let t = customers.get(customerId);
		if (!t) customers.set(customerId, (t = { steps: new Map(), interactions: [] }));
		return t;
	};
	const names = new Map<string, { n: number; first: number; last: number }>();
	for (const e of inserted) {
		if (e.type === 'journey' && e.name) {
			const c = names.get(e.name);
			if (c) {
				c.n++;
				if (e.ts < c.first) c.first = e.ts;
				if (e.ts > c.last) c.last = e.ts;
			} else names.set(e.name, { n: 1, first: e.ts, last: e.ts });
			const journeys = catalog.byName.get(e.name);
			if (!journeys) continue;
			for (const j of journeys) {
				if (e.journey && e.journey !== j.key) continue;
				const steps = touchedOf(e.customerId).steps;
				const t = steps.get(j.key);
				if (t === undefined || e.ts < t) steps.set(j.key, e.ts);
			}
		} else if (INTERACTION_TYPES.has(e.type)) touchedOf(e.customerId).interactions.push(e.ts);
	}
	return { customers, names };
}

/** The pairs (journey key → cut) a customer's touch re-stitches, given its stored instances. */
export function pairsOf(
	touched: Touched,
	stored: readonly StoredInstance[],
	catalog: JourneyCatalog
): Map<string, number> {
	// pair → earliest ts it must be re-stitched from
	const pairs = new Map(touched.steps);
	for (const ts of touched.interactions)
		for (const r of stored)
			if (r.startedAt <= ts && ts <= r.reachEnd && catalog.byKey.has(r.journeyKey)) {
				const t = pairs.get(r.journeyKey);
				if (t === undefined || ts < t) pairs.set(r.journeyKey, ts);
			}
	return new Map([...pairs].map(([key, t0]) => [key, cutOf(stored, key, t0)]));
}

/**
 * Stitches the events a write has just inserted. Call it inside the writer's transaction, after the inserts, with
 * every inserted (not duplicate) event and its row `seq`. Identify events are ignored. Per customer it reads the
 * stored instances, the journey steps and the interactions from the earliest point the batch can change, once.
 */
/** Customers whose stored instances one statement reads (stitchJourneys; unused places bound to NULL). */
const STORED_CUSTOMERS = 64;

export function stitchJourneys(
	db: Db,
	inserted: readonly StitchInput[],
	options: {
		now?: number;
		/** Customers created by this write; `inserted` must then carry `StepSource` fields for their events. */
		created?: ReadonlySet<string>;
	} = {}
): StitchResult {
	const result: StitchResult = { pairs: 0, instancesWritten: 0, instancesDeleted: 0 };
	if (inserted.length === 0) return result;
	const now = options.now ?? Date.now();
	const catalog = journeyCatalog(db);
	const { customers, names } = touchedBy(inserted, catalog);
	countEventNames(db, names);

	// The stored instances of every touched customer the write did not create, read 64 customers a statement (one
	// statement per customer cost more than its read); restitching a customer writes only its own instances.
	const storedOf = statement(
		db,
		`SELECT customer_id AS customerId, id, journey_key AS journeyKey, start_seq AS startSeq,
		   started_at AS startedAt, reach_end AS reachEnd,
		   max(reach_end, coalesce(ended_at, deadline)) AS reach, contacts + feedbacks + complaints AS links
		 FROM journey_instances WHERE customer_id IN (${placeholders(STORED_CUSTOMERS)})`
	);
	const stepsOf = statement(
		db,
		`SELECT ${STEP_COLUMNS} FROM events WHERE type = 'journey' AND customer_id = ? AND ts >= ?`
	);
	const interactionsOf = statement(
		db,
		`SELECT ${INTERACTION_COLUMNS} FROM events
		 WHERE customer_id = ? AND type <> 'journey' AND type IN ('contact', 'feedback', 'complaint') AND ts >= ?`
	);
	const fresh = options.created?.size
		? freshRows(inserted as readonly (StitchInput & StepSource)[], options.created)
		: null;
	const storedBy = new Map<string, StoredInstance[]>();
	const toRead = [...customers.keys()].filter((id) => !fresh?.has(id));
	for (let i = 0; i < toRead.length; i += STORED_CUSTOMERS) {
		const ids = Array.from({ length: STORED_CUSTOMERS }, (_, j) => toRead[i + j] ?? null);
		for (const row of storedOf.all(ids) as (StoredInstance & { customerId: string })[]) {
			const customerId = row.customerId;
			const list = storedBy.get(customerId);
			if (list) list.push(row);
			else storedBy.set(customerId, [row]);
		}
	}
	for (const [customerId, touched] of customers) {
		const own = fresh?.get(customerId);
		const stored = own ? [] : (storedBy.get(customerId) ?? []);
		const cuts = pairsOf(touched, stored, catalog);
		if (cuts.size === 0) continue;
		const from = Math.min(...cuts.values());
		const steps = own ? own.steps : (stepsOf.all(customerId, from) as StepEventRow[]);
		const interactions = own ? own.interactions : (interactionsOf.all(customerId, from) as InteractionRow[]);
		for (const [key, cut] of cuts) {
			const journey = catalog.byKey.get(key);
			if (journey) restitchPair(db, journey, customerId, stored, cut, steps, interactions, now, result);
		}
	}
	return result;
}

/** The step and interaction rows of customers created by this write, built from the inserted events. */
export function freshRows(inserted: readonly (StitchInput & StepSource)[], created: ReadonlySet<string>) {
	const rows = new Map<string, { steps: StepEventRow[]; interactions: InteractionRow[] }>();
	for (const e of inserted) {
		if (!created.has(e.customerId)) continue;
		let own = rows.get(e.customerId);
		if (!own) rows.set(e.customerId, (own = { steps: [], interactions: [] }));
		const seq = Number(e.seq);
		if (e.type === 'journey' && e.name)
			own.steps.push({
				seq,
				id: e.id,
				ts: e.ts,
				name: e.name,
				channel: e.channel ?? null,
				journey: e.journey ?? null,
				segment: e.segment ?? null,
				properties: e.propertiesJson
			});
		else if (INTERACTION_TYPES.has(e.type))
			own.interactions.push({
				seq,
				type: e.type as InteractionRow['type'],
				ts: e.ts,
				channel: e.channel ?? null,
				journey: e.journey ?? null,
				metric: e.metric ?? null,
				score: e.score ?? null,
				teamId: e.teamId ?? null
			});
	}
	return rows;
}

export interface RestitchOptions {
	/** Only these journeys (default: all enabled ones; instances of disabled journeys are removed). */
	journeys?: readonly string[];
	now?: number;
	/** Customers per transaction. */
	chunk?: number;
	/** Recount the journey event names from the stored events (after a bulk load that skipped stitching). */
	recountNames?: boolean;
	onProgress?: (customersDone: number) => void;
}

interface ChunkRows {
	steps: Map<string, StepEventRow[]>;
	interactions: Map<string, InteractionRow[]>;
}

function loadChunk(db: Db, lo: string, hi: string): ChunkRows {
	const group = <T>(rows: (T & { customerId: string })[]) => {
		const map = new Map<string, T[]>();
		for (const row of rows) {
			const list = map.get(row.customerId);
			if (list) list.push(row);
			else map.set(row.customerId, [row]);
		}
		return map;
	};
	const steps = statement(
		db,
		`SELECT customer_id AS customerId, ${STEP_COLUMNS} FROM events
		 WHERE type = 'journey' AND customer_id >= ? AND customer_id <= ?`
	).all(lo, hi) as (StepEventRow & { customerId: string })[];
	const interactions = statement(
		db,
		`SELECT customer_id AS customerId, ${INTERACTION_COLUMNS} FROM events
		 WHERE customer_id >= ? AND customer_id <= ? AND type <> 'journey' AND type IN ('contact', 'feedback', 'complaint')`
	).all(lo, hi) as (InteractionRow & { customerId: string })[];
	return { steps: group(steps), interactions: group(interactions) };
}

function rebuildChunk(db: Db, journeys: readonly CompiledJourney[], rows: ChunkRows, now: number): number {
	let written = 0;
	for (const [customerId, steps] of rows.steps) {
		const interactions = rows.interactions.get(customerId) ?? [];
		for (const journey of journeys) {
			if (!steps.some((e) => journey.byName.has(e.name))) continue;
			for (const d of buildInstances(journey, steps, interactions, now)) {
				insertInstance(db, journey, customerId, d);
				written++;
			}
		}
	}
	return written;
}

/**
 * The rebuild as steps: each step re-stitches one chunk of customers in one transaction (deleting their instances
 * of the journeys concerned first, so instances stay readable until their customer is rebuilt, and events the
 * writer stitches meanwhile are never doubled). Yields the instances written after each chunk.
 */
function* rebuild(db: Db, options: RestitchOptions): Generator<number, void> {
	ensureDefaultJourneysSync(db);
	const catalog = journeyCatalog(db);
	const now = options.now ?? Date.now();
	const chunk = options.chunk ?? 500;
	const keys = options.journeys ? [...options.journeys] : null;
	const journeys = keys ? catalog.journeys.filter((j) => keys.includes(j.key)) : catalog.journeys;
	const c = db.$client;
	const scope = keys ? ` AND journey_key IN (${placeholders(keys.length)})` : '';
	const dropLinks = c.prepare(
		`DELETE FROM journey_interactions WHERE instance_id IN
		 (SELECT id FROM journey_instances WHERE customer_id >= ? AND customer_id <= ?${scope})`
	);
	const dropInstances = c.prepare(
		`DELETE FROM journey_instances WHERE customer_id >= ? AND customer_id <= ?${scope}`
	);
	if (options.recountNames)
		c.transaction(() => {
			c.prepare('DELETE FROM journey_event_names').run();
			c.prepare(
				`INSERT INTO journey_event_names (name, events, first_seen, last_seen)
				 SELECT name, count(*), min(ts), max(ts) FROM events WHERE type = 'journey' AND name IS NOT NULL GROUP BY name`
			).run();
		})();
	const nextCustomers = c.prepare('SELECT id FROM customers WHERE id > ? ORDER BY id LIMIT ?').pluck();
	let after = '';
	let done = 0;
	for (;;) {
		const ids = nextCustomers.all(after, chunk) as string[];
		if (ids.length === 0) break;
		const lo = ids[0];
		const hi = ids[ids.length - 1];
		let written = 0;
		c.transaction(() => {
			dropLinks.run(lo, hi, ...(keys ?? []));
			dropInstances.run(lo, hi, ...(keys ?? []));
			written = rebuildChunk(db, journeys, loadChunk(db, lo, hi), now);
		})();
		after = hi;
		done += ids.length;
		options.onProgress?.(done);
		yield written;
	}
}

/**
 * Rebuilds journey instances from the stored events, customer by customer in chunks (one transaction each, so
 * ingestion is not held up for long). Returns the number of instances written. Synchronous: for a large
 * database from a request, prefer `restitchInBackground`.
 */
export async function restitchAll(target: Db | Storage, options: RestitchOptions = {}): Promise<number> {
	let written = 0;
	for await (const n of byEngine(asStorage(target), restitchStores).rebuild(options)) written += n;
	return written;
}

/** Re-stitches one journey (after its definition or name mappings changed). */
export async function restitchJourney(
	target: Db | Storage,
	key: string,
	options: Omit<RestitchOptions, 'journeys'> = {}
): Promise<number> {
	return restitchAll(target, { ...options, journeys: [key] });
}

/** The storage side of re-stitching and closing, per engine (the same rebuild as steps, one chunk per step). */
interface RestitchStore {
	rebuild(options: RestitchOptions): Iterable<number> | AsyncIterable<number>;
	closeTimedOut(now: number): Promise<number>;
}

const restitchStores = {
	sqlite: (db: Db): RestitchStore => ({
		rebuild: (options) => rebuild(db, options),
		closeTimedOut: async (now) =>
			statement(
				db,
				`UPDATE journey_instances SET status = 'abandoned' WHERE status = 'in_progress' AND deadline <= ?`
			).run(now).changes
	}),
	postgres: (db: PgDb): RestitchStore => ({
		rebuild: (options) => rebuildPostgres(db, options),
		closeTimedOut: (now) => closeTimedOutPostgres(db, now)
	})
};

export interface RestitchStatus {
	running: boolean;
	journeys: string[] | null;
	customersDone: number;
	startedAt: number;
	finishedAt: number | null;
	instances: number;
	error: string | null;
}

/**
 * A background re-stitch's status is kept in the database (db/ops-status.ts `journeys.restitch`) as it starts, as
 * it progresses (at most once every RESTITCH_SAVE_MS) and when it ends, so the admin screen of every process —
 * one started after the re-stitch too — shows the same.
 */
export const RESTITCH_SAVE_MS = 1_000;
const RESTITCH = 'journeys.restitch';

async function saveRestitch(storage: Storage, status: RestitchStatus): Promise<void> {
	await writeOpsStatus(storage, RESTITCH, status).catch((error) =>
		console.error('[resonance] journeys: recording a re-stitch failed', error)
	);
}

/** The latest background re-stitch of this database, by any process; null when there has been none. */
export async function restitchStatus(target: Db | Storage): Promise<RestitchStatus | null> {
	return readOpsStatus<RestitchStatus>(asStorage(target), RESTITCH);
}

/** While another process re-stitches (PostgreSQL), waits this long before trying again. */
const RESTITCH_RETRY_MS = 500;

/**
 * The same rebuild, yielding to the event loop between chunks; resolves with the instances written. A second call
 * while one runs waits for it and then runs (definitions may have changed again). On PostgreSQL one re-stitch runs
 * at a time across processes (db/jobs.ts `runExclusive`): one asked for while another process re-stitches waits
 * for it to end, then runs.
 */
export async function restitchInBackground(
	target: Db | Storage,
	options: RestitchOptions = {}
): Promise<number> {
	const storage = asStorage(target);
	const db = storage.db;
	const previous = running.get(db);
	const run = (async () => {
		await previous?.catch(() => undefined);
		const status: RestitchStatus = {
			running: true,
			journeys: options.journeys ? [...options.journeys] : null,
			customersDone: 0,
			startedAt: Date.now(),
			finishedAt: null,
			instances: 0,
			error: null
		};
		let savedAt = 0;
		let saving: Promise<void> = Promise.resolve();
		const progress = () => {
			if (Date.now() - savedAt < RESTITCH_SAVE_MS) return;
			savedAt = Date.now();
			// In order, one at a time: a late progress write never overwrites the final status.
			const copy = { ...status };
			saving = saving.then(() => saveRestitch(storage, copy));
		};
		// Shown as running at once, while it may still wait for another process's re-stitch to end.
		progress();
		const work = async () => {
			progress();
			const steps = byEngine(storage, restitchStores).rebuild({
				...options,
				onProgress: (done) => {
					status.customersDone = done;
					progress();
				}
			});
			for await (const n of steps) {
				status.instances += n;
				await new Promise((resolve) => setImmediate(resolve));
			}
		};
		try {
			for (;;) {
				if ((await runExclusive(storage, 'journeys.restitch', work)).ran) break;
				await new Promise((resolve) => setTimeout(resolve, RESTITCH_RETRY_MS));
			}
		} catch (error) {
			status.error = error instanceof Error ? error.message : String(error);
			throw error;
		} finally {
			status.running = false;
			status.finishedAt = Date.now();
			await saving;
			await saveRestitch(storage, { ...status });
		}
		return status.instances;
	})();
	running.set(db, run);
	return run;
}

const running = new WeakMap<object, Promise<number>>();

/**
 * Persists abandonment: open instances past their window become `abandoned`. Queries already read them so;
 * call it periodically (e.g. every few minutes) to keep the stored status current. Returns the rows changed.
 */
export async function closeTimedOut(target: Db | Storage, now = Date.now()): Promise<number> {
	return byEngine(asStorage(target), restitchStores).closeTimedOut(now);
}
