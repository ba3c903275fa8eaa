/**
 * Test support for the PostgreSQL derived writes: a history written on SQLite by the real writer, its inserted rows
 * per write captured, replayed on PostgreSQL (the rows inserted as the writer stores them, then deriveOnPostgres in
 * the same transaction), and dumps of the derived tables that compare across engines (ids replaced by values).
 * Not imported by application code.
 */
import { sql } from 'drizzle-orm';
import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { createRandom } from '$lib/server/demo/random';
import { writeEvents } from '$lib/server/ingest/writer';
import { DEFAULT_JOURNEYS } from '$lib/server/journeys/definitions';
import type { StepSource } from '$lib/server/journeys/stitch';
import { deriveOnPostgres } from './derive-postgres';
import { MEASURE_COLUMNS } from './measures';
import { CELL_KEY_SQL, flagValue, insertedFlags, type InsertedEvent } from './rollups';

export const T0 = Date.parse('2025-03-03T00:00:00+08:00');
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** One write as the writer made it: the rows it inserted (as it handed them to derivation) and the customers it created. */
export interface CapturedWrite {
	inserted: (InsertedEvent & StepSource)[];
	created: Set<string>;
	/** The stored rows of `inserted`, as the writer first stored them (flags as if alone, no links). */
	rows: Record<string, unknown>[];
	now: number;
}

export interface HistoryOptions {
	/** Customers the events are drawn from (fewer: more chains, repeats and identifies per customer). */
	customers?: number;
	/** Largest batch (batches are 1 to this many events). */
	maxBatch?: number;
}

/**
 * A random history (the one generator of the metrics and derivation tests): contacts with transfer legs (chained by
 * time, parent id or conversation id, gaps around the 30-minute limit), repeat contacts exactly at and 1 ms past the
 * 48-hour and 7-day windows, equal and sub-minute timestamps, answers (NPS, CSAT, CES) and complaints naming
 * contacts (theirs, another's or unknown ones) or none, identifies, journey steps of the fixture and default
 * journeys; arriving late (days), early, out of order and with duplicates, in batches of 1 to `maxBatch`.
 */
export function randomHistory(seed: number, count = 400, options: HistoryOptions = {}): CxEvent[][] {
	const r = createRandom(seed);
	const customers = Array.from({ length: options.customers ?? 12 }, (_, i) => `c${seed}-${i}`);
	const teams = ['t1', 't2', 't3'];
	const events: CxEvent[] = [];
	const contactsOf = new Map<string, string[]>();
	const lastTs = new Map<string, number>();
	/** Another contact of the customer, mostly, or an id that may name anything (or nothing stored). */
	const someContact = (customerId: string) => {
		const own = contactsOf.get(customerId) ?? [];
		return own.length && r.bernoulli(0.8) ? r.pick(own) : `s${seed}-e${r.int(0, count)}`;
	};
	for (let i = 0; i < count; i++) {
		const customerId = r.pick(customers);
		// Minute resolution over 12 days, so equal timestamps happen; a tenth off the minute.
		let ts = T0 - 2 * DAY + r.int(0, 12 * 24 * 60) * MIN + (r.bernoulli(0.1) ? r.int(1, 59_999) : 0);
		// Boundaries: exactly 0, 48 h or 7 days after (or 1 ms more) the customer's last event.
		const last = lastTs.get(customerId);
		if (last !== undefined && r.next() < 0.25)
			ts = last + r.pick([0, 48 * HOUR, 48 * HOUR + 1, 7 * DAY, 7 * DAY + 1]);
		lastTs.set(customerId, ts);
		const id = `s${seed}-e${i}`;
		const team = r.pick(teams);
		const u = r.next();
		if (u < 0.4) {
			const handledBy = r.pick(['agent', 'agent', 'bot', 'ivr', undefined] as const);
			const conversation = r.bernoulli(0.3) ? `conv-${seed}-${i}` : undefined;
			events.push({
				id,
				type: 'contact',
				ts,
				customerId,
				channel: r.pick(['phone', 'ivr', 'chat', 'bot', 'app'] as const),
				handledBy,
				outcome: r.pick(['resolved', 'resolved', 'unresolved', 'transferred', 'abandoned'] as const),
				waitS: r.bernoulli(0.9) ? r.pick([0, 3, 4, 5, 6, 19, 20, 21, 45, 120]) : undefined,
				handleS: r.bernoulli(0.85) ? r.int(30, 900) : undefined,
				reason: r.bernoulli(0.85) ? r.pick(['card', 'loan', 'fraud', 'pwd']) : undefined,
				teamId: handledBy === 'agent' ? team : undefined,
				agentId: handledBy === 'agent' ? `${team}-a${r.int(1, 4)}` : undefined,
				journey: r.bernoulli(0.3) ? r.pick(['fixture', 'j2']) : undefined,
				properties: conversation ? { conversationId: conversation } : {}
			});
			contactsOf.set(customerId, [...(contactsOf.get(customerId) ?? []), id]);
			let parent = events[events.length - 1];
			let legTs = ts;
			for (let leg = 1; leg <= 2 && r.next() < (leg === 1 ? 0.45 : 0.3); leg++) {
				const legTeam = r.pick(teams);
				const linkBy = r.pick(['time', 'time', 'parent', 'conversation'] as const);
				legTs += r.pick([0, 1, 5, 29, 30, 31, 45]) * MIN + (linkBy === 'time' ? 0 : r.pick([0, 3 * HOUR]));
				const sameAgent = parent.handledBy === 'agent' && r.bernoulli(0.2);
				events.push({
					id: `${id}-leg${leg}`,
					type: 'contact',
					ts: legTs,
					customerId,
					channel: 'phone',
					handledBy: r.pick(['agent', 'agent', 'agent', 'ivr'] as const),
					outcome: r.pick(['resolved', 'resolved', 'transferred', 'unresolved', 'abandoned'] as const),
					waitS: r.bernoulli(0.85) ? r.pick([0, 4, 6, 15, 25, 60]) : undefined,
					handleS: r.bernoulli(0.85) ? r.int(30, 900) : undefined,
					reason: r.bernoulli(0.6) ? r.pick(['card', 'loan', 'fraud', 'pwd']) : undefined,
					teamId: sameAgent ? parent.teamId : legTeam,
					agentId: sameAgent ? parent.agentId : `${legTeam}-a${r.int(1, 4)}`,
					properties:
						linkBy === 'parent'
							? { parentContactId: parent.id }
							: linkBy === 'conversation' && conversation
								? { conversationId: conversation }
								: {}
				});
				parent = events[events.length - 1];
				contactsOf.set(customerId, [...(contactsOf.get(customerId) ?? []), parent.id]);
			}
		} else if (u < 0.62) {
			const metric = r.pick(['nps', 'csat', 'ces'] as const);
			const [lo, hi] = metric === 'nps' ? [0, 10] : metric === 'csat' ? [1, 5] : [1, 7];
			events.push({
				id,
				type: 'feedback',
				ts,
				customerId,
				metric,
				score: r.int(lo, hi),
				channel: r.pick(['phone', 'app', 'wechat'] as const),
				contactId: r.bernoulli(0.6) ? someContact(customerId) : undefined,
				teamId: r.bernoulli(0.3) ? r.pick(teams) : undefined,
				reason: r.bernoulli(0.2) ? r.pick(['card', 'loan']) : undefined,
				journey: r.bernoulli(0.3) ? 'fixture' : undefined,
				// Texts are scored by the writer as they arrive.
				text: r.bernoulli(0.3) ? r.pick(['服务很好，非常满意', '排队太久了，很失望', '还行']) : undefined,
				properties: {}
			});
		} else if (u < 0.7) {
			events.push({
				id,
				type: 'complaint',
				ts,
				customerId,
				category: 'fee',
				channel: r.pick(['phone', 'branch'] as const),
				regulator: r.bernoulli(0.3),
				teamId: r.bernoulli(0.25) ? r.pick(teams) : undefined,
				contactId: r.bernoulli(0.4) ? someContact(customerId) : undefined,
				properties: {}
			});
		} else if (u < 0.77) {
			events.push({
				id,
				type: 'identify',
				ts,
				customerId,
				traits: {
					segment: r.bernoulli(0.8) ? r.pick(['mass', 'affluent', 'private'] as const) : undefined,
					region: r.bernoulli(0.8) ? r.pick(['gd', 'js', 'sh']) : undefined
				},
				properties: {}
			});
		} else {
			// A run of journey steps: the fixture journey (a → b → c_ok|c_no → d) or a default journey.
			const fixture = r.bernoulli(0.6);
			const names = fixture
				? ['a', 'b', r.pick(['c_ok', 'c_no']), 'd']
				: r.pick(DEFAULT_JOURNEYS).steps.flatMap((s) => s.events);
			let t = ts;
			for (let k = 0; k < names.length && r.next() < 0.8; k++) {
				t += Math.round(r.exponential(10 * HOUR));
				events.push({
					id: `${id}-step${k}`,
					type: 'journey',
					ts: t,
					customerId,
					name: r.bernoulli(0.1) ? r.pick(names) : names[k],
					channel: r.pick(['app', 'phone', 'ivr'] as const),
					properties: r.bernoulli(0.1) ? { status: 'failed' } : {}
				});
			}
		}
	}
	// Arrival: mostly by time, some events days late, a few early, some swapped; a few retries (duplicates).
	const arrival = events
		.map((e) => ({
			e,
			key: e.ts + (r.bernoulli(0.2) ? r.int(0, 4 * DAY) : 0) - (r.bernoulli(0.05) ? 3 * DAY : 0)
		}))
		.sort((a, b) => a.key - b.key)
		.map((x) => x.e);
	for (let i = 0; i < arrival.length / 10; i++) {
		const a = r.int(0, arrival.length - 1);
		const b = r.int(0, arrival.length - 1);
		[arrival[a], arrival[b]] = [arrival[b], arrival[a]];
	}
	for (let i = 0; i < 10; i++) arrival.splice(r.int(0, arrival.length), 0, r.pick(events));
	const batches: CxEvent[][] = [];
	const maxBatch = options.maxBatch ?? 40;
	for (let i = 0; i < arrival.length;) {
		const size = r.int(1, maxBatch);
		batches.push(arrival.slice(i, i + size));
		i += size;
	}
	return batches;
}

/**
 * Writes batches on SQLite with the real writer (derivation on, de-duplication on) and captures, per write, what it
 * inserted and handed to derivation: the rows (read back by seq), the events, the customers it created.
 */
export function writeAndCapture(db: Db, batches: readonly CxEvent[][], now: number): CapturedWrite[] {
	const c = db.$client;
	const maxSeq = c.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
	const customerIds = c.prepare('SELECT id FROM customers').pluck();
	const rowsAfter = c.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq');
	const writes: CapturedWrite[] = [];
	for (const batch of batches) {
		const before = Number(maxSeq.get());
		const known = new Set(customerIds.all() as string[]);
		writeEvents(db, batch, { sourceId: 1, receivedAt: now });
		const byId = new Map(batch.map((e) => [e.id, e]));
		const rows = rowsAfter.all(before) as Record<string, unknown>[];
		const inserted = rows.map((row) => ({
			...(byId.get(row.id as string) as CxEvent),
			seq: row.seq as number,
			segment: row.segment as string | null,
			region: row.region as string | null,
			sentiment: row.sentiment as number | null,
			propertiesJson: row.properties as string
		}));
		// As the writer first stored them: flags as if alone, no link (reconciling then corrects them).
		const firstRows = rows.map((row, i) => {
			const f = insertedFlags(inserted[i]);
			return {
				...row,
				first_contact: flagValue(f.firstContact),
				repeat_same_reason_7d: flagValue(f.repeatSameReason7d),
				repeat_48h: flagValue(f.repeat48h),
				chain_last: flagValue(f.chainLast),
				chain_self_service: flagValue(f.chainSelfService),
				transferred_to_agent: flagValue(f.transferredToAgent),
				linked_contact_seq: null
			};
		});
		// The writer counts a customer as created when an event other than an identify finds it missing.
		const created = new Set<string>();
		const seen = new Set<string>();
		for (const e of inserted) {
			if (!seen.has(e.customerId) && !known.has(e.customerId) && e.type !== 'identify')
				created.add(e.customerId);
			seen.add(e.customerId);
		}
		writes.push({ inserted, created, rows: firstRows, now });
	}
	return writes;
}

/** Replays one captured write on PostgreSQL in one transaction: its customers and rows, then deriveOnPostgres. */
export async function replayWrite(pg: PgDb, write: CapturedWrite): Promise<void> {
	await pg.transaction(async (tx) => {
		for (const id of [...write.created].sort())
			await tx.execute(
				sql`INSERT INTO customers (id, traits, first_seen, last_seen) VALUES (${id}, '{}', 0, 0)
				 ON CONFLICT (id) DO NOTHING`
			);
		if (write.rows.length > 0) {
			const columns = Object.keys(write.rows[0]);
			const values = write.rows.map(
				(row) =>
					sql`(${sql.join(
						columns.map((c) => sql`${row[c]}`),
						sql`, `
					)})`
			);
			await tx.execute(
				sql`INSERT INTO events (${sql.raw(columns.join(', '))}) VALUES ${sql.join(values, sql`, `)}`
			);
		}
		await deriveOnPostgres(tx, write.inserted, { now: write.now, created: write.created });
	});
}

const sortRows = <T>(rows: T[]) =>
	rows
		.map((r) => [JSON.stringify(r), r] as const)
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([, r]) => r);

const CELL_DUMP_SQL = `SELECT 'hour' AS level, k.cuboid, k.v1, k.v2, k.v3, ${CELL_KEY_SQL.hour} AS unit, ${MEASURE_COLUMNS.map((m) => `m.${m}`).join(', ')}
	 FROM metric_cells m JOIN metric_combos k ON k.id = ${CELL_KEY_SQL.combo}
	 UNION ALL
	 SELECT 'day' AS level, k.cuboid, k.v1, k.v2, k.v3, ${CELL_KEY_SQL.hour} AS unit, ${MEASURE_COLUMNS.map((m) => `m.${m}`).join(', ')}
	 FROM metric_day_cells m JOIN metric_combos k ON k.id = ${CELL_KEY_SQL.combo}`;

const FLAG_DUMP_SQL = `SELECT e.id, e.type, e.first_contact, e.repeat_same_reason_7d, e.repeat_48h, e.chain_last,
	  e.chain_self_service, e.transferred_to_agent, l.id AS linked
	 FROM events e LEFT JOIN events l ON l.seq = e.linked_contact_seq`;

const INSTANCE_SQL = `SELECT i.*, s.path, s.switches FROM journey_instances i JOIN journey_shapes s ON s.id = i.shape_id`;

/** Cells by (level, cuboid, values, unit) with their measures: combo ids differ between engines, values do not. */
export async function cellsOf(engine: Db | PgDb): Promise<unknown[]> {
	return sortRows(await all(engine, CELL_DUMP_SQL));
}

/** Every event's flags and link (by event id). */
export async function flagsOf(engine: Db | PgDb): Promise<unknown[]> {
	return sortRows(await all(engine, FLAG_DUMP_SQL));
}

/** Journey instances with seqs replaced by event ids and the shape by its path and switches. */
export async function instancesOf(engine: Db | PgDb): Promise<unknown[]> {
	const idOf = new Map(
		(await all(engine, 'SELECT seq, id FROM events')).map((r) => [Number(r.seq), String(r.id)])
	);
	const links = new Map<number, string[]>();
	for (const r of await all(engine, 'SELECT instance_id, seq FROM journey_interactions')) {
		const list = links.get(Number(r.instance_id)) ?? [];
		list.push(idOf.get(Number(r.seq)) as string);
		links.set(Number(r.instance_id), list);
	}
	return sortRows(
		(await all(engine, INSTANCE_SQL)).map(({ id, start_seq, step_seqs, shape_id: _s, ...rest }) => ({
			...rest,
			start: idOf.get(Number(start_seq)),
			steps: (JSON.parse(String(step_seqs)) as number[]).map((seq) => idOf.get(seq)),
			linked: (links.get(Number(id)) ?? []).sort()
		}))
	);
}

/** Journey event names and their counts. */
export async function eventNamesOf(engine: Db | PgDb): Promise<unknown[]> {
	return sortRows(await all(engine, 'SELECT * FROM journey_event_names'));
}

async function all(engine: Db | PgDb, query: string): Promise<Record<string, unknown>[]> {
	if ('prepare' in engine.$client) return engine.$client.prepare(query).all() as Record<string, unknown>[];
	return [...((await (engine as PgDb).execute(sql.raw(query))) as unknown as Record<string, unknown>[])];
}
