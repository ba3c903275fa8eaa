import { hash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import { scoreSentiment } from '$lib/server/text';
import {
	applyToRollups,
	collectRollups,
	insertedFlags,
	flagValue,
	flushRollups,
	forgetCombos,
	forgetRecentFacts,
	UnstoredRows,
	type InsertedEvent,
	type RollupDeltas
} from '$lib/server/metrics/rollups';
import type { LegFlags } from '$lib/server/metrics/flags';
import { stitchJourneys, type StepSource } from '$lib/server/journeys/stitch';
import { SeenIds } from './seen-ids';

/** What happened to each event handed to the writer, by its position in the input. */
export interface WriteResult {
	accepted: number;
	duplicates: number;
	/** Positions (in the input array) of events that were already stored. */
	duplicateIndexes: number[];
}

/**
 * What can be computed for an event before the write, away from the writer thread: its de-duplication hash, the
 * sentiment of its text and its properties as stored. Optional: the writer computes what is not given.
 */
export interface PreparedEvents {
	/** A typed array: it crosses to the writer thread as one block of memory. */
	hashes: BigInt64Array;
	sentiments: (number | null)[];
	properties: string[];
}

/**
 * Prepares events for `writeEvents` (on the main thread, while the writer thread writes earlier batches); the
 * sentiments may be given, computed beforehand.
 */
export function prepareEvents(
	sourceId: number | null,
	events: readonly CxEvent[],
	sentiments?: (number | null)[]
): PreparedEvents {
	const hashes = new BigInt64Array(events.length);
	events.forEach((e, i) => (hashes[i] = eventIdHash(sourceId, e.id)));
	return {
		hashes,
		sentiments: sentiments ?? events.map((e) => (e.text ? scoreSentiment(e.text) : null)),
		properties: events.map((e) => JSON.stringify(e.properties ?? {}))
	};
}

export interface WriteOptions {
	/** The ingestion source; part of the de-duplication key. Null for internal writers (seed, import without source). */
	sourceId: number | null;
	/** Arrival time, epoch ms (defaults to now). */
	receivedAt?: number;
	/** De-duplicate by (source, id). The demo history seed turns it off: its ids are unique by construction. */
	dedupe?: boolean;
	/** The events' hashes, sentiments and properties computed beforehand (`prepareEvents`), in the same order. */
	prepared?: PreparedEvents;
	/**
	 * Maintain rollups and journey instances in the same transaction (default). A bulk load may turn it off and
	 * rebuild both once at the end (`rebuildRollups`, `restitchAll`), which is faster for a whole history.
	 */
	derive?: boolean;
}

/** A 63-bit hash of (source, client id), the de-duplication key. Collisions at 2⁻⁶³ per pair are accepted. */
export function eventIdHash(sourceId: number | null, id: string): bigint {
	const digest = hash('sha256', `${sourceId ?? 0}\u0000${id}`, 'buffer');
	return BigInt.asIntN(64, digest.readBigUInt64BE(0) >> 1n);
}

/** The events table's columns the writers fill, in the order of `eventRowValues`. */
export const EVENT_ROW_COLUMNS = [
	'id',
	'source_id',
	'type',
	'ts',
	'received_at',
	'customer_id',
	'channel',
	'name',
	'journey',
	'handled_by',
	'queue',
	'team_id',
	'agent_id',
	'reason',
	'wait_s',
	'handle_s',
	'outcome',
	'metric',
	'score',
	'text',
	'contact_id',
	'category',
	'severity',
	'regulator',
	'segment',
	'region',
	'sentiment',
	'first_contact',
	'repeat_same_reason_7d',
	'repeat_48h',
	'chain_last',
	'chain_self_service',
	'transferred_to_agent',
	'properties'
] as const;

/**
 * The SQLite insert of one event row, positional in the order of `EVENT_ROW_COLUMNS` (binding 34 named parameters
 * costs about twice as much per row).
 */
export const INSERT_EVENT_SQL = `INSERT INTO events (${EVENT_ROW_COLUMNS.join(', ')})
	 VALUES (${EVENT_ROW_COLUMNS.map(() => '?').join(', ')})`;

/** `INSERT_EVENT_SQL` with the row's link (linked_contact_seq) last: a survey answer or complaint linked at once. */
const INSERT_LINKED_EVENT_SQL = `INSERT INTO events (${EVENT_ROW_COLUMNS.join(', ')}, linked_contact_seq)
	 VALUES (${EVENT_ROW_COLUMNS.map(() => '?').join(', ')}, ?)`;

/**
 * An event's row as both writers store it, in the order of `EVENT_ROW_COLUMNS`, written into `row` (reused by the
 * caller, so the hot path allocates no array per event) and returned. `customer` stamps its segment and region as of
 * the event; `flags` are the contact flags as if alone (null: left for a rebuild).
 */
export function eventRowValues(
	row: unknown[],
	e: CxEvent,
	sourceId: number | null,
	receivedAt: number,
	customer: { segment: string | null; region: string | null },
	sentiment: number | null,
	flags: LegFlags | null,
	properties: string
): unknown[] {
	row[0] = e.id;
	row[1] = sourceId;
	row[2] = e.type;
	row[3] = e.ts;
	row[4] = receivedAt;
	row[5] = e.customerId;
	row[6] = e.channel ?? null;
	row[7] = e.name ?? null;
	row[8] = e.journey ?? null;
	row[9] = e.handledBy ?? null;
	row[10] = e.queue ?? null;
	row[11] = e.teamId ?? null;
	row[12] = e.agentId ?? null;
	row[13] = e.reason ?? null;
	row[14] = e.waitS ?? null;
	row[15] = e.handleS ?? null;
	row[16] = e.outcome ?? null;
	row[17] = e.metric ?? null;
	row[18] = e.score ?? null;
	row[19] = e.text ?? null;
	row[20] = e.contactId ?? null;
	row[21] = e.category ?? null;
	row[22] = e.severity ?? null;
	row[23] = e.regulator === undefined ? null : e.regulator ? 1 : 0;
	row[24] = customer.segment;
	row[25] = customer.region;
	row[26] = sentiment;
	row[27] = flags && flagValue(flags.firstContact);
	row[28] = flags && flagValue(flags.repeatSameReason7d);
	row[29] = flags && flagValue(flags.repeat48h);
	row[30] = flags && flagValue(flags.chainLast);
	row[31] = flags && flagValue(flags.chainSelfService);
	row[32] = flags && flagValue(flags.transferredToAgent);
	row[33] = properties;
	return row;
}

/**
 * What the writer hands rollups and stitching for an inserted event: the event's fields, its row key and the values
 * it stamped on the row. One literal naming every field of CxEvent (absent ones as undefined): copying the event
 * with Object.assign (or a spread) takes V8's slow path, property by property.
 */
function insertedEvent(
	e: CxEvent,
	seq: number,
	customer: { segment: string | null; region: string | null },
	sentiment: number | null,
	propertiesJson: string
): InsertedEvent & StepSource {
	return {
		id: e.id,
		type: e.type,
		ts: e.ts,
		customerId: e.customerId,
		channel: e.channel,
		name: e.name,
		journey: e.journey,
		handledBy: e.handledBy,
		queue: e.queue,
		agentId: e.agentId,
		teamId: e.teamId,
		reason: e.reason,
		waitS: e.waitS,
		handleS: e.handleS,
		outcome: e.outcome,
		metric: e.metric,
		score: e.score,
		text: e.text,
		contactId: e.contactId,
		category: e.category,
		severity: e.severity,
		regulator: e.regulator,
		traits: e.traits,
		properties: e.properties,
		seq,
		segment: customer.segment,
		region: customer.region,
		sentiment,
		propertiesJson
	};
}

interface Statements {
	logId: Statement;
	loggedHash: Statement;
	insertEvent: Statement;
	insertLinkedEvent: Statement;
	/** The seq the next event row gets (the rowid SQLite assigns: one more than the largest). */
	nextSeq: Statement;
	findCustomer: Statement;
	createCustomer: Statement;
	touchCustomer: Statement;
	identifyCustomer: Statement;
	registerTeam: Statement;
	registerAgent: Statement;
	registerDimension: Statement;
	customersDeleted: Statement;
	/** The event row's values, refilled for every insert (binding copies them): no array per event. */
	row: unknown[];
	/** The same with the row's link last (`insertLinkedEvent`). */
	linkedRow: unknown[];
}

/** A customer as the writer last saw it in the database. */
interface CustomerState {
	segment: string | null;
	region: string | null;
	firstSeen: number;
	lastSeen: number;
}

/**
 * Customers are upserted for every event unless this cache shows the row exists and already covers the event's
 * time, give or take `LAST_SEEN_RESOLUTION_MS` (so `last_seen` may trail by up to a minute). That saves a random
 * B-tree write per event of a returning customer. Only the writer changes segment and region; anything else that
 * changes them must call `forgetCustomers`.
 */
const customersByDb = new WeakMap<Db, Map<string, CustomerState>>();
const LAST_SEEN_RESOLUTION_MS = 60_000;
const CUSTOMER_CACHE_LIMIT = 500_000;

/** Drops the writer's cache of customers (after traits were changed outside the writer). */
export function forgetCustomers(db: Db): void {
	customersByDb.delete(db);
}

/**
 * The count of customer deletions (privacy/) this writer's cache was built after. A deletion by any connection, in
 * any process, bumps the stored count; the next write sees it and drops the cache, so a deleted customer who sends
 * again is created anew rather than taken for one that exists.
 */
const deletionsSeenByDb = new WeakMap<Db, number>();

function forgetDeletedCustomers(db: Db, s: Statements): void {
	const deletions = (s.customersDeleted.get() as number | undefined) ?? 0;
	if (deletionsSeenByDb.get(db) === deletions) return;
	deletionsSeenByDb.set(db, deletions);
	customersByDb.delete(db);
}

const statementsByDb = new WeakMap<Db, Statements>();
/** Teams, agents and dimension values already registered, so the hot path does not write them again. */
type Registered = Record<'team' | 'agent' | 'queue' | 'reason', Set<string>>;
const knownByDb = new WeakMap<Db, Registered>();
const noneRegistered = (): Registered => ({
	team: new Set(),
	agent: new Set(),
	queue: new Set(),
	reason: new Set()
});

function statementsFor(db: Db): Statements {
	let s = statementsByDb.get(db);
	if (s) return s;
	const c = db.$client;
	s = {
		logId: c.prepare('INSERT INTO event_ids (hash, seen_at) VALUES (?, ?)'),
		loggedHash: c.prepare('SELECT hash FROM event_ids WHERE seq = ?').pluck().safeIntegers(),
		insertEvent: c.prepare(INSERT_EVENT_SQL),
		insertLinkedEvent: c.prepare(INSERT_LINKED_EVENT_SQL),
		nextSeq: c.prepare('SELECT coalesce(max(seq), 0) + 1 FROM events').pluck(),

		findCustomer: c.prepare(
			'SELECT segment, region, first_seen AS firstSeen, last_seen AS lastSeen FROM customers WHERE id = ?'
		),
		createCustomer: c.prepare(
			`INSERT INTO customers (id, traits, first_seen, last_seen) VALUES (?, '{}', ?, ?)`
		),
		// No RETURNING on these writes: inside the group commit's savepoints an upsert with RETURNING measured ~8×
		// the cost of the same upsert plus a look-up (88 against 10 µs).
		touchCustomer: c.prepare(
			'UPDATE customers SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE id = ?'
		),
		identifyCustomer: c.prepare(
			`INSERT INTO customers (id, segment, tier, region, traits, first_seen, last_seen)
			 VALUES (@id, @segment, @tier, @region, @traits, @ts, @ts)
			 ON CONFLICT (id) DO UPDATE SET segment = coalesce(excluded.segment, segment),
			   tier = coalesce(excluded.tier, tier), region = coalesce(excluded.region, region),
			   traits = json_patch(traits, excluded.traits),
			   first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`
		),
		registerTeam: c.prepare('INSERT OR IGNORE INTO teams (id, name, first_seen) VALUES (?, ?, ?)'),
		registerAgent: c.prepare(
			'INSERT OR IGNORE INTO agents (id, name, team_id, first_seen) VALUES (?, ?, ?, ?)'
		),
		registerDimension: c.prepare(
			'INSERT OR IGNORE INTO dimension_values (dimension, value, first_seen) VALUES (?, ?, ?)'
		),
		customersDeleted: c.prepare(`SELECT value FROM ops_state WHERE key = 'customers.deleted'`).pluck(),
		row: new Array<unknown>(EVENT_ROW_COLUMNS.length),
		linkedRow: new Array<unknown>(EVENT_ROW_COLUMNS.length + 1)
	};
	statementsByDb.set(db, s);
	return s;
}

/**
 * The ids of the de-duplication window, loaded once per database from the `event_ids` log (see `SeenIds`). Only
 * this process's writer appends to the log. A hit is confirmed against the log row it names, so claims made by a
 * transaction that was later rolled back never count.
 */
const seenByDb = new WeakMap<Db, SeenIds>();

function seenFor(db: Db): SeenIds {
	let seen = seenByDb.get(db);
	if (seen) return seen;
	const c = db.$client;
	const count = c.prepare('SELECT count(*) FROM event_ids').pluck().get() as number;
	seen = new SeenIds(Math.max(1024, count));
	const rows = c.prepare('SELECT seq, hash, seen_at FROM event_ids ORDER BY seq').raw().safeIntegers();
	for (const [seq, hash, seenAt] of rows.iterate() as Iterable<[bigint, bigint, bigint]>)
		seen.set(hash, Number(seenAt), Number(seq));
	seenByDb.set(db, seen);
	return seen;
}

function knownFor(db: Db): Registered {
	let known = knownByDb.get(db);
	if (!known) knownByDb.set(db, (known = noneRegistered()));
	return known;
}

/**
 * Writes normalized events in one transaction: claims each id (duplicates are skipped and reported), creates or
 * updates customers, registers teams/agents/queues/reasons first seen, and inserts the event rows stamped with
 * the customer's segment and region. Returns only after the transaction has committed.
 */
export function writeEvents(db: Db, events: readonly CxEvent[], options: WriteOptions): WriteResult {
	return writeInto(db, events, options, null);
}

/**
 * `writeEvents`, optionally leaving the rollup cells to the caller: with `pendingCells`, this batch's cell deltas are
 * appended there once its part of the transaction (inline or a savepoint inside `writeBatches`) has succeeded, for one
 * flush per group commit instead of one per request.
 */
function writeInto(
	db: Db,
	events: readonly CxEvent[],
	options: WriteOptions,
	pendingCells: RollupDeltas[] | null,
	/** Written straight into the caller's transaction, without a savepoint of its own (see `writeBatches`). */
	inline = false
): WriteResult {
	const s = statementsFor(db);
	const receivedAt = options.receivedAt ?? Date.now();
	const dedupe = options.dedupe ?? true;
	const result: WriteResult = { accepted: 0, duplicates: 0, duplicateIndexes: [] };
	const known = knownFor(db);
	let customers = new Map<string, CustomerState>();
	// Registrations and customers are remembered only once their transaction has committed (a rolled-back one
	// wrote nothing).
	const registered = noneRegistered();
	const touched = new Map<string, CustomerState>();
	const derive = options.derive ?? true;
	const inserted: (InsertedEvent & StepSource)[] = [];
	let cells: RollupDeltas | null = null;
	/** Customers this call created: all their events are in `inserted`, so stitching need not read any back. */
	const created = new Set<string>();
	const seen = dedupe ? seenFor(db) : null;
	/** Whether `key` is registered for the first time here (then the caller writes it). */
	const firstSeen = (known: Set<string>, registered: Set<string>, key: string) => {
		if (known.has(key) || registered.has(key)) return false;
		registered.add(key);
		return true;
	};

	// Inside `writeBatches` this nested transaction is a savepoint (unless inline): a failure rolls back this batch
	// only. Standalone it
	// takes the write lock at BEGIN (IMMEDIATE): a transaction that reads first and then writes fails at once
	// (SQLITE_BUSY) when another connection committed in between, instead of waiting.
	const write = () => {
		// Inside the transaction, so no deletion can commit between this check and the writes.
		forgetDeletedCustomers(db, s);
		const cached = customersByDb.get(db);
		if (cached) customers = cached;
		else customersByDb.set(db, customers);
		const prepared = options.prepared;
		// Deriving, the rows are inserted after reconciling, with their final flags and links (insertDerived): each
		// event gets its row's seq here, the rowid SQLite will give it (only this connection inserts events while
		// its transaction holds the write lock).
		const firstSeq = derive ? (s.nextSeq.get() as number) : 0;
		let seq = firstSeq;
		events.forEach((e, index) => {
			if (seen) {
				const hash = prepared ? prepared.hashes[index] : eventIdHash(options.sourceId, e.id);
				const claim = seen.get(hash);
				if (claim >= 0 && s.loggedHash.get(claim) === hash) {
					result.duplicates++;
					result.duplicateIndexes.push(index);
					return;
				}
				seen.set(hash, receivedAt, Number(s.logId.run(hash, receivedAt).lastInsertRowid));
			}
			let customer = touched.get(e.customerId) ?? customers.get(e.customerId);
			if (e.type === 'identify') {
				const { segment, tier, region, ...rest } = e.traits ?? {};
				s.identifyCustomer.run({
					id: e.customerId,
					segment: segment ?? null,
					tier: tier ?? null,
					region: region ?? null,
					traits: JSON.stringify(rest),
					ts: e.ts
				});
				// The merged segment and region (a trait left out keeps its stored value).
				customer = s.findCustomer.get(e.customerId) as CustomerState;
				touched.set(e.customerId, customer);
			} else {
				customer ??= s.findCustomer.get(e.customerId) as CustomerState | undefined;
				if (!customer) {
					s.createCustomer.run(e.customerId, e.ts, e.ts);
					customer = { segment: null, region: null, firstSeen: e.ts, lastSeen: e.ts };
					created.add(e.customerId);
					touched.set(e.customerId, customer);
				} else if (e.ts < customer.firstSeen || e.ts > customer.lastSeen + LAST_SEEN_RESOLUTION_MS) {
					// A stored customer (its segment and region change only here, in identify): move the seen times.
					s.touchCustomer.run(e.ts, e.ts, e.customerId);
					customer = {
						...customer,
						firstSeen: Math.min(customer.firstSeen, e.ts),
						lastSeen: Math.max(customer.lastSeen, e.ts)
					};
					touched.set(e.customerId, customer);
				} else if (!touched.has(e.customerId)) touched.set(e.customerId, customer);
			}
			if (e.teamId && firstSeen(known.team, registered.team, e.teamId))
				s.registerTeam.run(e.teamId, e.teamId, e.ts);
			if (e.agentId && firstSeen(known.agent, registered.agent, e.agentId))
				s.registerAgent.run(e.agentId, e.agentId, e.teamId ?? null, e.ts);
			if (e.queue && firstSeen(known.queue, registered.queue, e.queue))
				s.registerDimension.run('queue', e.queue, e.ts);
			if (e.reason && firstSeen(known.reason, registered.reason, e.reason))
				s.registerDimension.run('reason', e.reason, e.ts);
			const sentiment = prepared ? prepared.sentiments[index] : e.text ? scoreSentiment(e.text) : null;
			const properties = prepared ? prepared.properties[index] : JSON.stringify(e.properties ?? {});
			if (derive) inserted.push(insertedEvent(e, seq++, customer, sentiment, properties));
			// Spread: bound as 34 arguments, as fast as listing them (an array argument measured no faster).
			else
				s.insertEvent.run(
					...eventRowValues(s.row, e, options.sourceId, receivedAt, customer, sentiment, null, properties)
				);
			result.accepted++;
		});
		// Rollups and journey instances change in the same transaction as the rows they are derived from.
		if (inserted.length > 0) {
			const unstored = new UnstoredRows(firstSeq);
			if (pendingCells) cells = collectRollups(db, inserted, created, unstored);
			else applyToRollups(db, inserted, created, unstored);
			insertDerived(s, inserted, unstored, options.sourceId, receivedAt);
			stitchJourneys(db, inserted, { now: receivedAt, created });
		}
	};
	try {
		if (inline) write();
		else db.$client.transaction(write).immediate();
	} catch (error) {
		// Rolled back (inline: the caller's transaction will be): combos this write created may be gone, and the
		// rows kept for reconciling may include this write's.
		forgetCombos(db);
		forgetRecentFacts(db);
		throw error;
	}
	if (cells) pendingCells?.push(cells);
	for (const kind of Object.keys(registered) as (keyof Registered)[])
		for (const key of registered[kind]) known[kind].add(key);
	if (customers.size + touched.size > CUSTOMER_CACHE_LIMIT) customers.clear();
	for (const [id, state] of touched) customers.set(id, state);
	return result;
}

/**
 * Inserts a write's rows after reconciling: each with the flags and link reconciling gave it (a contact's flags
 * otherwise as if alone), at the seq reconciling knew it by.
 */
function insertDerived(
	s: Statements,
	inserted: readonly (InsertedEvent & StepSource)[],
	unstored: UnstoredRows,
	sourceId: number | null,
	receivedAt: number
): void {
	for (const e of inserted) {
		const flags = unstored.flags.get(e.seq) ?? insertedFlags(e);
		const link = unstored.links.get(e.seq) ?? null;
		const properties = e.propertiesJson ?? JSON.stringify(e.properties ?? {});
		let seq: number;
		if (link === null)
			seq = Number(
				s.insertEvent.run(
					...eventRowValues(s.row, e, sourceId, receivedAt, e, e.sentiment, flags, properties)
				).lastInsertRowid
			);
		else {
			const row = eventRowValues(s.linkedRow, e, sourceId, receivedAt, e, e.sentiment, flags, properties);
			row[EVENT_ROW_COLUMNS.length] = link;
			seq = Number(s.insertLinkedEvent.run(...row).lastInsertRowid);
		}
		// Reconciling wrote links and cells naming this seq.
		if (seq !== e.seq) throw new Error(`event row stored at seq ${seq}, reconciled as ${e.seq}`);
	}
}

/** One request's events for `writeBatches`. */
export interface WriteBatch extends WriteOptions {
	events: readonly CxEvent[];
}

/** A request's write threw inside an optimistic group (see `writeBatches`). */
class RequestFailed extends Error {
	constructor(readonly failure: Error) {
		super(failure.message);
	}
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/**
 * Group commit: writes several requests' events in one transaction; returns after the commit, with one result per
 * request, or that request's Error in its place: a request whose write fails costs the others nothing. If the commit
 * itself fails, it throws and nothing was written.
 *
 * Optimistic: the group is first written without a savepoint per request, because opening and releasing them
 * measured about 8% of the writer's time (SQLite copies each page a savepoint first touches). If a request throws,
 * that whole transaction is rolled back and the group is written again with one savepoint per request.
 */
export function writeBatches(db: Db, batches: readonly WriteBatch[]): (WriteResult | Error)[] {
	try {
		return writeGroup(db, batches, false);
	} catch (error) {
		if (!(error instanceof RequestFailed)) throw error;
		if (batches.length === 1) return [error.failure];
		return writeGroup(db, batches, true);
	}
}

function writeGroup(db: Db, batches: readonly WriteBatch[], savepoints: boolean): (WriteResult | Error)[] {
	const results: (WriteResult | Error)[] = [];
	try {
		db.$client
			.transaction(() => {
				const pendingCells: RollupDeltas[] = [];
				for (const batch of batches) {
					try {
						results.push(writeInto(db, batch.events, batch, pendingCells, !savepoints));
					} catch (error) {
						if (!savepoints) throw new RequestFailed(asError(error));
						results.push(asError(error));
					}
				}
				// The requests' rollup cells, upserted once for the whole group.
				if (pendingCells.length) flushRollups(db, pendingCells);
			})
			.immediate();
	} catch (error) {
		// What the requests above remembered (registrations, customers, combos) was rolled back with the transaction.
		knownByDb.delete(db);
		customersByDb.delete(db);
		forgetCombos(db);
		forgetRecentFacts(db);
		throw error;
	}
	return results;
}

/**
 * Forgets de-duplication ids first seen before `before` (epoch ms): from memory, and from the `event_ids` log, at
 * most `limit` rows a call (the log is in arrival order, so the old rows are a prefix: a short range delete that
 * never holds the write lock for long). Returns the log rows deleted; call again while it returns `limit`. On both
 * engines: `pruneEventIds` (prune.ts).
 */
export function pruneSqliteEventIds(db: Db, before: number, limit = 20_000): number {
	seenByDb.get(db)?.forgetBefore(before);
	const c = db.$client;
	const last = c
		.prepare(
			'SELECT max(seq) FROM (SELECT seq, seen_at FROM event_ids ORDER BY seq LIMIT ?) WHERE seen_at < ?'
		)
		.pluck()
		.get(limit, before) as number | null;
	if (last === null) return 0;
	return c.prepare('DELETE FROM event_ids WHERE seq <= ? AND seen_at < ?').run(last, before).changes;
}
