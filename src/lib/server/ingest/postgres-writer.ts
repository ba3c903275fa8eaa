import { sql } from 'drizzle-orm';
import type { CxEvent } from '$lib/model';
import type { PgDb } from '$lib/server/db/postgres';
import type { PgTx } from '$lib/server/db/pg-tx';
import { scoreSentiment } from '$lib/server/text';
import { insertedFlags, type InsertedEvent } from '$lib/server/metrics/rollups';
import { PgRollupDeltas } from '$lib/server/metrics/rollups-postgres';
import type { StepSource } from '$lib/server/journeys/stitch';
import {
	EVENT_ROW_COLUMNS,
	eventIdHash,
	eventRowValues,
	type WriteBatch,
	type WriteOptions,
	type WriteResult
} from './writer';

/**
 * The ingestion writer on PostgreSQL (issue 17): the contract of writer.ts (`WriteResult`, duplicate indexes, one
 * Error per failing request) in the server process itself, awaited, with no writer thread. Several processes may
 * write at once:
 * - de-duplication claims each (source, client id) hash with INSERT … ON CONFLICT (hash) DO NOTHING RETURNING on the
 *   unique index of event_ids (migration 0001_ingest_dedupe_unique): of two processes that receive the same event,
 *   the second waits for the first's commit and finds the hash taken (or takes it, if the first rolled back);
 * - customers are read FOR UPDATE (in id order) and upserted; teams, agents and dimension values are inserted with
 *   ON CONFLICT DO NOTHING; events are inserted in one statement per request (unnest of column arrays);
 * - rollups, contact chains and journeys are derived in the same transaction by the injected `derive`.
 *
 * Order across processes. A customer's contact chains, flags and links are recomputed from the customer's stored
 * rows (read-modify-write), so two transactions writing one customer must not overlap: a group commit first takes
 * a transaction-scoped advisory lock per customer (bucket) of all its requests, in one order (the lock keys'), and holds them
 * until it commits; a second process's group for the same customers waits, then reads what the first stored. Row
 * locks alone were taken request by request inside the group, in a different order in each process, and deadlocked
 * (the group then failed after its retries). The cells of the whole group are written once, in key order, at the
 * end of the group (as writer.ts flushes them once per group on SQLite), so groups never take cells in opposite
 * orders either.
 */

/**
 * Derives rollups, contact-chain flags and journey instances from a request's inserted events, in its transaction.
 * Cell contributions go to `cells` (the writer writes those of a whole group at once, before it commits).
 */
export type PgDerive = (
	tx: PgTx,
	inserted: (InsertedEvent & StepSource)[],
	context: { now: number; created: Set<string>; cells: PgRollupDeltas }
) => Promise<void>;

export interface PostgresWriterOptions {
	/** Maintains the derived tables (metrics/derive-postgres.ts `deriveOnPostgres`); none: events only. */
	derive?: PgDerive;
}

export interface PostgresWriter {
	/** One request's events in their own transaction; resolves after the commit. */
	writeEvents(events: readonly CxEvent[], options: WriteOptions): Promise<WriteResult>;
	/**
	 * Group commit: several requests in one transaction (a failing request is answered its Error and costs the
	 * others nothing: the group is then written again with a savepoint per request). Rejects, having written
	 * nothing, when the transaction itself fails.
	 */
	writeBatches(batches: readonly WriteBatch[]): Promise<(WriteResult | Error)[]>;
}

/** A customer as read at the start of a request's write, then as this request changes it. */
interface CustomerState {
	segment: string | null;
	tier: string | null;
	region: string | null;
	traits: Record<string, unknown>;
	firstSeen: number;
	lastSeen: number;
	/** The row existed when read (locked FOR UPDATE since). */
	stored: boolean;
	/** This request changes the row. */
	dirty: boolean;
	/** Traits changed by an identify. */
	identified: boolean;
}

/** As writer.ts: a returning customer's last_seen moves only when an event is a minute past it. */
const LAST_SEEN_RESOLUTION_MS = 60_000;
/**
 * Deadlocks between transactions (customers are locked in one order, but a group's later request may need a team,
 * agent or id another transaction holds while it waits for one of this group's) retry the whole group.
 */
const DEADLOCK = '40P01';
const ATTEMPTS = 5;
/** The first key of the two-int advisory locks a group commit takes per customer ('cust'; auth uses 'sign'). */
const CUSTOMER_LOCK_CLASS = 0x63757374;
/**
 * Customers share this many locks (the second key is the id's hash modulo it): a group of thousands of customers
 * takes at most this many, as advisory locks fill PostgreSQL's shared lock table (max_locks_per_transaction ×
 * max_connections, 6,400 by default) for as long as they are held. Two groups whose customers share a bucket wait
 * for each other although their customers differ; with a few dozen customers per group that is rare.
 */
const CUSTOMER_LOCK_BUCKETS = 1024;

type Registered = Record<'team' | 'agent' | 'queue' | 'reason', Set<string>>;
const noneRegistered = (): Registered => ({
	team: new Set(),
	agent: new Set(),
	queue: new Set(),
	reason: new Set()
});

/** RFC 7396 merge patch: what SQLite's json_patch does to traits. */
export function mergePatch(target: unknown, patch: unknown): unknown {
	if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
	const result: Record<string, unknown> =
		target !== null && typeof target === 'object' && !Array.isArray(target)
			? { ...(target as Record<string, unknown>) }
			: {};
	for (const [key, value] of Object.entries(patch)) {
		if (value === null) delete result[key];
		else result[key] = mergePatch(result[key], value);
	}
	return result;
}

/** The PostgreSQL type of each column of the event row (for the unnest of column arrays). */
const EVENT_COLUMN_TYPES: Record<(typeof EVENT_ROW_COLUMNS)[number], string> = {
	id: 'text',
	source_id: 'bigint',
	type: 'text',
	ts: 'bigint',
	received_at: 'bigint',
	customer_id: 'text',
	channel: 'text',
	name: 'text',
	journey: 'text',
	handled_by: 'text',
	queue: 'text',
	team_id: 'text',
	agent_id: 'text',
	reason: 'text',
	wait_s: 'double precision',
	handle_s: 'double precision',
	outcome: 'text',
	metric: 'text',
	score: 'double precision',
	text: 'text',
	contact_id: 'text',
	category: 'text',
	severity: 'text',
	regulator: 'smallint',
	segment: 'text',
	region: 'text',
	sentiment: 'double precision',
	first_contact: 'smallint',
	repeat_same_reason_7d: 'smallint',
	repeat_48h: 'smallint',
	chain_last: 'smallint',
	chain_self_service: 'smallint',
	transferred_to_agent: 'smallint',
	properties: 'text'
};
const EVENT_COLUMNS = EVENT_ROW_COLUMNS.map((name) => [name, EVENT_COLUMN_TYPES[name]] as const);

/** A request of a group written without savepoints failed: the group is written again with them. */
class RequestFailed extends Error {
	constructor(readonly failure: Error) {
		super(failure.message);
	}
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
const isDeadlock = (error: unknown) =>
	typeof error === 'object' && error !== null && (error as { code?: unknown }).code === DEADLOCK;

/** A text[] / bigint[] / … parameter (one placeholder, not a list). */
const array = (values: unknown[], type: string) => sql`${sql.param(values)}::${sql.raw(type)}[]`;

const insertEventsSql = (columns: unknown[][]) => {
	const names = EVENT_COLUMNS.map(([name]) => name).join(', ');
	const arrays = sql.join(
		EVENT_COLUMNS.map(([, type], i) => array(columns[i], type)),
		sql`, `
	);
	return sql`INSERT INTO events (${sql.raw(names)})
		SELECT ${sql.raw(names)} FROM unnest(${arrays}) WITH ORDINALITY AS u(${sql.raw(names)}, ord) ORDER BY ord
		RETURNING seq`;
};

export function postgresWriter(db: PgDb, options: PostgresWriterOptions = {}): PostgresWriter {
	/**
	 * Teams, agents, queues and reasons known to be registered (after a commit), so requests skip them. Safe across
	 * processes: the rows are append-only (nothing deletes teams, agents or dimension values), and the writer only
	 * ever inserts them (ON CONFLICT DO NOTHING), so a name changed by another process is never overwritten here.
	 */
	const known = noneRegistered();

	/** One request's events inside `tx` (a savepoint of the group's transaction). */
	async function writeOne(
		tx: PgTx,
		events: readonly CxEvent[],
		options: WriteOptions,
		registered: Registered,
		cells: PgRollupDeltas
	): Promise<WriteResult> {
		const receivedAt = options.receivedAt ?? Date.now();
		const dedupe = options.dedupe ?? true;
		const derive = options.derive ?? true;
		const prepared = options.prepared;
		const result: WriteResult = { accepted: 0, duplicates: 0, duplicateIndexes: [] };

		// 1. Claim the ids: the hashes this request inserted into the log are its to store (the first event holding
		// each, in input order); the others were stored before, by any process, or earlier in this request.
		let accepted: number[] = events.map((_, i) => i);
		if (dedupe && events.length) {
			const hashes = events.map((e, i) =>
				String(prepared ? prepared.hashes[i] : eventIdHash(options.sourceId, e.id))
			);
			const claimed = await tx.execute<{ hash: string }>(sql`INSERT INTO event_ids (hash, seen_at)
				SELECT h, ${receivedAt}::bigint FROM (SELECT DISTINCT h FROM unnest(${array(hashes, 'bigint')}) AS h) AS d
				ORDER BY h
				ON CONFLICT (hash) DO NOTHING RETURNING hash::text AS hash`);
			const open = new Set(claimed.map((r) => r.hash));
			accepted = [];
			hashes.forEach((h, i) => {
				if (open.delete(h)) accepted.push(i);
				else {
					result.duplicates++;
					result.duplicateIndexes.push(i);
				}
			});
		}
		if (!accepted.length) return result;

		// 2. Customers: create the missing ones and lock them all, in one pass in id order (so concurrent requests,
		// in any process, take the customers' locks in one order and cannot deadlock on them), reading the stored
		// state; then play the events through in order, as the SQLite writer does, so each event is stamped with its
		// customer's segment and region as of that event.
		const firstTs = new Map<string, number>();
		for (const i of accepted)
			if (!firstTs.has(events[i].customerId)) firstTs.set(events[i].customerId, events[i].ts);
		const ids = [...firstTs.keys()].sort();
		const rows = await tx.execute<{
			id: string;
			segment: string | null;
			tier: string | null;
			region: string | null;
			traits: string;
			first_seen: number;
			last_seen: number;
			inserted: boolean;
		}>(sql`INSERT INTO customers (id, traits, first_seen, last_seen)
			SELECT id, '{}', ts, ts FROM unnest(${array(ids, 'text')}, ${array(
				ids.map((id) => firstTs.get(id)),
				'bigint'
			)}) AS u(id, ts) ORDER BY id COLLATE "C"
			ON CONFLICT (id) DO UPDATE SET last_seen = customers.last_seen
			RETURNING id, segment, tier, region, traits, first_seen, last_seen, (xmax = 0) AS inserted`);
		/** Rows this request created just now (their state is built from its events below). */
		const insertedHere = new Set(rows.filter((r) => r.inserted).map((r) => r.id));
		const customers = new Map<string, CustomerState>();
		for (const r of rows)
			if (!r.inserted)
				customers.set(r.id, {
					segment: r.segment,
					tier: r.tier,
					region: r.region,
					traits: JSON.parse(r.traits) as Record<string, unknown>,
					firstSeen: Number(r.first_seen),
					lastSeen: Number(r.last_seen),
					stored: true,
					dirty: false,
					identified: false
				});
		/** Customers new to the database whose first event here is not an identify (as writer.ts counts them). */
		const createdHere = new Set<string>();
		const firstSeen = (kind: keyof Registered, key: string) => {
			if (known[kind].has(key) || registered[kind].has(key)) return false;
			registered[kind].add(key);
			return true;
		};
		const teamRows: [string, number][] = [];
		const agentRows: [string, string | null, number][] = [];
		const dimensionRows: [string, string, number][] = [];
		const columns: unknown[][] = EVENT_COLUMNS.map(() => []);
		const row: unknown[] = [];
		const inserted: (InsertedEvent & StepSource)[] = [];
		for (const index of accepted) {
			const e = events[index];
			let customer = customers.get(e.customerId);
			if (e.type === 'identify') {
				const { segment, tier, region, ...rest } = e.traits ?? {};
				const base = customer ?? {
					segment: null,
					tier: null,
					region: null,
					traits: {},
					firstSeen: e.ts,
					lastSeen: e.ts,
					stored: false,
					dirty: true,
					identified: false
				};
				customer = {
					...base,
					segment: (segment as string | undefined) ?? base.segment,
					tier: (tier as string | undefined) ?? base.tier,
					region: (region as string | undefined) ?? base.region,
					traits: mergePatch(base.traits, rest) as Record<string, unknown>,
					firstSeen: Math.min(base.firstSeen, e.ts),
					lastSeen: Math.max(base.lastSeen, e.ts),
					dirty: true,
					identified: true
				};
				customers.set(e.customerId, customer);
			} else if (!customer) {
				customer = {
					segment: null,
					tier: null,
					region: null,
					traits: {},
					firstSeen: e.ts,
					lastSeen: e.ts,
					stored: false,
					dirty: true,
					identified: false
				};
				customers.set(e.customerId, customer);
				createdHere.add(e.customerId);
			} else if (e.ts < customer.firstSeen || e.ts > customer.lastSeen + LAST_SEEN_RESOLUTION_MS) {
				customer.firstSeen = Math.min(customer.firstSeen, e.ts);
				customer.lastSeen = Math.max(customer.lastSeen, e.ts);
				customer.dirty = true;
			}
			if (e.teamId && firstSeen('team', e.teamId)) teamRows.push([e.teamId, e.ts]);
			if (e.agentId && firstSeen('agent', e.agentId)) agentRows.push([e.agentId, e.teamId ?? null, e.ts]);
			if (e.queue && firstSeen('queue', e.queue)) dimensionRows.push(['queue', e.queue, e.ts]);
			if (e.reason && firstSeen('reason', e.reason)) dimensionRows.push(['reason', e.reason, e.ts]);
			const sentiment = prepared ? prepared.sentiments[index] : e.text ? scoreSentiment(e.text) : null;
			const properties = prepared ? prepared.properties[index] : JSON.stringify(e.properties ?? {});
			const flags = derive ? insertedFlags(e) : null;
			eventRowValues(row, e, options.sourceId, receivedAt, customer, sentiment, flags, properties).forEach(
				(v, c) => columns[c].push(v)
			);
			if (derive)
				inserted.push({
					...e,
					seq: 0,
					segment: customer.segment,
					region: customer.region,
					sentiment,
					propertiesJson: properties
				});
		}

		// 3. Write the customers this request changed.
		// A row this request inserted already holds what its events left unchanged (no traits, first and last seen
		// at its first event): most new customers, then, need no second write.
		const asInserted = (id: string, c: CustomerState) =>
			insertedHere.has(id) &&
			c.segment === null &&
			c.tier === null &&
			c.region === null &&
			Object.keys(c.traits).length === 0 &&
			c.firstSeen === firstTs.get(id) &&
			c.lastSeen === c.firstSeen;
		const changed = [...customers]
			.filter(([id, c]) => c.dirty && !asInserted(id, c))
			.sort(([a], [b]) => (a < b ? -1 : 1));
		const customerArrays = (list: [string, CustomerState][]) =>
			sql.join(
				[
					array(
						list.map(([id]) => id),
						'text'
					),
					array(
						list.map(([, c]) => c.segment),
						'text'
					),
					array(
						list.map(([, c]) => c.tier),
						'text'
					),
					array(
						list.map(([, c]) => c.region),
						'text'
					),
					array(
						list.map(([, c]) => JSON.stringify(c.traits)),
						'text'
					),
					array(
						list.map(([, c]) => c.firstSeen),
						'bigint'
					),
					array(
						list.map(([, c]) => c.lastSeen),
						'bigint'
					)
				],
				sql`, `
			);
		// Every row is locked (or was created) by this request: its new state replaces the stored one.
		// Steps 3 to 5 are sent together (postgres.js pipelines a transaction's queries; the server runs them in
		// order), awaited together.
		const writes: Promise<unknown>[] = [];
		if (changed.length)
			writes.push(
				tx.execute(sql`UPDATE customers AS c SET segment = u.segment, tier = u.tier, region = u.region,
				  traits = u.traits, first_seen = u.first_seen, last_seen = u.last_seen
				FROM unnest(${customerArrays(changed)}) AS u(id, segment, tier, region, traits, first_seen, last_seen)
				WHERE c.id = u.id`)
			);
		const created = new Set([...createdHere].filter((id) => insertedHere.has(id)));

		// 4. Teams, agents, queues and reasons first seen (ignored when another request registered them).
		if (teamRows.length)
			writes.push(
				tx.execute(sql`INSERT INTO teams (id, name, first_seen)
				SELECT id, id, ts FROM unnest(${array(
					teamRows.map(([id]) => id),
					'text'
				)}, ${array(
					teamRows.map(([, ts]) => ts),
					'bigint'
				)}) AS u(id, ts) ORDER BY id ON CONFLICT DO NOTHING`)
			);
		if (agentRows.length)
			writes.push(
				tx.execute(sql`INSERT INTO agents (id, name, team_id, first_seen)
				SELECT id, id, team, ts FROM unnest(${array(
					agentRows.map(([id]) => id),
					'text'
				)}, ${array(
					agentRows.map(([, team]) => team),
					'text'
				)}, ${array(
					agentRows.map(([, , ts]) => ts),
					'bigint'
				)}) AS u(id, team, ts) ORDER BY id ON CONFLICT DO NOTHING`)
			);
		if (dimensionRows.length)
			writes.push(
				tx.execute(sql`INSERT INTO dimension_values (dimension, value, first_seen)
				SELECT * FROM unnest(${array(
					dimensionRows.map(([d]) => d),
					'text'
				)}, ${array(
					dimensionRows.map(([, v]) => v),
					'text'
				)}, ${array(
					dimensionRows.map(([, , ts]) => ts),
					'bigint'
				)}) AS u(d, v, ts) ORDER BY d, v ON CONFLICT DO NOTHING`)
			);

		// 5. The events, in one statement. Identities are drawn in insertion order (the ORDER BY), so the returned
		// seqs, sorted, are the events' in input order.
		// (drizzle's queries are sent when awaited: Promise.all sends them in the array's order, the events last.)
		const sent = await Promise.all([...writes, tx.execute<{ seq: number }>(insertEventsSql(columns))]);
		const seqs = (sent[sent.length - 1] as { seq: number }[]).map((r) => Number(r.seq)).sort((a, b) => a - b);
		inserted.forEach((row, i) => (row.seq = seqs[i]));
		result.accepted = accepted.length;

		// 6. Rollups, contact chains and journeys, in the same transaction as the rows they are derived from.
		if (inserted.length && options.derive !== false && deriveStep)
			await deriveStep(tx, inserted, { now: receivedAt, created, cells });
		return result;
	}

	const deriveStep = options.derive;

	async function writeGroup(
		batches: readonly WriteBatch[],
		savepoints: boolean
	): Promise<(WriteResult | Error)[]> {
		const registered = noneRegistered();
		const results = await db.transaction(async (tx) => {
			const customers = [...new Set(batches.flatMap((b) => b.events.map((e) => e.customerId)))];
			if (customers.length)
				// Volatile functions of the select list run after the ORDER BY: the locks are taken in key order.
				await tx.execute(sql`SELECT pg_advisory_xact_lock(${CUSTOMER_LOCK_CLASS}::int, k)
					FROM (SELECT DISTINCT hashtext(id) & ${sql.raw(String(CUSTOMER_LOCK_BUCKETS - 1))} AS k FROM unnest(${array(customers, 'text')}) AS id) AS d
					ORDER BY k`);
			const results: (WriteResult | Error)[] = [];
			const groupCells = new PgRollupDeltas();
			for (const batch of batches) {
				const mine = noneRegistered();
				const cells = new PgRollupDeltas();
				try {
					// With savepoints, a failure rolls back this request only; without (the first try), the group.
					results.push(
						savepoints
							? await tx.transaction((sp) => writeOne(sp, batch.events, batch, mine, cells))
							: await writeOne(tx, batch.events, batch, mine, cells)
					);
					groupCells.addAll(cells);
					for (const kind of Object.keys(mine) as (keyof Registered)[])
						for (const key of mine[kind]) registered[kind].add(key);
				} catch (error) {
					// A deadlock aborts the whole transaction's chances: retry the group.
					if (isDeadlock(error)) throw error;
					if (!savepoints) throw new RequestFailed(asError(error));
					results.push(asError(error));
				}
			}
			await groupCells.flush(tx);
			return results;
		});
		for (const kind of Object.keys(registered) as (keyof Registered)[])
			for (const key of registered[kind]) known[kind].add(key);
		return results;
	}

	/**
	 * A group is first written without savepoints (two round trips a request fewer, and no subtransactions), as
	 * writer.ts does on SQLite; when one of its requests fails, that attempt is rolled back and the group written
	 * again with a savepoint per request (a lone request is answered its Error at once).
	 */
	async function writeOnce(batches: readonly WriteBatch[]): Promise<(WriteResult | Error)[]> {
		try {
			return await writeGroup(batches, false);
		} catch (error) {
			if (!(error instanceof RequestFailed)) throw error;
			if (batches.length === 1) return [error.failure];
			return await writeGroup(batches, true);
		}
	}

	async function writeBatches(batches: readonly WriteBatch[]): Promise<(WriteResult | Error)[]> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await writeOnce(batches);
			} catch (error) {
				if (!isDeadlock(error) || attempt >= ATTEMPTS) throw error;
				// The other transaction won: let it commit before writing the group again.
				await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
			}
		}
	}

	return {
		writeBatches,
		async writeEvents(events, options) {
			const [result] = await writeBatches([{ ...options, events }]);
			if (result instanceof Error) throw result;
			return result;
		}
	};
}
