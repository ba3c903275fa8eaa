import type { Statement } from 'better-sqlite3';
import type { CxEvent } from '$lib/model';
import { sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import {
	aloneLegFlagsOf,
	attributedContact,
	byTime,
	computeLegFlags,
	linkedContact,
	NO_LEG_FLAGS,
	sameLegFlags,
	type LegFacts,
	type LegFlags
} from './flags';
import {
	addContribution,
	addInto,
	contributes,
	emptyVector,
	CHAIN_KEY_WINDOW_MS,
	DIMENSIONS,
	FCR_WINDOW_MS,
	isCountedContact,
	isShortAbandon,
	MEASURE_COLUMNS,
	MEASURE_COUNT,
	MEASURE_GROUPS,
	type Dimension,
	type DimensionValues,
	type FactRow,
	type MeasureVector
} from './measures';
import { rebuildRollupsPostgres } from './rollups-postgres';
import { bucketOf, DAY_MS, HOUR_MS, hourOf, type Grain } from './time';

/**
 * Rollups: hour cells of additive measures in a few cuboids, maintained in the writer's transaction.
 *
 * A cell per full combination of dimensions would be as many as raw rows, so cells exist only for the cuboids
 * below (sets of dimensions). A query picks the smallest cuboid that holds every dimension it filters or groups
 * by (summing over the cuboid's other dimensions, whose "no value" is stored as ''), and falls back to raw rows
 * when none does. Ingest cost grows with the distinct cells a micro-batch touches (≈ 630 an hour, and as many day
 * cells, at 10M events in 90 days), so: agents are only in team × agent (an unscoped "by agent" sums it over
 * teams), and team × region/journey/segment (a manager's rarer drill-downs, ≈ 440 more an hour) are left to the
 * raw path. The one three-dimension cuboid, team × agent × reason, serves the reason-standardised KPIs by agent
 * (a manager's drill-down: the agent × reason strata of a team) from ≈ 2,800 day cells a day at 10M events, kept
 * without hour cells (they would be ≈ 630 an hour, as many as all the other cuboids together: DAY_ONLY_CUBOIDS),
 * the price of answering that drill-down from a team's ≈ 270 combinations' cells and its partial days' raw rows
 * instead of all its raw rows (30 days: ≈ 0.5–1.2 s → ≈ 55 ms). Cuboid ids are stored
 * in metric_combos and cell keys: append new cuboids at the end; a database opened with cells of the earlier
 * cuboids only gets the new ones' cells built (completeCuboids).
 */
export const CUBOIDS: readonly (readonly Dimension[])[] = [
	[],
	['channel'],
	['team'],
	['segment'],
	['journey'],
	['region'],
	['reason'],
	// Agents (always within their team: one agent, one team), and team-scoped managers by channel and reason
	// (reason-standardised by team too).
	['team', 'agent'],
	['team', 'channel'],
	['team', 'reason'],
	// Reason-standardised KPIs by channel and by segment.
	['channel', 'reason'],
	['segment', 'reason'],
	// Reason-standardised KPIs by agent (team-scoped: a manager's agents). Day cells only (DAY_ONLY_CUBOIDS).
	['team', 'agent', 'reason']
];

/** Each cuboid's dimensions as positions in DIMENSIONS. */
const CUBOID_POSITIONS: readonly (readonly number[])[] = CUBOIDS.map((d) =>
	d.map((x) => DIMENSIONS.indexOf(x))
);

/**
 * Cuboids kept in China-day cells only, without hour cells: team × agent × reason, whose hour cells were as many as
 * all the other cuboids' together (≈ 630 an hour at 10M events) for a drill-down read by days. A query reads such a
 * cuboid's day cells for the whole China days of its range and the team's raw rows for the partial days at its
 * edges (metrics/kpis.ts); one by hour reads raw rows. Its contributions are keyed at the first hour of their day
 * (one cell a day in a write's deltas), and flushes write them to day cells only.
 */
export const DAY_ONLY_CUBOIDS: ReadonlySet<number> = new Set([12]);
const DAY_ONLY: readonly boolean[] = CUBOIDS.map((_, c) => DAY_ONLY_CUBOIDS.has(c));

/** Whether a cell key's cuboid keeps no hour cells. */
export function isDayOnlyKey(key: number): boolean {
	return DAY_ONLY[Math.floor(key / (HOUR_LIMIT * COMBO_LIMIT))];
}

/** The first UTC hour of the China day an hour falls in (where day-only cuboids key their contributions). */
export function dayStartHour(hour: number): number {
	return dayOfHour(hour) * 24 - 8;
}

/** The hour cells of collected contributions: those of cuboids with hour cells. */
export function hourCellsOf(cells: ReadonlyMap<number, MeasureVector>): Map<number, MeasureVector> {
	const hours = new Map<number, MeasureVector>();
	for (const [key, v] of cells) if (!isDayOnlyKey(key)) hours.set(key, v);
	return hours;
}

/**
 * Cell key = (cuboid × 2²¹ + UTC hour number) × 2²⁶ + combo id: 6 + 21 + 26 = 53 bits, a safe integer (hours until
 * 2209, 64 cuboids, 67M combinations). Cuboid-then-hour order keeps what a micro-batch touches (one hour of each
 * cuboid) and what a query reads (a range of hours of one cuboid) contiguous in the table's own B-tree, so writes
 * dirty few pages and reads are one range scan, with no second index.
 */
export const HOUR_LIMIT = 2 ** 21;
export const COMBO_LIMIT = 2 ** 26;

export function cellKey(cuboid: number, hour: number, combo: number): number {
	return (cuboid * HOUR_LIMIT + hour) * COMBO_LIMIT + combo;
}

/** SQL decoding a cell key (for tests and ad-hoc inspection); `hour` is the day number in metric_day_cells. */
export const CELL_KEY_SQL = {
	combo: `key % ${COMBO_LIMIT}`,
	hour: `(key / ${COMBO_LIMIT}) % ${HOUR_LIMIT}`,
	cuboid: `key / ${COMBO_LIMIT * HOUR_LIMIT}`
} as const;

/** Rollup tables: hour cells, and China-day cells (sums of the hours of each day, kept in the same transaction). */
export type CellLevel = 'hour' | 'day';
const CELL_TABLE: Record<CellLevel, string> = { hour: 'metric_cells', day: 'metric_day_cells' };

/** The China day (UTC+8) a UTC hour number falls in. */
export function dayOfHour(hour: number): number {
	return Math.floor((hour + 8) / 24);
}

/** The hour cell key's day cell key. */
export function dayKeyOf(key: number): number {
	const combo = key % COMBO_LIMIT;
	const unit = Math.floor(key / COMBO_LIMIT);
	return cellKey(Math.floor(unit / HOUR_LIMIT), dayOfHour(unit % HOUR_LIMIT), combo);
}

/**
 * What the writer hands over for each event it inserted: the event, its row key, and the values it stamped on the
 * row — segment and region (the customer's), and sentiment (the score it stored, null when none): rollups count
 * exactly what the row holds.
 */
export interface InsertedEvent extends CxEvent {
	seq: number;
	segment: string | null;
	region: string | null;
	sentiment: number | null;
	/**
	 * The properties as stored (JSON text), when the writer has it: chain keys are then read from it as they are
	 * read back from the row (in the writer thread the events arrive without their properties objects).
	 */
	propertiesJson?: string;
}

/** A stored event as rollup maintenance reads it. */
export interface StoredFact extends FactRow {
	seq: number;
	id: string;
	ts: number;
	contactId: string | null;
	linkedContactSeq: number | null;
	/** contact: ids shared with other legs of its chain (properties.parentContactId, properties.conversationId). */
	parentContactId: string | null;
	conversationId: string | null;
	dims: DimensionValues;
}

/**
 * The stored event columns rollup maintenance reads, for table alias `a` ('' for none). A contact's chain keys are
 * parsed out of its properties only when the text names them: properties are stored as JSON.stringify writes them
 * (a key always appears quoted as is), and most contacts have neither key, so most rows skip the JSON parse.
 */
function factColumns(a = ''): string {
	const p = a ? `${a}.` : '';
	return `${p}seq, ${p}id, ${p}type, ${p}ts, ${p}channel, ${p}team_id, ${p}agent_id, ${p}segment, ${p}journey,
	${p}region, ${p}reason, ${p}handled_by, ${p}outcome, ${p}wait_s, ${p}handle_s, ${p}metric, ${p}score,
	${p}regulator, ${p}sentiment, ${p}contact_id, ${p}first_contact, ${p}repeat_same_reason_7d, ${p}repeat_48h,
	${p}linked_contact_seq, ${p}chain_last, ${p}chain_self_service, ${p}transferred_to_agent,
	CASE WHEN ${p}type = 'contact' AND instr(${p}properties, '"parentContactId"') > 0
	  THEN json_extract(${p}properties, '$.parentContactId') END,
	CASE WHEN ${p}type = 'contact' AND instr(${p}properties, '"conversationId"') > 0
	  THEN json_extract(${p}properties, '$.conversationId') END`;
}
const FACT_COLUMNS = factColumns();
const FACT_COLUMN_COUNT = 29;

/** A row of the fact columns (factColumns' order), as read back positionally. */
export type RawRow = unknown[];

const bool = (v: unknown): boolean | null => (v === null || v === undefined ? null : Boolean(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A row of the fact columns as a stored fact; `at`: where they start in `r` (after a customer id, say). */
export function storedFact(r: RawRow, at = 0): StoredFact {
	return {
		seq: Number(r[at]),
		id: String(r[at + 1]),
		type: String(r[at + 2]),
		ts: Number(r[at + 3]),
		dims: {
			channel: str(r[at + 4]),
			team: str(r[at + 5]),
			agent: str(r[at + 6]),
			segment: str(r[at + 7]),
			journey: str(r[at + 8]),
			region: str(r[at + 9]),
			reason: str(r[at + 10])
		},
		handledBy: str(r[at + 11]),
		outcome: str(r[at + 12]),
		waitS: num(r[at + 13]),
		handleS: num(r[at + 14]),
		metric: str(r[at + 15]),
		score: num(r[at + 16]),
		regulator: bool(r[at + 17]),
		sentiment: num(r[at + 18]),
		contactId: str(r[at + 19]),
		firstContact: bool(r[at + 20]),
		repeatSameReason7d: bool(r[at + 21]),
		repeat48h: bool(r[at + 22]),
		linkedContactSeq: num(r[at + 23]),
		chainLast: bool(r[at + 24]),
		chainSelfService: bool(r[at + 25]),
		transferredToAgent: bool(r[at + 26]),
		parentContactId: str(r[at + 27]),
		conversationId: str(r[at + 28]),
		attributed: r[at + 2] === 'complaint' ? r[at + 23] !== null || r[at + 5] !== null : null
	};
}

/** A stored contact as a leg of its customer's chains. */
function legFacts(c: StoredFact): LegFacts & { fact: StoredFact } {
	const keys = [c.id];
	if (c.contactId) keys.push(c.contactId);
	if (c.parentContactId) keys.push(c.parentContactId);
	if (c.conversationId) keys.push(`conversation:${c.conversationId}`);
	return {
		seq: c.seq,
		ts: c.ts,
		reason: c.dims.reason,
		counted: isCountedContact(c),
		handledBy: c.handledBy,
		outcome: c.outcome,
		team: c.dims.team,
		agent: c.dims.agent,
		keys,
		fact: c
	};
}

/** A survey answer's dimensions: its own, with team, agent, journey and reason taken from its contact when absent. */
export function inheritDims(own: DimensionValues, contact: DimensionValues | null): DimensionValues {
	if (!contact) return own;
	// One literal: a spread then properties set is V8's slow path.
	return {
		channel: own.channel,
		team: own.team ?? contact.team,
		agent: own.agent ?? contact.agent,
		segment: own.segment,
		journey: own.journey ?? contact.journey,
		region: own.region,
		reason: own.reason ?? contact.reason
	};
}

function insertedDims(e: InsertedEvent): DimensionValues {
	return {
		channel: e.channel ?? null,
		team: e.teamId ?? null,
		agent: e.agentId ?? null,
		segment: e.segment,
		journey: e.journey ?? null,
		region: e.region,
		reason: e.reason ?? null
	};
}

/**
 * A new event's fact row (with its flags as stored: a contact's as if alone). Built as one literal, never by
 * spreading: V8 copies a spread object and then adds properties one by one on a slow path (≈ 10 µs an object here).
 */
function insertedFact(e: InsertedEvent): FactRow {
	const flags = e.type === 'contact' ? insertedFlags(e) : NO_LEG_FLAGS;
	return {
		type: e.type,
		handledBy: e.handledBy ?? null,
		outcome: e.outcome ?? null,
		waitS: e.waitS ?? null,
		handleS: e.handleS ?? null,
		metric: e.metric ?? null,
		score: e.score ?? null,
		regulator: e.regulator ?? null,
		sentiment: e.sentiment,
		firstContact: flags.firstContact,
		repeatSameReason7d: flags.repeatSameReason7d,
		repeat48h: flags.repeat48h,
		chainLast: flags.chainLast,
		chainSelfService: flags.chainSelfService,
		transferredToAgent: flags.transferredToAgent,
		attributed: e.type === 'complaint' ? e.teamId !== undefined : null
	};
}

/** The flags the writer stores with a new event: a contact's as if alone (see `aloneLegFlags`), else none. */
export function insertedFlags(
	e: Pick<CxEvent, 'type' | 'reason' | 'handledBy' | 'outcome' | 'waitS'>
): LegFlags {
	if (e.type !== 'contact') return NO_LEG_FLAGS;
	const handledBy = e.handledBy ?? null;
	const outcome = e.outcome ?? null;
	// isCountedContact of a contact, field by field (no argument objects on the writer's hot path).
	const counted = !isShortAbandon(handledBy, outcome, e.waitS ?? null);
	return aloneLegFlagsOf(e.reason ?? null, counted, handledBy, outcome);
}

interface Statements {
	/** A customer's non-journey rows in a time window, for WINDOW_CUSTOMERS customers at once (storedWindows). */
	customerWindows: Statement;
	updateFlags: Statement;
	updateLink: Statement;
	comboGet: Statement;
	comboInsert: Statement;
	comboMax: Statement;
	/** Cell writes by the mask of measure groups they write (MEASURE_GROUPS), prepared when first needed. */
	upserts: Record<CellLevel, Map<number, CellWrite>>;
	deleteIfEmpty: Record<CellLevel, Statement>;
	factsBySeq: Statement;
	updateSentiment: Statement;
	/** Changes when another connection commits (RecentFacts). */
	dataVersion: Statement;
}

const statementsByDb = new WeakMap<Db, Statements>();

function statementsFor(db: Db): Statements {
	let s = statementsByDb.get(db);
	if (s) return s;
	const c = db.$client;
	const allZero = MEASURE_COLUMNS.map((m) => `${m} = 0`).join(' AND ');
	s = {
		// `type <> 'journey'` lets SQLite use the partial (customer_id, ts) index.
		customerWindows: c
			.prepare(
				`SELECT customer_id, ${FACT_COLUMNS} FROM events
				 WHERE customer_id IN (${new Array(WINDOW_CUSTOMERS).fill('?').join(', ')})
				   AND type <> 'journey' AND ts >= ? AND ts <= ?`
			)
			.raw(),
		updateFlags: c.prepare(
			`UPDATE events SET first_contact = ?, repeat_same_reason_7d = ?, repeat_48h = ?, chain_last = ?,
			  chain_self_service = ?, transferred_to_agent = ? WHERE seq = ?`
		),
		updateLink: c.prepare('UPDATE events SET linked_contact_seq = ? WHERE seq = ?'),
		comboGet: c
			.prepare('SELECT id FROM metric_combos WHERE cuboid = ? AND v1 = ? AND v2 = ? AND v3 = ?')
			.pluck(),
		comboInsert: c.prepare('INSERT INTO metric_combos (cuboid, v1, v2, v3) VALUES (?, ?, ?, ?)'),
		comboMax: c.prepare('SELECT coalesce(max(id), 0) FROM metric_combos').pluck(),
		upserts: { hour: new Map(), day: new Map() },
		deleteIfEmpty: {
			hour: c.prepare(`DELETE FROM metric_cells WHERE key = ? AND ${allZero}`),
			day: c.prepare(`DELETE FROM metric_day_cells WHERE key = ? AND ${allZero}`)
		},
		factsBySeq: c
			.prepare(
				`SELECT ${factColumns('e')},
				  c.team_id, c.agent_id, c.journey, c.reason, c.seq
				 FROM events e LEFT JOIN events c ON c.seq = e.linked_contact_seq WHERE e.seq = ?`
			)
			.raw(),
		updateSentiment: c.prepare('UPDATE events SET sentiment = ? WHERE seq = ?'),
		dataVersion: c.prepare('PRAGMA data_version').pluck()
	};
	statementsByDb.set(db, s);
	return s;
}

/**
 * SQLite only (one process owns the file). PostgreSQL keeps no combo ids in memory (rollups-postgres.ts `comboIds`
 * reads them in the writer's transaction): ids are append-only there too, but a combo created in a transaction that
 * later rolls back would leave another process holding an id that does not exist.
 */
interface ComboCache {
	/** Per cuboid of one or two dimensions: v1 → v2 → combo id ('' for a dimension the cuboid lacks). */
	ids: Map<string, Map<string, number>>[];
	/** Per cuboid of three dimensions: v1 → v2 → v3 → combo id. */
	ids3: Map<string, Map<string, Map<string, number>>>[];
	maxId: number;
}
const combosByDb = new WeakMap<Db, ComboCache>();

/**
 * Combo ids are cached across calls; ids never change once committed (a rebuild keeps them). A rolled-back
 * transaction can take new combos back, and SQLite then reuses their ids: the writer forgets its cache whenever its
 * transaction or a savepoint rolls back (`forgetCombos`), and as a guard each call also compares the stored max(id)
 * with what the cache saw and starts over when it shrank.
 */
/** Drops the cached combo ids of `db`'s connection: call after a rollback that may have taken combos back. */
export function forgetCombos(db: Db): void {
	combosByDb.delete(db);
}

function comboCache(db: Db, s: Statements): ComboCache {
	let cache = combosByDb.get(db);
	const maxId = Number(s.comboMax.get());
	if (!cache || maxId < cache.maxId) {
		cache = { ids: CUBOIDS.map(() => new Map()), ids3: CUBOIDS.map(() => new Map()), maxId };
		combosByDb.set(db, cache);
	}
	return cache;
}

/**
 * Adding a delta to a cell: an UPDATE, and the INSERT when no cell was there. Most cells a write touches exist
 * already (the same hours and days as the writes before); an upsert (INSERT … ON CONFLICT DO UPDATE) builds and
 * tries the new row first (contact mix: 5.96 µs a cell against 5.52 for the UPDATE; a new cell costs both).
 */
interface CellWrite {
	/** The deltas then the key. */
	update: Statement;
	/** The key then the deltas. */
	insert: Statement;
	/** The key then the deltas, added to the cell if it exists: for bulk builds, where most cells are new. */
	upsert: Statement;
	/** Parameters, refilled for every cell (binding copies them). */
	params: number[];
}

function cellWriteFor(db: Db, s: Statements, level: CellLevel, mask: number): CellWrite {
	let st = s.upserts[level].get(mask);
	if (st) return st;
	const columns = MEASURE_GROUPS.flatMap(([from, to], g) =>
		mask & (1 << g) ? MEASURE_COLUMNS.slice(from, to) : []
	);
	st = {
		update: db.$client.prepare(
			`UPDATE ${CELL_TABLE[level]} SET ${columns.map((m) => `${m} = ${m} + ?`).join(', ')} WHERE key = ?`
		),
		insert: db.$client.prepare(
			`INSERT INTO ${CELL_TABLE[level]} (key, ${columns.join(', ')}) VALUES (?${', ?'.repeat(columns.length)})`
		),
		upsert: db.$client.prepare(
			`INSERT INTO ${CELL_TABLE[level]} (key, ${columns.join(', ')}) VALUES (?${', ?'.repeat(columns.length)})
			 ON CONFLICT (key) DO UPDATE SET ${columns.map((m) => `${m} = ${m} + excluded.${m}`).join(', ')}`
		),
		params: new Array<number>(columns.length + 1)
	};
	s.upserts[level].set(mask, st);
	return st;
}

/**
 * Zeroed measure vectors carved out of shared blocks: a Float64Array of its own costs a backing store allocated
 * outside the heap (and its tracking), about a microsecond each, for the hundreds of cells a micro-batch touches.
 */
class VectorSlab {
	private block = new Float64Array(0);
	private used = 0;

	next(): MeasureVector {
		if (this.used === this.block.length) {
			this.block = new Float64Array(MEASURE_COUNT * 256);
			this.used = 0;
		}
		const v = this.block.subarray(this.used, this.used + MEASURE_COUNT);
		this.used += MEASURE_COUNT;
		return v;
	}
}

/**
 * Cell deltas of one or more micro-batches, collapsed in memory per cell (collectRollups), then upserted once
 * (flushRollups).
 */
export class RollupDeltas {
	readonly cells = new Map<number, MeasureVector>();
	private readonly scratch = emptyVector();
	private readonly cache: ComboCache;
	private readonly vectors = new VectorSlab();
	private readonly values: string[] = DIMENSIONS.map(() => '');

	constructor(
		private readonly s: Statements,
		db: Db,
		/** Cuboids from this one on only (completeCuboids builds the cells of cuboids added since). */
		private readonly fromCuboid = 0
	) {
		this.cache = comboCache(db, s);
	}

	private combo(cuboid: number, v1: string, v2: string): number {
		const byV1 = this.cache.ids[cuboid];
		let ids = byV1.get(v1);
		if (!ids) byV1.set(v1, (ids = new Map()));
		let id = ids.get(v2);
		if (id === undefined) {
			id = this.stored(cuboid, v1, v2, '');
			ids.set(v2, id);
		}
		return id;
	}

	private combo3(cuboid: number, v1: string, v2: string, v3: string): number {
		const byV1 = this.cache.ids3[cuboid];
		let byV2 = byV1.get(v1);
		if (!byV2) byV1.set(v1, (byV2 = new Map()));
		let ids = byV2.get(v2);
		if (!ids) byV2.set(v2, (ids = new Map()));
		let id = ids.get(v3);
		if (id === undefined) {
			id = this.stored(cuboid, v1, v2, v3);
			ids.set(v3, id);
		}
		return id;
	}

	/** A combo's id as stored, created when missing. */
	private stored(cuboid: number, v1: string, v2: string, v3: string): number {
		const found = this.s.comboGet.get(cuboid, v1, v2, v3) as number | undefined;
		const id = found ?? Number(this.s.comboInsert.run(cuboid, v1, v2, v3).lastInsertRowid);
		if (id >= COMBO_LIMIT) throw new Error('metric_combos is full (2²⁶ combinations)');
		if (id > this.cache.maxId) this.cache.maxId = id;
		return id;
	}

	add(dims: DimensionValues, ts: number, row: FactRow, sign: 1 | -1): void {
		const v = this.scratch;
		v.fill(0);
		if (addContribution(row, v, sign)) this.addVector(dims, ts, v);
	}

	/**
	 * Moves a stored event's contribution from `before` to `after` (the same event, its flags changed: same
	 * dimensions, same time): one pass over the cuboids with the difference instead of one to take `before` back and
	 * one to add `after`; nothing when the change moves no measure.
	 */
	move(dims: DimensionValues, ts: number, before: FactRow, after: FactRow): void {
		const v = this.scratch;
		v.fill(0);
		addContribution(after, v, 1);
		if (addContribution(before, v, -1)) this.addVector(dims, ts, v);
	}

	private addVector(dims: DimensionValues, ts: number, v: MeasureVector): void {
		// Only the measures this event touched are added (a contact touches none of the survey measures).
		let lo = 0;
		while (lo < MEASURE_COUNT && v[lo] === 0) lo++;
		if (lo === MEASURE_COUNT) return;
		let hi = MEASURE_COUNT;
		while (v[hi - 1] === 0) hi--;
		const hour = hourOf(ts);
		const dayHour = dayStartHour(hour);
		// The values by position (DIMENSIONS order), '' for none: read by name per cuboid they were a keyed load with
		// changing names, V8's slow (megamorphic) path.
		const values = this.values;
		values[0] = dims.channel ?? '';
		values[1] = dims.team ?? '';
		values[2] = dims.agent ?? '';
		values[3] = dims.segment ?? '';
		values[4] = dims.journey ?? '';
		values[5] = dims.region ?? '';
		values[6] = dims.reason ?? '';
		for (let c = this.fromCuboid; c < CUBOIDS.length; c++) {
			const d = CUBOID_POSITIONS[c];
			const v1 = d.length > 0 ? values[d[0]] : '';
			const v2 = d.length > 1 ? values[d[1]] : '';
			const combo = d.length > 2 ? this.combo3(c, v1, v2, values[d[2]]) : this.combo(c, v1, v2);
			const key = cellKey(c, DAY_ONLY[c] ? dayHour : hour, combo);
			let acc = this.cells.get(key);
			if (!acc) this.cells.set(key, (acc = this.vectors.next()));
			for (let i = lo; i < hi; i++) acc[i] += v[i];
		}
	}
}

function upsertCells(
	db: Db,
	s: Statements,
	level: CellLevel,
	cells: ReadonlyMap<number, MeasureVector>,
	mostlyNew: boolean
): number {
	let written = 0;
	for (const [key, v] of cells) {
		let mask = 0;
		let negative = false;
		for (let g = 0; g < MEASURE_GROUPS.length; g++) {
			const [from, to] = MEASURE_GROUPS[g];
			for (let i = from; i < to; i++)
				if (v[i] !== 0) {
					mask |= 1 << g;
					if (v[i] < 0) negative = true;
				}
		}
		if (mask === 0) continue;
		const write = cellWriteFor(db, s, level, mask);
		const params = write.params;
		// A bulk build: one upsert, key first (an UPDATE that misses, then the INSERT, costs both).
		let n = mostlyNew ? 1 : 0;
		for (let g = 0; g < MEASURE_GROUPS.length; g++) {
			if (!(mask & (1 << g))) continue;
			const [from, to] = MEASURE_GROUPS[g];
			for (let i = from; i < to; i++) params[n++] = v[i];
		}
		if (mostlyNew) {
			params[0] = key;
			write.upsert.run(params);
		} else {
			params[n] = key;
			if (write.update.run(params).changes === 0) {
				// The deltas as the new cell's values, after its key.
				params.copyWithin(1, 0, n);
				params[0] = key;
				write.insert.run(params);
			}
		}
		// A contribution moved away (flags or links changed) can leave an empty cell behind.
		if (negative) s.deleteIfEmpty[level].run(key);
		written++;
	}
	return written;
}

/** Hour cells summed into their China-day cells (the day cells flushRollups writes with them). */
export function dayCellsOf(cells: ReadonlyMap<number, MeasureVector>): Map<number, MeasureVector> {
	const days = new Map<number, MeasureVector>();
	const vectors = new VectorSlab();
	for (const [key, v] of cells) {
		const day = dayKeyOf(key);
		let acc = days.get(day);
		if (!acc) days.set(day, (acc = vectors.next()));
		addInto(acc, v);
	}
	return days;
}

/**
 * Upserts collected deltas (several micro-batches' at once when given several) into hour and day cells; returns the
 * cells written at their finest level (hour cells, and the day cells of day-only cuboids).
 */
export function flushRollups(
	db: Db,
	deltas: RollupDeltas | readonly RollupDeltas[],
	/** A bulk build into empty cells (a rebuild): most cells are new. */
	mostlyNew = false
): number {
	const s = statementsFor(db);
	const list = Array.isArray(deltas) ? deltas : [deltas as RollupDeltas];
	let cells = list[0]?.cells ?? new Map<number, MeasureVector>();
	if (list.length > 1) {
		cells = new Map(cells);
		for (const d of list.slice(1))
			for (const [key, v] of d.cells) {
				const acc = cells.get(key);
				if (acc) addInto(acc, v);
				else cells.set(key, v);
			}
	}
	const days = dayCellsOf(cells);
	let written = upsertCells(db, s, 'hour', hourCellsOf(cells), mostlyNew);
	upsertCells(db, s, 'day', days, mostlyNew);
	for (const key of days.keys()) if (isDayOnlyKey(key)) written++;
	for (const d of list) d.cells.clear();
	return written;
}

/** A contact flag as stored (SQLite has no booleans). */
export const flagValue = (v: boolean | null) => (v === null ? null : v ? 1 : 0);

/** A contact's flags as the statement stores them, then its seq. */
export function flagParams(f: LegFlags, seq: number): (number | null)[] {
	return [
		flagValue(f.firstContact),
		flagValue(f.repeatSameReason7d),
		flagValue(f.repeat48h),
		flagValue(f.chainLast),
		flagValue(f.chainSelfService),
		flagValue(f.transferredToAgent),
		seq
	];
}

/** How far around an arriving event flags and complaint attributions can change (chains reach 24 h, FCR 7 days). */
const RECOMPUTE_MS = FCR_WINDOW_MS + CHAIN_KEY_WINDOW_MS;

/** The rows reconciling a customer's events at times min…max reads: its non-journey events in [from, to]. */
export function reconcileWindow(w: { min: number; max: number }): { from: number; to: number } {
	return { from: w.min - 2 * RECOMPUTE_MS, to: w.max + 2 * RECOMPUTE_MS };
}

/**
 * Where rollup maintenance puts what it decides, per engine: cell contributions (SQLite: RollupDeltas, combos
 * resolved at once), and the flag and link rewrites of stored rows.
 */
export interface RollupSink {
	add(dims: DimensionValues, ts: number, row: FactRow, sign: 1 | -1): void;
	/** `add(before, -1)` then `add(after, +1)` at once, for an event whose flags changed (same dimensions and time). */
	move?(dims: DimensionValues, ts: number, before: FactRow, after: FactRow): void;
	updateFlags(seq: number, flags: LegFlags): void;
	updateLink(seq: number, link: number | null): void;
}

/**
 * Recomputes the chains and flags of one customer's contacts, the links of their survey answers and the
 * attribution of their complaints around the events that just arrived (times min…max), moving every changed
 * contribution between cells. A contact's flags depend on the customer's chains within 7 days of it, and a chain
 * on legs within 24 h, so contacts and complaints within ±8 days are recomputed from rows within ±16 days.
 */
export function reconcileCustomer(
	sink: RollupSink,
	min: number,
	max: number,
	newSeqs: ReadonlySet<number>,
	/** The customer's rows in reconcileWindow (for a customer the write created: its inserted facts). */
	rows: readonly StoredFact[]
): void {
	const deltas = sink;
	const contacts = rows.filter((r) => r.type === 'contact');
	const flags = computeLegFlags(contacts.map(legFacts));
	const lo = min - RECOMPUTE_MS;
	const hi = max + RECOMPUTE_MS;
	const bySeq = new Map<number, StoredFact>();
	for (const c of contacts) {
		const next = flags.get(c.seq) as LegFlags;
		// New contacts were stored with their flags as if alone: most keep them and their rows are not rewritten.
		const changed = !sameLegFlags(c, next);
		// A contact whose flags stay is itself as now (no copy: most contacts of a window); else a copy with the new
		// flags.
		const now: StoredFact = changed ? withFlags(c, next) : c;
		bySeq.set(c.seq, now);
		if (c.ts < lo || c.ts > hi) continue;
		const isNew = newSeqs.has(c.seq);
		if (!isNew && !changed) continue;
		if (isNew) deltas.add(c.dims, c.ts, now, 1);
		else if (deltas.move) deltas.move(c.dims, c.ts, c, now);
		else {
			deltas.add(c.dims, c.ts, c, -1);
			deltas.add(c.dims, c.ts, now, 1);
		}
		if (changed) sink.updateFlags(c.seq, next);
	}
	let legs: StoredFact[] | null = null;
	for (const f of rows) {
		if (f.ts < lo || f.ts > hi) continue;
		const isNew = newSeqs.has(f.seq);
		if (f.type === 'complaint') {
			legs ??= [...bySeq.values()];
			const link = attributedContact(f, legs);
			if (!isNew && link === f.linkedContactSeq) continue;
			if (!isNew) deltas.add(complaintDims(f, f.linkedContactSeq, bySeq), f.ts, f, -1);
			const now = { ...f, linkedContactSeq: link, attributed: link !== null || f.dims.team !== null };
			deltas.add(complaintDims(f, link, bySeq), f.ts, now, 1);
			if (link !== f.linkedContactSeq) sink.updateLink(f.seq, link);
			continue;
		}
		// Answers without a contactId were added by applyToRollups directly; they never link.
		if (f.type !== 'feedback' || !f.contactId) continue;
		if (!isNew && f.linkedContactSeq !== null) continue;
		const link = linkedContact(f, contacts);
		if (!isNew && link === null) continue;
		const contact = link === null ? null : (bySeq.get(link) ?? null);
		if (!isNew) deltas.add(f.dims, f.ts, f, -1);
		deltas.add(inheritDims(f.dims, contact?.dims ?? null), f.ts, f, 1);
		if (link !== null) sink.updateLink(f.seq, link);
	}
}

/**
 * A stored contact with other flags: one literal (Object.assign or a spread copies property by property, V8's slow
 * path: ≈ 10 µs an object).
 */
function withFlags(c: StoredFact, f: LegFlags): StoredFact {
	return {
		type: c.type,
		handledBy: c.handledBy,
		outcome: c.outcome,
		waitS: c.waitS,
		handleS: c.handleS,
		metric: c.metric,
		score: c.score,
		regulator: c.regulator,
		sentiment: c.sentiment,
		firstContact: f.firstContact,
		repeatSameReason7d: f.repeatSameReason7d,
		repeat48h: f.repeat48h,
		chainLast: f.chainLast,
		chainSelfService: f.chainSelfService,
		transferredToAgent: f.transferredToAgent,
		attributed: c.attributed,
		seq: c.seq,
		id: c.id,
		ts: c.ts,
		contactId: c.contactId,
		linkedContactSeq: c.linkedContactSeq,
		parentContactId: c.parentContactId,
		conversationId: c.conversationId,
		dims: c.dims
	};
}

/** A complaint's dimensions when attributed to contact `link` (its own first, like survey answers). */
function complaintDims(
	f: StoredFact,
	link: number | null,
	contacts: ReadonlyMap<number, StoredFact>
): DimensionValues {
	return inheritDims(f.dims, link === null ? null : (contacts.get(link)?.dims ?? null));
}

/**
 * Adds the events the writer just inserted to the rollups, in the writer's transaction (call it inside, after the
 * inserts). Contacts and survey answers naming a contact also update the flags/links of the customer's nearby
 * contacts and answers, whatever order they arrive in. Events that were not inserted (duplicates) must not be
 * passed; a seq passed twice counts once.
 */
export function applyToRollups(
	db: Db,
	inserted: readonly InsertedEvent[],
	created?: ReadonlySet<string>,
	unstored?: UnstoredRows
): void {
	flushRollups(db, collectRollups(db, inserted, created, unstored));
}

/**
 * A write's own rows when it reconciles before inserting them (the SQLite writer): rows from `firstSeq` on are not
 * in the table yet. Reconciling keeps what it decides for them here instead of rewriting them, and the writer then
 * inserts each with its final flags and link: most of the rewrites a write made were of its own rows (every survey
 * answer linked to its contact, a transfer's legs in one request), each a second write of a row just written.
 */
export class UnstoredRows {
	/** Flags that differ from the row's as if alone (`insertedFlags`), by seq. */
	readonly flags = new Map<number, LegFlags>();
	/** Links (linked_contact_seq) by seq; a row without one stays unlinked. */
	readonly links = new Map<number, number | null>();

	constructor(readonly firstSeq: number) {}

	has(seq: number): boolean {
		return seq >= this.firstSeq;
	}
}

/** A property as json_extract reads it back for chain keys (strings and numbers; else null). */
function propertyText(properties: Record<string, unknown> | undefined, name: string): string | null {
	const v = properties?.[name];
	return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

/**
 * A chain key of a new contact (see `propertyText`), from the properties' stored JSON text when the writer gives it
 * (the writer thread gets the events without their properties objects), else from the properties object; most
 * contacts name no key, and their text is not parsed.
 */
function chainKey(e: InsertedEvent, name: 'parentContactId' | 'conversationId'): string | null {
	const json = e.propertiesJson;
	if (json === undefined) return propertyText(e.properties, name);
	if (!json.includes(`"${name}"`)) return null;
	return propertyText(JSON.parse(json) as Record<string, unknown>, name);
}

/** Inserted events as stored facts (flags and links not set yet), for customers the write created. */
export function freshFacts(inserted: readonly InsertedEvent[], customers: ReadonlySet<string>) {
	const facts = new Map<string, StoredFact[]>();
	for (const e of inserted) {
		if (e.type === 'journey' || !customers.has(e.customerId)) continue;
		const fact = freshFact(e);
		const list = facts.get(e.customerId);
		if (list) list.push(fact);
		else facts.set(e.customerId, [fact]);
	}
	return facts;
}

/** A new (non-journey) event as a stored fact: what `storedFact` reads back from its row as first stored. */
function freshFact(e: InsertedEvent): StoredFact {
	// One literal, insertedFact's fields and the row's (see insertedFact).
	const flags = e.type === 'contact' ? insertedFlags(e) : NO_LEG_FLAGS;
	return {
		type: e.type,
		handledBy: e.handledBy ?? null,
		outcome: e.outcome ?? null,
		waitS: e.waitS ?? null,
		handleS: e.handleS ?? null,
		metric: e.metric ?? null,
		score: e.score ?? null,
		regulator: e.regulator ?? null,
		sentiment: e.sentiment,
		firstContact: flags.firstContact,
		repeatSameReason7d: flags.repeatSameReason7d,
		repeat48h: flags.repeat48h,
		chainLast: flags.chainLast,
		chainSelfService: flags.chainSelfService,
		transferredToAgent: flags.transferredToAgent,
		attributed: e.type === 'complaint' ? e.teamId !== undefined : null,
		seq: e.seq,
		id: e.id,
		ts: e.ts,
		contactId: e.contactId ?? null,
		linkedContactSeq: null,
		parentContactId: e.type === 'contact' ? chainKey(e, 'parentContactId') : null,
		conversationId: e.type === 'contact' ? chainKey(e, 'conversationId') : null,
		dims: insertedDims(e)
	};
}

/**
 * Step one of applyToRollups, for group commit: updates flags and links (writes, in the batch's part of the
 * transaction) and returns the batch's cell deltas in memory. Keep them when that part succeeds, drop them when it rolls back,
 * and pass the kept ones to flushRollups once, before the transaction commits: the cells of all requests of a
 * group commit are then upserted together.
 */
export function collectRollups(
	db: Db,
	inserted: readonly InsertedEvent[],
	/** Customers the write created: their rows are taken from `inserted` instead of read back. */
	created?: ReadonlySet<string>,
	/** When the inserted rows are not stored yet: their seqs, and where their final flags and links go. */
	unstored?: UnstoredRows
): RollupDeltas {
	const s = statementsFor(db);
	const deltas = new RollupDeltas(s, db);
	const recent = recentFactsFor(db, s);
	/** The rows of the customer being reconciled: with `recent`, the kept rows, updated as their rows are. */
	let current: readonly StoredFact[] = [];
	const sink: RollupSink = {
		add: (dims, ts, row, sign) => deltas.add(dims, ts, row, sign),
		move: (dims, ts, before, after) => deltas.move(dims, ts, before, after),
		updateFlags: (seq, flags) => {
			if (unstored?.has(seq)) unstored.flags.set(seq, flags);
			else s.updateFlags.run(flagParams(flags, seq));
			if (recent) setFlags(current, seq, flags);
		},
		updateLink: (seq, link) => {
			if (unstored?.has(seq)) unstored.links.set(seq, link);
			else s.updateLink.run(link, seq);
			if (recent) setLink(current, seq, link);
		}
	};
	const { newSeqs, windows, fresh } = planRollups(sink, inserted, created);
	if (recent) recent.add(inserted, created, fresh);
	// Every stored customer's rows first, a few statements for the whole batch (reconciling one customer writes only
	// that customer's rows, so reading them all before any of those writes reads the same rows).
	const stored = storedWindows(s, windows, fresh, recent, unstored ? inserted : null);
	for (const [customerId, w] of windows) {
		const { from, to } = reconcileWindow(w);
		current = within(fresh?.get(customerId) ?? stored.get(customerId) ?? [], from, to);
		if (loneNewEvent(current, newSeqs)) deltas.add(current[0].dims, current[0].ts, current[0], 1);
		else reconcileCustomer(sink, w.min, w.max, newSeqs, current);
	}
	return deltas;
}

/** The rows with ts in [from, to]: `rows` itself when all are (most customers), else a filtered copy. */
function within(rows: readonly StoredFact[], from: number, to: number): readonly StoredFact[] {
	for (const r of rows) if (r.ts < from || r.ts > to) return rows.filter((x) => x.ts >= from && x.ts <= to);
	return rows;
}

/**
 * Whether a customer's rows to reconcile are one new contact or survey answer and nothing else within the window
 * (most customers of a live stream): reconciling would find it alone, as the writer stored it (a contact's flags as
 * if alone, an answer linked to none: its contactId names no contact of the window), and add it as it is.
 */
function loneNewEvent(rows: readonly StoredFact[], newSeqs: ReadonlySet<number>): boolean {
	return (
		rows.length === 1 &&
		(rows[0].type === 'contact' || rows[0].type === 'feedback') &&
		newSeqs.has(rows[0].seq)
	);
}

/** A kept row's flags as `updateFlags` just stored them. */
function setFlags(rows: readonly StoredFact[], seq: number, flags: LegFlags): void {
	const f = rows.find((r) => r.seq === seq);
	if (!f) return;
	f.firstContact = flags.firstContact;
	f.repeatSameReason7d = flags.repeatSameReason7d;
	f.repeat48h = flags.repeat48h;
	f.chainLast = flags.chainLast;
	f.chainSelfService = flags.chainSelfService;
	f.transferredToAgent = flags.transferredToAgent;
}

/** A kept row's link as `updateLink` just stored it (a complaint's attribution with it, as `storedFact` reads it). */
function setLink(rows: readonly StoredFact[], seq: number, link: number | null): void {
	const f = rows.find((r) => r.seq === seq);
	if (!f) return;
	f.linkedContactSeq = link;
	if (f.type === 'complaint') f.attributed = link !== null || f.dims.team !== null;
}

/** A customer's kept rows: every non-journey row with ts ≥ `from` (later rows too), as stored now. */
interface KeptRows {
	from: number;
	facts: StoredFact[];
}

/**
 * The writer thread's memory of recent customers' stored rows (non-journey events, as `storedWindows` reads them),
 * so that reconciling a customer seen lately reads nothing back: a transfer's second leg, a survey answer naming a
 * contact of minutes ago. SQLite only, and only where one connection does all the writing of events (the writer
 * thread: `keepRecentFacts`). It stays exact because every change to those rows is made or seen here:
 * - the rows this connection inserts are added as they are inserted (as `freshFacts` builds a created customer's),
 *   and the flag and link rewrites of reconciling are applied to the kept rows as they are stored;
 * - a customer is kept once its rows were read with no upper time bound (or it was created here, all its rows
 *   inserted here), so the kept rows are complete from `from` on;
 * - anything another connection commits (retention, customer deletion, text sentiments, rebuilds, anything at
 *   all) changes SQLite's `PRAGMA data_version`, and everything kept is dropped; a rollback drops it too
 *   (`forgetRecentFacts`).
 * Two generations of at most RECENT_CUSTOMERS customers each bound the memory: the older is dropped when the newer
 * fills, and a customer found in the older moves to the newer.
 */
class RecentFacts {
	private young = new Map<string, KeptRows>();
	private old = new Map<string, KeptRows>();

	constructor(readonly version: number) {}

	get(customerId: string): KeptRows | undefined {
		const kept = this.young.get(customerId);
		if (kept) return kept;
		const older = this.old.get(customerId);
		if (older) this.set(customerId, older);
		return older;
	}

	set(customerId: string, kept: KeptRows): void {
		this.young.set(customerId, kept);
		if (this.young.size < RECENT_CUSTOMERS) return;
		this.old = this.young;
		this.young = new Map();
	}

	/** Adds a write's inserted rows to the customers kept, and keeps the customers the write created. */
	add(
		inserted: readonly InsertedEvent[],
		created: ReadonlySet<string> | undefined,
		fresh: ReadonlyMap<string, StoredFact[]> | null
	): void {
		const added = new Set<number>();
		for (const e of inserted) {
			if (e.type === 'journey' || added.has(e.seq)) continue;
			added.add(e.seq);
			// A created customer reconciled now: its rows are `fresh`, kept below (the same objects).
			if (fresh?.has(e.customerId)) continue;
			let kept = this.get(e.customerId);
			if (!kept) {
				if (!created?.has(e.customerId)) continue;
				this.set(e.customerId, (kept = { from: -Infinity, facts: [] }));
			}
			if (kept.facts.length >= RECENT_ROWS) this.drop(e.customerId);
			else kept.facts.push(freshFact(e));
		}
		if (fresh) for (const [customerId, facts] of fresh) this.set(customerId, { from: -Infinity, facts });
	}

	private drop(customerId: string): void {
		this.young.delete(customerId);
		this.old.delete(customerId);
	}
}

/** Customers per generation of `RecentFacts`. */
const RECENT_CUSTOMERS = 50_000;
/** Rows kept per customer; a customer with more is read back again. */
const RECENT_ROWS = 200;
/** How much earlier than needed a kept customer's rows are read, so that late events still find them kept. */
const RECENT_MARGIN_MS = 2 * 86_400_000;

const recentByDb = new WeakMap<Db, RecentFacts>();
const keepingRecent = new WeakSet<Db>();

/**
 * Lets the writer on `db` keep recent customers' rows between transactions (`RecentFacts`). Only for a connection
 * that no other code writes events through: the writer thread's.
 */
export function keepRecentFacts(db: Db): void {
	keepingRecent.add(db);
}

/** Drops the rows kept for `db` (after a rollback: they may include rows that were taken back). */
export function forgetRecentFacts(db: Db): void {
	recentByDb.delete(db);
}

function recentFactsFor(db: Db, s: Statements): RecentFacts | null {
	if (!keepingRecent.has(db)) return null;
	const version = s.dataVersion.get() as number;
	let recent = recentByDb.get(db);
	if (!recent || recent.version !== version) recentByDb.set(db, (recent = new RecentFacts(version)));
	return recent;
}

/** Customers read by one execution of `customerWindows` (unused places are bound to NULL, which matches none). */
const WINDOW_CUSTOMERS = 64;

/**
 * The stored rows of the customers to reconcile that the write did not create, by customer: one statement per 64
 * customers over the union of their windows (the caller keeps each customer's own window), instead of one per
 * customer — the per-statement cost was most of a read. With `recent`, customers kept there are not read, and the
 * others are read with no upper time bound (and a margin before), then kept.
 */
function storedWindows(
	s: Statements,
	windows: ReadonlyMap<string, { min: number; max: number }>,
	fresh: ReadonlyMap<string, StoredFact[]> | null,
	recent: RecentFacts | null,
	/** The write's rows when they are not stored yet: added to what is read back, as if they were. */
	unstored: readonly InsertedEvent[] | null
): Map<string, StoredFact[]> {
	const byCustomer = new Map<string, StoredFact[]>();
	const ids: string[] = [];
	let lo = Infinity;
	let hi = -Infinity;
	for (const [customerId, w] of windows) {
		if (fresh?.has(customerId)) continue;
		const { from, to } = reconcileWindow(w);
		const kept = recent?.get(customerId);
		if (kept && kept.from <= from) {
			byCustomer.set(customerId, kept.facts);
			continue;
		}
		ids.push(customerId);
		if (from < lo) lo = from;
		if (to > hi) hi = to;
	}
	if (recent) {
		lo -= RECENT_MARGIN_MS;
		hi = Number.MAX_SAFE_INTEGER;
	}
	const params: unknown[] = new Array(WINDOW_CUSTOMERS + 2);
	for (let i = 0; i < ids.length; i += WINDOW_CUSTOMERS) {
		for (let j = 0; j < WINDOW_CUSTOMERS; j++) params[j] = ids[i + j] ?? null;
		params[WINDOW_CUSTOMERS] = lo;
		params[WINDOW_CUSTOMERS + 1] = hi;
		for (const r of s.customerWindows.all(params) as RawRow[]) {
			const customerId = r[0] as string;
			const fact = storedFact(r, 1);
			const list = byCustomer.get(customerId);
			if (list) list.push(fact);
			else byCustomer.set(customerId, [fact]);
		}
	}
	if (unstored && ids.length > 0) addUnstored(byCustomer, new Set(ids), unstored, lo, hi);
	if (recent)
		for (const customerId of ids) {
			let facts = byCustomer.get(customerId);
			if (!facts) byCustomer.set(customerId, (facts = []));
			if (facts.length < RECENT_ROWS) recent.set(customerId, { from: lo, facts });
		}
	return byCustomer;
}

/**
 * Adds the write's rows not stored yet to the rows read back for customers `read`: those the read would have
 * returned had they been stored (non-journey, ts in [from, to]), each customer's list then in the read's order, by
 * time then seq (the order of the customer index, which the read walks).
 */
function addUnstored(
	byCustomer: Map<string, StoredFact[]>,
	read: ReadonlySet<string>,
	unstored: readonly InsertedEvent[],
	from: number,
	to: number
): void {
	const added = new Set<number>();
	const grown = new Set<StoredFact[]>();
	for (const e of unstored) {
		if (e.type === 'journey' || !read.has(e.customerId) || e.ts < from || e.ts > to || added.has(e.seq))
			continue;
		added.add(e.seq);
		const fact = freshFact(e);
		const list = byCustomer.get(e.customerId);
		if (list) {
			list.push(fact);
			grown.add(list);
		} else byCustomer.set(e.customerId, [fact]);
	}
	for (const list of grown) list.sort(byTime);
}

/**
 * The engine-free first half of collecting rollups: adds the contributions of inserted events that need no
 * reconciling to `sink`, and returns the seqs counted, the time windows of the customers to reconcile, and the
 * rows of those the write created (from `inserted`, nothing to read back).
 */
export function planRollups(
	sink: RollupSink,
	inserted: readonly InsertedEvent[],
	created?: ReadonlySet<string>
): {
	newSeqs: Set<number>;
	windows: Map<string, { min: number; max: number }>;
	fresh: Map<string, StoredFact[]> | null;
} {
	const deltas = sink;
	const newSeqs = new Set<number>();
	const windows = new Map<string, { min: number; max: number }>();
	for (const e of inserted) {
		if (!contributes(e.type) || newSeqs.has(e.seq)) continue;
		newSeqs.add(e.seq);
		// Complaints are attributed to a contact chain of their customer (reconciled like contacts).
		if (e.type === 'contact' || e.type === 'complaint' || (e.type === 'feedback' && e.contactId)) {
			const w = windows.get(e.customerId);
			if (w) {
				w.min = Math.min(w.min, e.ts);
				w.max = Math.max(w.max, e.ts);
			} else windows.set(e.customerId, { min: e.ts, max: e.ts });
		} else deltas.add(insertedDims(e), e.ts, insertedFact(e), 1);
	}
	// Customers the write created and whose contacts are reconciled: their rows are all in `inserted`.
	const freshCustomers = new Set(created ? [...windows.keys()].filter((id) => created.has(id)) : []);
	const fresh = freshCustomers.size ? freshFacts(inserted, freshCustomers) : null;
	return { newSeqs, windows, fresh };
}

/**
 * Sets the sentiment of stored events (the text engineer scores texts after they arrive) and moves their
 * contributions accordingly. Call inside a transaction; unknown seqs are ignored.
 */
export function applySentimentScores(
	db: Db,
	scores: readonly { seq: number; sentiment: number | null }[]
): void {
	const s = statementsFor(db);
	const deltas = new RollupDeltas(s, db);
	const K = FACT_COLUMN_COUNT;
	for (const { seq, sentiment } of scores) {
		const r = s.factsBySeq.get(seq) as RawRow | undefined;
		if (!r) continue;
		const fact = storedFact(r);
		const linked =
			r[K + 4] === null
				? null
				: {
						...fact.dims,
						team: str(r[K]),
						agent: str(r[K + 1]),
						journey: str(r[K + 2]),
						reason: str(r[K + 3])
					};
		const dims = inheritDims(fact.dims, linked);
		if (contributes(fact.type)) {
			deltas.add(dims, fact.ts, fact, -1);
			deltas.add(dims, fact.ts, { ...fact, sentiment }, 1);
		}
		s.updateSentiment.run(sentiment, seq);
	}
	flushRollups(db, deltas);
}

/**
 * The raw-row reading shared by the query fallback and the rebuild: effective dimensions joined in SQL. The same text
 * serves PostgreSQL (metrics/read-store.ts) with numbered parameters.
 */
export const RAW_SQL = `SELECT e.ts, e.type, e.channel, coalesce(e.team_id, c.team_id), coalesce(e.agent_id, c.agent_id),
	  e.segment, coalesce(e.journey, c.journey), e.region, coalesce(e.reason, c.reason), e.handled_by, e.outcome,
	  e.wait_s, e.handle_s, e.metric, e.score, e.regulator, e.sentiment, e.first_contact, e.repeat_same_reason_7d,
	  e.repeat_48h, e.chain_last, e.chain_self_service, e.transferred_to_agent,
	  e.type = 'complaint' AND (e.linked_contact_seq IS NOT NULL OR e.team_id IS NOT NULL)
	FROM events e LEFT JOIN events c ON c.seq = e.linked_contact_seq
	WHERE e.ts >= ? AND e.ts < ? AND e.type IN ('contact', 'feedback', 'complaint')`;

const rawStatements = new WeakMap<Db, Statement>();

/** Visits every contributing event with ts in [from, to), with its effective dimensions (slow path). */
export function scanRaw(
	db: Db,
	from: number,
	to: number,
	visit: (dims: DimensionValues, ts: number, row: FactRow) => void
): number {
	let st = rawStatements.get(db);
	if (!st) rawStatements.set(db, (st = db.$client.prepare(RAW_SQL).raw()));
	const decode = rawRowVisitor(visit);
	let count = 0;
	for (const r of st.iterate(from, to) as IterableIterator<RawRow>) {
		decode(r);
		count++;
	}
	return count;
}

/** Decodes rows of RAW_SQL (as value arrays) into `visit`'s arguments; the objects are reused between rows. */
export function rawRowVisitor(
	visit: (dims: DimensionValues, ts: number, row: FactRow) => void
): (r: readonly unknown[]) => void {
	const dims: DimensionValues = {
		channel: null,
		team: null,
		agent: null,
		segment: null,
		journey: null,
		region: null,
		reason: null
	};
	const row: FactRow = {
		type: '',
		handledBy: null,
		outcome: null,
		waitS: null,
		handleS: null,
		metric: null,
		score: null,
		regulator: null,
		sentiment: null,
		firstContact: null,
		repeatSameReason7d: null,
		repeat48h: null,
		chainLast: null,
		chainSelfService: null,
		transferredToAgent: null,
		attributed: null
	};
	return (r) => {
		dims.channel = r[2] as string | null;
		dims.team = r[3] as string | null;
		dims.agent = r[4] as string | null;
		dims.segment = r[5] as string | null;
		dims.journey = r[6] as string | null;
		dims.region = r[7] as string | null;
		dims.reason = r[8] as string | null;
		row.type = r[1] as string;
		row.handledBy = r[9] as string | null;
		row.outcome = r[10] as string | null;
		row.waitS = r[11] as number | null;
		row.handleS = r[12] as number | null;
		row.metric = r[13] as string | null;
		row.score = r[14] as number | null;
		row.regulator = bool(r[15]);
		row.sentiment = r[16] as number | null;
		row.firstContact = bool(r[17]);
		row.repeatSameReason7d = bool(r[18]);
		row.repeat48h = bool(r[19]);
		row.chainLast = bool(r[20]);
		row.chainSelfService = bool(r[21]);
		row.transferredToAgent = bool(r[22]);
		row.attributed = bool(r[23]);
		visit(dims, r[0] as number, row);
	};
}

/** One customer's flags and links recomputed from all its (non-journey) events; only changes are written. */
export function rebuildCustomerFlags(
	facts: readonly StoredFact[],
	updateFlags: RollupSink['updateFlags'],
	updateLink: RollupSink['updateLink']
): void {
	const contacts = facts.filter((f) => f.type === 'contact');
	const flags = computeLegFlags(contacts.map(legFacts));
	const legs: StoredFact[] = [];
	for (const x of contacts) {
		const next = flags.get(x.seq) as LegFlags;
		legs.push({ ...x, ...next });
		if (!sameLegFlags(x, next)) updateFlags(x.seq, next);
	}
	for (const f of facts) {
		const link =
			f.type === 'feedback'
				? linkedContact(f, contacts)
				: f.type === 'complaint'
					? attributedContact(f, legs)
					: f.linkedContactSeq;
		if (link !== f.linkedContactSeq) updateLink(f.seq, link);
	}
}

/** Flags and links recomputed from scratch, one customer at a time (keyset pages of the partial index). */
function rebuildFlags(db: Db): void {
	const c = db.$client;
	const page = c
		.prepare(
			`SELECT customer_id, ${FACT_COLUMNS} FROM events WHERE type <> 'journey' AND customer_id > ?
			 ORDER BY customer_id, ts LIMIT ?`
		)
		.raw();
	const one = c
		.prepare(`SELECT customer_id, ${FACT_COLUMNS} FROM events WHERE type <> 'journey' AND customer_id = ?`)
		.raw();
	const s = statementsFor(db);
	const PAGE = 20_000;
	let after = '';
	for (;;) {
		let rows = page.all(after, PAGE) as RawRow[];
		if (rows.length === 0) break;
		const lastCustomer = String(rows[rows.length - 1][0]);
		if (rows.length === PAGE) {
			const complete = rows.filter((r) => r[0] !== lastCustomer);
			rows = complete.length > 0 ? complete : (one.all(lastCustomer) as RawRow[]);
		}
		let start = 0;
		for (let i = 1; i <= rows.length; i++) {
			if (i < rows.length && rows[i][0] === rows[start][0]) continue;
			rebuildCustomerFlags(
				rows.slice(start, i).map((r) => storedFact(r.slice(1))),
				(seq, flags) => s.updateFlags.run(flagParams(flags, seq)),
				(seq, link) => s.updateLink.run(link, seq)
			);
			start = i;
		}
		after = String(rows[rows.length - 1][0]);
	}
}

/**
 * Rebuilds flags, links and every rollup cell from raw rows, in one transaction (readers keep the old cells until
 * it commits). For tests, repairs, and after adding a cuboid.
 */
export async function rebuildRollups(
	target: Db | Storage,
	options: RebuildOptions = {}
): Promise<{ events: number; cells: number }> {
	return byEngine(asStorage(target), rebuildStores).rebuild(options);
}

export interface RebuildOptions {
	/** Called once the contact-chain flags and links are recomputed, before the cells are (to time the phases). */
	onChainsDone?: () => void;
}

const rebuildStores = {
	sqlite: (db: Db) => ({ rebuild: async (options: RebuildOptions) => rebuildRollupsSqlite(db, options) }),
	postgres: (db: PgDb) => ({
		rebuild: (options: RebuildOptions) =>
			db.transaction(async (tx) => {
				// Writers' cell upserts wait until the rebuild commits (and it waits for those already under way), so no
				// event is counted both by the rebuild's scan and by its writer.
				await tx.execute(sql`LOCK TABLE metric_cells, metric_day_cells IN SHARE ROW EXCLUSIVE MODE`);
				return rebuildRollupsPostgres(tx, options);
			})
	})
};

function rebuildRollupsSqlite(db: Db, options: RebuildOptions = {}): { events: number; cells: number } {
	const c = db.$client;
	let events = 0;
	let cells = 0;
	c.transaction(() => {
		// Combos are kept, ids and all: another connection (the writer thread) has them cached, and cells are
		// rebuilt under the same ids. A combo no cell uses any more costs a row and nothing else.
		c.exec('DELETE FROM metric_cells; DELETE FROM metric_day_cells;');
		combosByDb.delete(db);
		rebuildFlags(db);
		options.onChainsDone?.();
		({ events, cells } = buildCells(db, 0));
	}).immediate();
	return { events, cells };
}

/** Adds every stored event's contributions to the cells of cuboids `fromCuboid`… (call inside a transaction). */
function buildCells(db: Db, fromCuboid: number): { events: number; cells: number } {
	const c = db.$client;
	let events = 0;
	let cells = 0;
	const bounds = c.prepare('SELECT min(ts) AS lo, max(ts) AS hi FROM events').get() as {
		lo: number | null;
		hi: number | null;
	};
	if (bounds.lo === null || bounds.hi === null) return { events, cells };
	const s = statementsFor(db);
	for (let from = bounds.lo; from <= bounds.hi; from += DAY_MS) {
		// A day at a time: the scan's rows are buffered because new combos are written while adding them.
		const day: [DimensionValues, number, FactRow][] = [];
		events += scanRaw(db, from, Math.min(from + DAY_MS, bounds.hi + 1), (dims, ts, row) =>
			day.push([{ ...dims }, ts, { ...row }])
		);
		const deltas = new RollupDeltas(s, db, fromCuboid);
		for (const [dims, ts, row] of day) deltas.add(dims, ts, row, 1);
		cells += flushRollups(db, deltas, true);
	}
	return { events, cells };
}

/**
 * The first cuboid without cells while the cuboid of everything has some (its cells were never built: it was
 * appended to CUBOIDS after the events arrived), or null. Every contributing event adds to a cell of every cuboid
 * in the same China day, so "none at all" can only mean "never built".
 */
export const MISSING_CUBOID_SQL = (cuboid: number) =>
	`SELECT 1 FROM metric_day_cells WHERE key >= ${cellKey(cuboid, 0, 0)} AND key < ${cellKey(cuboid + 1, 0, 0)} LIMIT 1`;

export function firstMissingCuboid(hasCells: (cuboid: number) => boolean): number | null {
	if (!hasCells(0)) return null;
	for (let c = 1; c < CUBOIDS.length; c++) if (!hasCells(c)) return c;
	return null;
}

/**
 * Builds the cells of cuboids appended since the database's cells were built (e.g. team × agent × reason, added
 * in migration 0022), from raw rows, leaving the others as they are; nothing to do on a database already complete
 * (two index probes per cuboid). Run when a database is opened, before anything writes: an upgraded database then
 * answers from every cuboid without a manual rebuild. Returns the cuboid it started from, or null.
 */
export function completeCuboids(db: Db): { from: number; events: number; cells: number } | null {
	const c = db.$client;
	const probe = (cuboid: number) => c.prepare(MISSING_CUBOID_SQL(cuboid)).get() !== undefined;
	if (firstMissingCuboid(probe) === null) return null;
	let done: { from: number; events: number; cells: number } | null = null;
	c.transaction(() => {
		// Checked again under the write lock: another process opening the same file may have just built them.
		const from = firstMissingCuboid(probe);
		if (from === null) return;
		done = { from, ...buildCells(db, from) };
	}).immediate();
	return done;
}

/** Sums of one combination's cells per time bucket, as queries read them. */
export interface CellSum {
	v1: string;
	v2: string;
	v3: string;
	/** Bucket number of the grain (bucketOf), 0 without a grain. */
	bucket: number;
	vector: MeasureVector;
}

/** Bucket of a cell in SQL, per level: days and weeks in China time (UTC+8), weeks from Monday. */
const BUCKET_SQL: Record<CellLevel, Record<Grain | 'none', string>> = {
	hour: {
		none: '0',
		hour: CELL_KEY_SQL.hour,
		day: `(${CELL_KEY_SQL.hour} + 8) / 24`,
		week: `((${CELL_KEY_SQL.hour} + 8) / 24 + 3) / 7`
	},
	day: {
		none: '0',
		hour: '-1',
		day: CELL_KEY_SQL.hour,
		week: `(${CELL_KEY_SQL.hour} + 3) / 7`
	}
};

/** Bucket of a cell unit (an hour or a China day) in JS, the same as BUCKET_SQL. */
function bucketOfUnit(level: CellLevel, unit: number, grain: Grain | null): number {
	if (!grain) return 0;
	if (level === 'hour') return bucketOf(unit * HOUR_MS, grain);
	if (grain === 'hour') throw new Error('day cells have no hours');
	return grain === 'day' ? unit : Math.floor((unit + 3) / 7);
}

/**
 * The cell-reading SQL of `sumCells`, the same text on both engines (integer arithmetic on the keys; parameters are
 * `?` here, numbered by the PostgreSQL store): a range of units of one cuboid summed per combination and bucket
 * (`key >= ? AND key < ?`), one cell's measures, and a cuboid's combinations.
 */
export const CELL_SQL = {
	range: (level: CellLevel, grain: Grain | 'none') =>
		`SELECT ${CELL_KEY_SQL.combo} AS combo, ${BUCKET_SQL[level][grain]} AS b, ${MEASURE_COLUMNS.map((m) => `sum(${m})`).join(', ')}
		 FROM ${CELL_TABLE[level]} WHERE key >= ? AND key < ? GROUP BY combo, b`,
	one: (level: CellLevel) => `SELECT ${MEASURE_COLUMNS.join(', ')} FROM ${CELL_TABLE[level]} WHERE key = ?`,
	combos: 'SELECT id, v1, v2, v3 FROM metric_combos WHERE cuboid = ?'
} as const;

/** What `sumCells` reads, per engine (metrics/read-store.ts). */
export interface CellReader {
	/** [id, v1, v2, v3] of a cuboid's combinations. */
	combos(cuboid: number): Promise<[number, string, string, string][]>;
	/** Rows of CELL_SQL.range: [combo, bucket, ...sums]. */
	range(level: CellLevel, grain: Grain | 'none', fromKey: number, toKey: number): Promise<number[][]>;
	/** The measures of each key's cell, undefined for a key without a cell (same order as `keys`). */
	cells(level: CellLevel, keys: readonly number[]): Promise<(number[] | undefined)[]>;
}

interface SumStatements {
	combos: Statement;
	/** A range of units of one cuboid, summed per combination and bucket. */
	range: Record<CellLevel, Record<Grain | 'none', Statement>>;
	/** One cell (point reads), for filters that keep few combinations. */
	one: Record<CellLevel, Statement>;
}
const sumStatements = new WeakMap<Db, SumStatements>();

function sumStatementsFor(db: Db): SumStatements {
	let st = sumStatements.get(db);
	if (st) return st;
	const range = (level: CellLevel, grain: Grain | 'none') =>
		db.$client.prepare(CELL_SQL.range(level, grain)).raw();
	const levels = (grain: Grain | 'none') => ({ hour: range('hour', grain), day: range('day', grain) });
	const byGrain = { none: levels('none'), hour: levels('hour'), day: levels('day'), week: levels('week') };
	const one = (level: CellLevel) => db.$client.prepare(CELL_SQL.one(level)).raw();
	st = {
		combos: db.$client.prepare(CELL_SQL.combos).raw(),
		range: {
			hour: {
				none: byGrain.none.hour,
				hour: byGrain.hour.hour,
				day: byGrain.day.hour,
				week: byGrain.week.hour
			},
			day: { none: byGrain.none.day, hour: byGrain.hour.day, day: byGrain.day.day, week: byGrain.week.day }
		},
		one: { hour: one('hour'), day: one('day') }
	};
	sumStatements.set(db, st);
	return st;
}

/** SQLite's CellReader: the prepared statements, read synchronously. */
export function sqliteCellReader(db: Db): CellReader {
	const st = sumStatementsFor(db);
	return {
		async combos(cuboid) {
			return st.combos.all(cuboid) as [number, string, string, string][];
		},
		async range(level, grain, fromKey, toKey) {
			return st.range[level][grain].all(fromKey, toKey) as number[][];
		},
		async cells(level, keys) {
			return keys.map((key) => st.one[level].get(key) as number[] | undefined);
		}
	};
}

/**
 * Sums of the cells of one cuboid with units (hours, or China days) in [from, to), per combination that `keep`
 * accepts and per bucket of `grain`. Usually one range scan summed by the database; when the filter keeps few of the
 * cuboid's combinations (an agent among 150), point reads of those combinations' cells instead. Values come back
 * as stored ('' = none).
 */
export async function sumCells(
	reader: CellReader,
	level: CellLevel,
	cuboid: number,
	from: number,
	to: number,
	grain: Grain | null,
	keep: (v1: string, v2: string, v3: string) => boolean,
	visit: (sum: CellSum) => void
): Promise<number> {
	if (to <= from) return 0;
	const all = await reader.combos(cuboid);
	const wanted = new Map<number, [string, string, string]>();
	for (const [id, v1, v2, v3] of all) if (keep(v1, v2, v3)) wanted.set(id, [v1, v2, v3]);
	if (wanted.size === 0) return 0;
	let count = 0;
	if (wanted.size * 8 <= all.length && wanted.size * (to - from) <= 20_000) {
		const perBucket = new Map<string, MeasureVector>();
		const points: [number, number][] = [];
		for (const id of wanted.keys()) for (let u = from; u < to; u++) points.push([id, u]);
		const found = await reader.cells(
			level,
			points.map(([id, u]) => cellKey(cuboid, u, id))
		);
		points.forEach(([id, u], i) => {
			const r = found[i];
			if (!r) return;
			const name = `${id}\u0001${bucketOfUnit(level, u, grain)}`;
			let acc = perBucket.get(name);
			if (!acc) perBucket.set(name, (acc = emptyVector()));
			for (let j = 0; j < MEASURE_COUNT; j++) acc[j] += r[j];
		});
		for (const [name, acc] of perBucket) {
			const [id, bucket] = name.split('\u0001').map(Number);
			const [v1, v2, v3] = wanted.get(id) as [string, string, string];
			visit({ v1, v2, v3, bucket, vector: acc });
			count++;
		}
		return count;
	}
	const vector = emptyVector();
	const rows = await reader.range(level, grain ?? 'none', cellKey(cuboid, from, 0), cellKey(cuboid, to, 0));
	for (const r of rows) {
		const values = wanted.get(r[0]);
		if (!values) continue;
		for (let i = 0; i < MEASURE_COUNT; i++) vector[i] = r[i + 2];
		visit({ v1: values[0], v2: values[1], v3: values[2], bucket: r[1], vector });
		count++;
	}
	return count;
}
