import { sql, type SQL } from 'drizzle-orm';
import type { PgDb } from '$lib/server/db/postgres';
import type { PgTx } from '$lib/server/db/pg-tx';
import type { LegFlags } from './flags';
import {
	addContribution,
	addInto,
	emptyVector,
	MEASURE_COLUMNS,
	MEASURE_COUNT,
	type DimensionValues,
	type FactRow,
	type MeasureVector
} from './measures';
import {
	cellKey,
	COMBO_LIMIT,
	CUBOIDS,
	DAY_ONLY_CUBOIDS,
	dayCellsOf,
	dayStartHour,
	firstMissingCuboid,
	flagValue,
	hourCellsOf,
	isDayOnlyKey,
	MISSING_CUBOID_SQL,
	planRollups,
	rebuildCustomerFlags,
	reconcileCustomer,
	reconcileWindow,
	storedFact,
	type CellLevel,
	type InsertedEvent,
	type RawRow,
	type RebuildOptions,
	type RollupSink,
	type StoredFact
} from './rollups';
import { DAY_MS, hourOf } from './time';

/**
 * Rollup maintenance on PostgreSQL: the same decisions as rollups.ts (planRollups, reconcileCustomer,
 * rebuildCustomerFlags: the pure parts are shared), with the reads and writes batched per call. Several processes
 * write at once, so cells are only ever incremented by upserts (`col = col + excluded.col`), combos are created
 * with ON CONFLICT DO NOTHING and read back, and rows are written in key order (no deadlocks between writers).
 */

/** Something drizzle can run raw SQL on: a PostgreSQL transaction (or the pool). */
export type PgRunner = Pick<PgTx, 'execute'>;

/** Runs `query` and gives its rows as arrays, in the select list's order (columns must have distinct names). */
export async function rowsOf(tx: PgRunner, query: SQL): Promise<RawRow[]> {
	const rows = (await tx.execute(query)) as unknown as Record<string, unknown>[];
	return rows.map((r) => Object.values(r));
}

/** One parameter holding a whole array (cast it in the SQL: `${arrayParam(xs)}::bigint[]`). */
export const arrayParam = (values: readonly unknown[]): SQL => sql`${sql.param(values)}`;

const CELL_TABLE: Record<CellLevel, string> = { hour: 'metric_cells', day: 'metric_day_cells' };

/** The stored event columns rollups read, for table alias `a`, named c0…c28 (rowsOf reads them by position). */
export function pgFactColumns(a: string): string {
	const p = `${a}.`;
	return [
		'seq',
		'id',
		'type',
		'ts',
		'channel',
		'team_id',
		'agent_id',
		'segment',
		'journey',
		'region',
		'reason',
		'handled_by',
		'outcome',
		'wait_s',
		'handle_s',
		'metric',
		'score',
		'regulator',
		'sentiment',
		'contact_id',
		'first_contact',
		'repeat_same_reason_7d',
		'repeat_48h',
		'linked_contact_seq',
		'chain_last',
		'chain_self_service',
		'transferred_to_agent'
	]
		.map((c, i) => `${p}${c} AS c${i}`)
		.concat(
			`CASE WHEN ${p}type = 'contact' THEN ${p}properties::jsonb ->> 'parentContactId' END AS c27`,
			`CASE WHEN ${p}type = 'contact' THEN ${p}properties::jsonb ->> 'conversationId' END AS c28`
		)
		.join(', ');
}

/** A combination of one cuboid's values ('' for a dimension the cuboid lacks). */
interface Combo {
	cuboid: number;
	v1: string;
	v2: string;
	v3: string;
}

/**
 * Cell contributions of one call, per (cuboid, hour, v1, v2, v3): combos are resolved in one round trip at flush
 * time (RollupDeltas resolves them one by one, synchronously, on SQLite).
 */
export class PgRollupDeltas {
	private readonly parts = new Map<string, Combo & { hour: number; v: MeasureVector }>();
	private readonly scratch = emptyVector();

	/** `fromCuboid`: cuboids from this one on only (completeCuboidsPostgres builds those added since). */
	constructor(private readonly fromCuboid = 0) {}

	add(dims: DimensionValues, ts: number, row: FactRow, sign: 1 | -1): void {
		const v = this.scratch;
		v.fill(0);
		if (!addContribution(row, v, sign)) return;
		const exact = hourOf(ts);
		const dayHour = dayStartHour(exact);
		for (let c = this.fromCuboid; c < CUBOIDS.length; c++) {
			const d = CUBOIDS[c];
			const v1 = d.length > 0 ? (dims[d[0]] ?? '') : '';
			const v2 = d.length > 1 ? (dims[d[1]] ?? '') : '';
			const v3 = d.length > 2 ? (dims[d[2]] ?? '') : '';
			// A day-only cuboid's contributions at the first hour of their day (rollups.ts DAY_ONLY_CUBOIDS).
			const hour = DAY_ONLY_CUBOIDS.has(c) ? dayHour : exact;
			const name = `${c}\u0001${hour}\u0001${v1}\u0001${v2}\u0001${v3}`;
			let part = this.parts.get(name);
			if (!part) this.parts.set(name, (part = { cuboid: c, hour, v1, v2, v3, v: emptyVector() }));
			addInto(part.v, v);
		}
	}

	get size(): number {
		return this.parts.size;
	}

	/** Adds another call's contributions (a group commit's request whose savepoint succeeded) into these. */
	addAll(other: PgRollupDeltas): void {
		for (const [name, part] of other.parts) {
			const mine = this.parts.get(name);
			if (mine) addInto(mine.v, part.v);
			else this.parts.set(name, { ...part, v: Float64Array.from(part.v) });
		}
	}

	/** The combos these contributions need. */
	combos(): Iterable<Combo> {
		return this.parts.values();
	}

	/** The cells of the contributions by hour key, their combos' ids given; clears them. */
	takeCells(ids: ReadonlyMap<string, number>): Map<number, MeasureVector> {
		const cells = new Map<number, MeasureVector>();
		for (const p of this.parts.values()) {
			const id = ids.get(comboName(p)) as number;
			const key = cellKey(p.cuboid, p.hour, id);
			const acc = cells.get(key);
			if (acc) addInto(acc, p.v);
			else cells.set(key, p.v);
		}
		this.parts.clear();
		return cells;
	}

	/**
	 * Upserts the contributions into hour and day cells (day cells only for day-only cuboids); returns the cells
	 * written at their finest level.
	 */
	async flush(tx: PgRunner): Promise<number> {
		if (this.parts.size === 0) return 0;
		const cells = this.takeCells(await comboIds(tx, [...this.parts.values()]));
		const days = dayCellsOf(cells);
		const written = await upsertCells(tx, 'hour', hourCellsOf(cells));
		await upsertCells(tx, 'day', days);
		return written + nonZeroCells(dayOnlyCells(days));
	}
}

/** The day cells of day-only cuboids (counted as the cells written at their finest level). */
function dayOnlyCells(days: ReadonlyMap<number, MeasureVector>): Map<number, MeasureVector> {
	return new Map([...days].filter(([key]) => isDayOnlyKey(key)));
}

/** Cells with at least one measure that is not 0 (those upsertCells writes). */
function nonZeroCells(cells: ReadonlyMap<number, MeasureVector>): number {
	let n = 0;
	for (const v of cells.values()) if (v.some((x) => x !== 0)) n++;
	return n;
}

/** Adds `cells` into `into` as an upsert adds them into stored cells (a copy for a new key, `+` otherwise). */
function mergeCells(into: Map<number, MeasureVector>, cells: ReadonlyMap<number, MeasureVector>): void {
	for (const [key, v] of cells) {
		const acc = into.get(key);
		if (acc) addInto(acc, v);
		else into.set(key, Float64Array.from(v));
	}
}

/**
 * Several windows' contributions written at once (the rebuild's days), to exactly the cells that flushing them
 * window after window would leave: each window's cells are summed as flush sums them, then added into the
 * previous windows' in window order, as the upserts would add them. Returns the cells each window's flush
 * would have written, summed (a cell two windows share counts twice, as it does there).
 */
async function flushWindows(tx: PgRunner, windows: readonly PgRollupDeltas[]): Promise<number> {
	const ids = await comboIds(
		tx,
		windows.flatMap((w) => [...w.combos()])
	);
	const hours = new Map<number, MeasureVector>();
	const days = new Map<number, MeasureVector>();
	let written = 0;
	for (const w of windows) {
		const cells = w.takeCells(ids);
		const windowHours = hourCellsOf(cells);
		const windowDays = dayCellsOf(cells);
		written += nonZeroCells(windowHours) + nonZeroCells(dayOnlyCells(windowDays));
		mergeCells(hours, windowHours);
		mergeCells(days, windowDays);
	}
	await upsertCells(tx, 'hour', hours);
	await upsertCells(tx, 'day', days);
	return written;
}

const comboName = (c: Combo) => `${c.cuboid}\u0001${c.v1}\u0001${c.v2}\u0001${c.v3}`;

/** Ids of combos (cuboid, v1, v2, v3), created when missing (by whichever writer gets there first). */
async function comboIds(tx: PgRunner, wanted: readonly Combo[]): Promise<Map<string, number>> {
	const distinct = new Map<string, Combo>();
	for (const w of wanted) distinct.set(comboName(w), w);
	const ids = new Map<string, number>();
	const read = async (list: Combo[]) => {
		const rows = await rowsOf(
			tx,
			sql`SELECT m.id, m.cuboid, m.v1, m.v2, m.v3 FROM metric_combos m
			 JOIN unnest(${arrayParam(list.map((c) => c.cuboid))}::bigint[], ${arrayParam(list.map((c) => c.v1))}::text[],
			   ${arrayParam(list.map((c) => c.v2))}::text[], ${arrayParam(list.map((c) => c.v3))}::text[])
			   AS w(cuboid, v1, v2, v3)
			 ON m.cuboid = w.cuboid AND m.v1 = w.v1 AND m.v2 = w.v2 AND m.v3 = w.v3`
		);
		for (const [id, cuboid, v1, v2, v3] of rows) {
			if (Number(id) >= COMBO_LIMIT) throw new Error('metric_combos is full (2²⁶ combinations)');
			ids.set(
				comboName({ cuboid: Number(cuboid), v1: String(v1), v2: String(v2), v3: String(v3) }),
				Number(id)
			);
		}
	};
	await read([...distinct.values()]);
	// Only the missing ones are inserted: an insert that conflicts still takes an identity value.
	const missing = [...distinct.entries()]
		.filter(([name]) => !ids.has(name))
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([, c]) => c);
	if (missing.length > 0) {
		await tx.execute(
			sql`INSERT INTO metric_combos (cuboid, v1, v2, v3)
			 SELECT * FROM unnest(${arrayParam(missing.map((c) => c.cuboid))}::bigint[],
			   ${arrayParam(missing.map((c) => c.v1))}::text[], ${arrayParam(missing.map((c) => c.v2))}::text[],
			   ${arrayParam(missing.map((c) => c.v3))}::text[])
			 ON CONFLICT (cuboid, v1, v2, v3) DO NOTHING`
		);
		await read(missing);
	}
	return ids;
}

/** Cells per upsert statement. */
const UPSERT_BATCH = 5_000;

/**
 * Adds cell vectors into a cell table, in key order; cells a negative contribution may have emptied are deleted
 * when they are. Every measure column is written (PostgreSQL rewrites the whole row anyway).
 */
async function upsertCells(
	tx: PgRunner,
	level: CellLevel,
	cells: ReadonlyMap<number, MeasureVector>
): Promise<number> {
	const keys: number[] = [];
	const columns: number[][] = MEASURE_COLUMNS.map(() => []);
	const emptied: number[] = [];
	for (const key of [...cells.keys()].sort((a, b) => a - b)) {
		const v = cells.get(key) as MeasureVector;
		let any = false;
		let negative = false;
		for (let i = 0; i < MEASURE_COUNT; i++)
			if (v[i] !== 0) {
				any = true;
				if (v[i] < 0) negative = true;
			}
		if (!any) continue;
		keys.push(key);
		for (let i = 0; i < MEASURE_COUNT; i++) columns[i].push(v[i]);
		if (negative) emptied.push(key);
	}
	if (keys.length === 0) return 0;
	const table = sql.raw(CELL_TABLE[level]);
	const names = sql.raw(MEASURE_COLUMNS.join(', '));
	const sets = sql.raw(MEASURE_COLUMNS.map((m) => `${m} = t.${m} + excluded.${m}`).join(', '));
	for (let from = 0; from < keys.length; from += UPSERT_BATCH) {
		const to = from + UPSERT_BATCH;
		const arrays = sql.join(
			columns.map((values) => sql`${arrayParam(values.slice(from, to))}::double precision[]`),
			sql`, `
		);
		await tx.execute(
			sql`INSERT INTO ${table} AS t (key, ${names})
			 SELECT * FROM unnest(${arrayParam(keys.slice(from, to))}::bigint[], ${arrays})
			 ON CONFLICT (key) DO UPDATE SET ${sets}`
		);
	}
	if (emptied.length > 0) {
		const allZero = sql.raw(MEASURE_COLUMNS.map((m) => `${m} = 0`).join(' AND '));
		await tx.execute(
			sql`DELETE FROM ${table} WHERE key = ANY(${arrayParam(emptied)}::bigint[]) AND ${allZero}`
		);
	}
	return keys.length;
}

/**
 * rollups.ts's RAW_SQL (the raw-row reading of the rebuild), its columns named for rowsOf: the select list and
 * join are the same text on both engines.
 */
const RAW_SELECT = `SELECT e.ts AS c0, e.type AS c1, e.channel AS c2, coalesce(e.team_id, c.team_id) AS c3,
	  coalesce(e.agent_id, c.agent_id) AS c4, e.segment AS c5, coalesce(e.journey, c.journey) AS c6, e.region AS c7,
	  coalesce(e.reason, c.reason) AS c8, e.handled_by AS c9, e.outcome AS c10, e.wait_s AS c11, e.handle_s AS c12,
	  e.metric AS c13, e.score AS c14, e.regulator AS c15, e.sentiment AS c16, e.first_contact AS c17,
	  e.repeat_same_reason_7d AS c18, e.repeat_48h AS c19, e.chain_last AS c20, e.chain_self_service AS c21,
	  e.transferred_to_agent AS c22,
	  e.type = 'complaint' AND (e.linked_contact_seq IS NOT NULL OR e.team_id IS NOT NULL) AS c23
	FROM events e LEFT JOIN events c ON c.seq = e.linked_contact_seq`;
const RAW_WHERE = (from: number, to: number) =>
	sql`e.ts >= ${from} AND e.ts < ${to} AND e.type IN ('contact', 'feedback', 'complaint') ORDER BY e.ts, e.seq`;

/** Flag and link rewrites of stored rows, collected and written in one statement each (in seq order). */
class RowUpdates {
	readonly flags = new Map<number, LegFlags>();
	readonly links = new Map<number, number | null>();

	async write(tx: PgRunner): Promise<void> {
		if (this.flags.size > 0) {
			const seqs = [...this.flags.keys()].sort((a, b) => a - b);
			const column = (pick: (f: LegFlags) => boolean | null) =>
				sql`${arrayParam(seqs.map((seq) => flagValue(pick(this.flags.get(seq) as LegFlags))))}::smallint[]`;
			await tx.execute(
				sql`UPDATE events e SET first_contact = u.f1, repeat_same_reason_7d = u.f2, repeat_48h = u.f3,
				   chain_last = u.f4, chain_self_service = u.f5, transferred_to_agent = u.f6
				 FROM unnest(${arrayParam(seqs)}::bigint[], ${column((f) => f.firstContact)},
				   ${column((f) => f.repeatSameReason7d)}, ${column((f) => f.repeat48h)}, ${column((f) => f.chainLast)},
				   ${column((f) => f.chainSelfService)}, ${column((f) => f.transferredToAgent)})
				   AS u(seq, f1, f2, f3, f4, f5, f6)
				 WHERE e.seq = u.seq`
			);
		}
		if (this.links.size > 0) {
			const seqs = [...this.links.keys()].sort((a, b) => a - b);
			await tx.execute(
				sql`UPDATE events e SET linked_contact_seq = u.link
				 FROM unnest(${arrayParam(seqs)}::bigint[], ${arrayParam(seqs.map((s) => this.links.get(s) ?? null))}::bigint[])
				   AS u(seq, link)
				 WHERE e.seq = u.seq`
			);
		}
		this.flags.clear();
		this.links.clear();
	}
}

/**
 * applyToRollups on PostgreSQL, in the writer's transaction: the inserted events' contributions, their customers'
 * chains, flags, complaint attributions and answer links reconciled around them, and the cells moved accordingly.
 * With `cells`, the cell contributions are added there instead of written (a group commit writes the cells of all
 * its requests at once, in key order, before it commits: two processes' groups then never wait for each other's
 * cells in opposite orders).
 */
export async function applyToRollupsPostgres(
	tx: PgRunner,
	inserted: readonly InsertedEvent[],
	created?: ReadonlySet<string>,
	cells?: PgRollupDeltas
): Promise<void> {
	const deltas = cells ?? new PgRollupDeltas();
	const updates = new RowUpdates();
	const sink: RollupSink = {
		add: (dims, ts, row, sign) => deltas.add(dims, ts, row, sign),
		updateFlags: (seq, flags) => updates.flags.set(seq, flags),
		updateLink: (seq, link) => updates.links.set(seq, link)
	};
	const { newSeqs, windows, fresh } = planRollups(sink, inserted, created);
	// The stored rows of every customer to reconcile that the write did not create, in one read.
	const toRead = [...windows].filter(([customerId]) => !fresh?.has(customerId));
	const stored = new Map<string, StoredFact[]>();
	if (toRead.length > 0) {
		const ranges = toRead.map(([customerId, w]) => ({ customerId, ...reconcileWindow(w) }));
		const rows = await rowsOf(
			tx,
			sql`SELECT w.customer_id AS customer, ${sql.raw(pgFactColumns('e'))}
			 FROM unnest(${arrayParam(ranges.map((r) => r.customerId))}::text[],
			   ${arrayParam(ranges.map((r) => r.from))}::bigint[], ${arrayParam(ranges.map((r) => r.to))}::bigint[])
			   AS w(customer_id, lo, hi)
			 JOIN events e ON e.customer_id = w.customer_id AND e.type <> 'journey' AND e.ts >= w.lo AND e.ts <= w.hi
			 ORDER BY e.ts, e.seq`
		);
		for (const r of rows) {
			const customerId = String(r[0]);
			const list = stored.get(customerId);
			const fact = storedFact(r.slice(1));
			if (list) list.push(fact);
			else stored.set(customerId, [fact]);
		}
	}
	for (const [customerId, w] of windows) {
		const { from, to } = reconcileWindow(w);
		const own = fresh?.get(customerId);
		const rows = own ? own.filter((r) => r.ts >= from && r.ts <= to) : (stored.get(customerId) ?? []);
		reconcileCustomer(sink, w.min, w.max, newSeqs, rows);
	}
	await updates.write(tx);
	if (!cells) await deltas.flush(tx);
}

/**
 * rebuildRollups on PostgreSQL, in `tx`: flags and links recomputed per customer, every cell rebuilt from raw rows
 * (combos kept, ids and all). Take the rebuild's exclusive lock around it (db/jobs.ts) when other processes write.
 */
export async function rebuildRollupsPostgres(
	tx: PgRunner,
	options: RebuildOptions = {}
): Promise<{ events: number; cells: number }> {
	await tx.execute(sql`DELETE FROM metric_cells`);
	await tx.execute(sql`DELETE FROM metric_day_cells`);
	const PAGE = 20_000;
	const page = (after: string) =>
		sent(
			rowsOf(
				tx,
				sql`SELECT e.customer_id AS customer, ${sql.raw(pgFactColumns('e'))} FROM events e
				 WHERE e.type <> 'journey' AND e.customer_id > ${after} ORDER BY e.customer_id, e.ts, e.seq LIMIT ${PAGE}`
			)
		);
	let next = page('');
	for (;;) {
		let rows = await next;
		if (rows.length === 0) break;
		// Whole customers per page: the page ends at a customer boundary (the last one is read again in full).
		const lastCustomer = String(rows[rows.length - 1][0]);
		if (rows.length === PAGE) {
			const complete = rows.filter((r) => r[0] !== lastCustomer);
			rows =
				complete.length > 0
					? complete
					: await rowsOf(
							tx,
							sql`SELECT e.customer_id AS customer, ${sql.raw(pgFactColumns('e'))} FROM events e
							 WHERE e.type <> 'journey' AND e.customer_id = ${lastCustomer} ORDER BY e.ts, e.seq`
						);
		}
		// The next page is asked for now: PostgreSQL reads it while this one's flags are computed and written.
		next = page(String(rows[rows.length - 1][0]));
		const updates = new RowUpdates();
		let start = 0;
		for (let i = 1; i <= rows.length; i++) {
			if (i < rows.length && rows[i][0] === rows[start][0]) continue;
			rebuildCustomerFlags(
				rows.slice(start, i).map((r) => storedFact(r.slice(1))),
				(seq, flags) => updates.flags.set(seq, flags),
				(seq, link) => updates.links.set(seq, link)
			);
			start = i;
		}
		await updates.write(tx);
	}
	options.onChainsDone?.();
	return buildCellsPostgres(tx, 0);
}

/** Adds every stored event's contributions to the cells of cuboids `fromCuboid`… (inside a transaction). */
async function buildCellsPostgres(
	tx: PgRunner,
	fromCuboid: number
): Promise<{ events: number; cells: number }> {
	const [bounds] = await rowsOf(tx, sql`SELECT min(ts) AS lo, max(ts) AS hi FROM events`);
	if (!bounds || bounds[0] === null || bounds[1] === null) return { events: 0, cells: 0 };
	const lo = Number(bounds[0]);
	const hi = Number(bounds[1]);
	const scan = (from: number) =>
		sent(rowsOf(tx, sql`${sql.raw(RAW_SELECT)} WHERE ${RAW_WHERE(from, Math.min(from + DAY_MS, hi + 1))}`));
	let events = 0;
	let cells = 0;
	// Days are read one ahead and their cells written WINDOW_PARTS contributions at a time (a few days).
	let windows: PgRollupDeltas[] = [];
	let parts = 0;
	let nextDay = scan(lo);
	for (let from = lo; from <= hi; from += DAY_MS) {
		const day = await nextDay;
		if (from + DAY_MS <= hi) nextDay = scan(from + DAY_MS);
		const deltas = new PgRollupDeltas(fromCuboid);
		for (const r of day) {
			const bool = (v: unknown) => (v === null ? null : Boolean(v));
			const dims: DimensionValues = {
				channel: r[2] as string | null,
				team: r[3] as string | null,
				agent: r[4] as string | null,
				segment: r[5] as string | null,
				journey: r[6] as string | null,
				region: r[7] as string | null,
				reason: r[8] as string | null
			};
			deltas.add(
				dims,
				Number(r[0]),
				{
					type: r[1] as string,
					handledBy: r[9] as string | null,
					outcome: r[10] as string | null,
					waitS: r[11] as number | null,
					handleS: r[12] as number | null,
					metric: r[13] as string | null,
					score: r[14] as number | null,
					regulator: bool(r[15]),
					sentiment: r[16] as number | null,
					firstContact: bool(r[17]),
					repeatSameReason7d: bool(r[18]),
					repeat48h: bool(r[19]),
					chainLast: bool(r[20]),
					chainSelfService: bool(r[21]),
					transferredToAgent: bool(r[22]),
					attributed: bool(r[23])
				},
				1
			);
			events++;
		}
		windows.push(deltas);
		parts += deltas.size;
		if (parts >= WINDOW_PARTS) {
			cells += await flushWindows(tx, windows);
			windows = [];
			parts = 0;
		}
	}
	if (windows.length > 0) cells += await flushWindows(tx, windows);
	return { events, cells };
}

/**
 * rollups.ts completeCuboids on PostgreSQL: the cells of cuboids appended since the cells were built, from raw rows
 * (nothing to do when complete). Several processes may start at once: the caller runs it under the migration lock,
 * and the cell tables are locked against writers as for a rebuild, so each event is counted once.
 */
export async function completeCuboidsPostgres(
	db: PgDb
): Promise<{ from: number; events: number; cells: number } | null> {
	const probe = async (runner: PgRunner) => {
		const found = new Set<number>();
		for (let c = 0; c < CUBOIDS.length; c++)
			if ((await rowsOf(runner, sql.raw(MISSING_CUBOID_SQL(c)))).length > 0) found.add(c);
		return firstMissingCuboid((c) => found.has(c));
	};
	if ((await probe(db)) === null) return null;
	return db.transaction(async (tx) => {
		await tx.execute(sql`LOCK TABLE metric_cells, metric_day_cells IN SHARE ROW EXCLUSIVE MODE`);
		const from = await probe(tx);
		if (from === null) return null;
		return { from, ...(await buildCellsPostgres(tx, from)) };
	});
}

/** Contributions the rebuild keeps in memory before writing them (each a vector of the measures). */
const WINDOW_PARTS = 25_000;

/**
 * A query sent ahead of being awaited: marked handled, so that if the work before its `await` throws (and the
 * transaction rolls back) its failure is not reported as unhandled; awaiting it still throws.
 */
export function sent<T>(query: Promise<T>): Promise<T> {
	query.catch(() => undefined);
	return query;
}
