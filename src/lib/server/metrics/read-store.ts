import type { Statement } from 'better-sqlite3';
import type { TransactionSql } from 'postgres';
import { eq } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { pgSchema, type PgDb } from '$lib/server/db/postgres';
import { cxIndexWeights, kpiSettings } from '$lib/server/db/schema';
import {
	COMPLAINT_ATTRIBUTION_MS,
	LINK_WINDOW_MS,
	MEASURE_COLUMNS,
	type DimensionValues,
	type FactRow
} from './measures';
import {
	CELL_SQL,
	RAW_SQL,
	rawRowVisitor,
	scanRaw,
	sqliteCellReader,
	type CellLevel,
	type CellReader
} from './rollups';

/**
 * The metrics engine's reads (issue 17), one implementation per engine: rollup cells, raw rows, the driver analysis'
 * answers and windows, and the admin settings. The SQL is SQLite's own text on both engines (integer arithmetic on
 * cell keys, COALESCE, boolean expressions read as truthy values); PostgreSQL numbers the parameters, reads point
 * cells with one `= ANY` query instead of one statement per cell, and reads the answers' windows in batches.
 */

/** Reads of one consistent snapshot: everything one answer (kpis, drivers) needs. */
export interface MetricsReader extends CellReader {
	/** True when no event has ts in [from, to). */
	noEvents(from: number, to: number): Promise<boolean>;
	/**
	 * Visits every contributing event with ts in [from, to) (RAW_SQL), with its effective dimensions; with `teams`,
	 * only those whose effective team is one of them (RAW_TEAM_SQL: read by team through the events_team_ts and
	 * events_linked_ts indexes instead of every row of the range), in the same order (ts, seq).
	 */
	scanRaw(
		from: number,
		to: number,
		visit: (dims: DimensionValues, ts: number, row: FactRow) => void,
		teams?: readonly string[]
	): Promise<number>;
	/** NPS answers of [from, to), newest first: seq, customer, ts, score, then the seven dimensions. */
	driverAnswers(from: number, to: number): Promise<unknown[][]>;
	/** Per answer: its customer's non-journey events of (ts − windowMs) … ts, as WINDOW_SQL's rows. */
	driverWindows(
		answers: readonly { customer: string; ts: number }[],
		windowMs: number
	): Promise<unknown[][][]>;
}

export type KpiSettingRow = typeof kpiSettings.$inferSelect;
export type IndexWeightRow = typeof cxIndexWeights.$inferSelect;

export interface MetricsReadStore {
	/** Runs `work` on one snapshot (a read transaction; on SQLite, joins a transaction already open). */
	read<T>(work: (reader: MetricsReader) => Promise<T>): Promise<T>;
	kpiSettings(): Promise<KpiSettingRow[]>;
	kpiSetting(key: string): Promise<KpiSettingRow | undefined>;
	putKpiSetting(row: KpiSettingRow): Promise<void>;
	indexWeights(): Promise<IndexWeightRow[]>;
	/** Upserts every row in one transaction. */
	putIndexWeights(rows: readonly IndexWeightRow[]): Promise<void>;
}

const ANSWERS_SQL = `SELECT e.seq, e.customer_id, e.ts, e.score, e.channel, coalesce(e.team_id, c.team_id),
	  coalesce(e.agent_id, c.agent_id), e.segment, coalesce(e.journey, c.journey), e.region,
	  coalesce(e.reason, c.reason)
	FROM events e LEFT JOIN events c ON c.seq = e.linked_contact_seq
	WHERE e.ts >= ? AND e.ts < ? AND e.type = 'feedback' AND e.metric = 'nps'
	ORDER BY e.ts DESC, e.seq DESC`;

const WINDOW_COLUMNS = `type, handled_by, outcome, wait_s, handle_s, metric, score, regulator, sentiment,
	  first_contact, repeat_same_reason_7d, repeat_48h, chain_last, chain_self_service, transferred_to_agent,
	  type = 'complaint' AND (linked_contact_seq IS NOT NULL OR team_id IS NOT NULL)`;

const WINDOW_SQL = `SELECT ${WINDOW_COLUMNS}
	FROM events WHERE customer_id = ? AND type <> 'journey' AND ts >= ? AND ts <= ? ORDER BY ts, seq`;

const NO_EVENTS_SQL = 'SELECT 1 FROM events WHERE ts >= ? AND ts < ? LIMIT 1';

const RAW_FROM = 'FROM events e LEFT JOIN events c ON c.seq = e.linked_contact_seq';
// RAW_SQL's columns, its first (e.ts) named so that the union below can order by it.
const RAW_SELECT = RAW_SQL.slice(0, RAW_SQL.indexOf(RAW_FROM)).replace(
	/^SELECT e\.ts,/,
	'SELECT e.ts AS row_ts,'
);
if (!RAW_SELECT.startsWith('SELECT e.ts AS row_ts,'))
	throw new Error('RAW_SQL no longer reads e.ts first, FROM events e LEFT JOIN events c');
const RAW_TYPES = "e.type IN ('contact', 'feedback', 'complaint')";

/**
 * RAW_SQL's rows whose effective team (the row's own, else its linked contact's) is one of a list, in RAW_SQL's order
 * (ts, then seq: the events_ts index's order): the rows of those teams by events_team_ts, then the answers and
 * complaints without a team of their own whose linked contact is one of those teams' contacts, by events_linked_ts
 * (which holds the link, so other teams' answers are not read). A link never spans more than LINKED_WITHIN_MS
 * (metrics/flags.ts: linkedContact, attributedContact), so those contacts are the teams' contacts of the range
 * widened by it. `inTeams` is the engine's test of a column against the list parameter.
 * Parameters: teams, from, to, from, to, teams, from − LINKED_WITHIN_MS, to + LINKED_WITHIN_MS.
 */
const rawTeamSql = (inTeams: (column: string) => string, linkedIndex: string) =>
	`${RAW_SELECT}, e.seq AS row_seq ${RAW_FROM}
	WHERE e.team_id IS NOT NULL AND ${inTeams('e.team_id')} AND e.ts >= ? AND e.ts < ? AND ${RAW_TYPES}
	UNION ALL
	${RAW_SELECT}, e.seq FROM events e ${linkedIndex} JOIN events c ON c.seq = e.linked_contact_seq
	WHERE e.linked_contact_seq IS NOT NULL AND e.team_id IS NULL AND e.ts >= ? AND e.ts < ?
	  AND e.linked_contact_seq IN (SELECT seq FROM events
	    WHERE team_id IS NOT NULL AND ${inTeams('team_id')} AND ts >= ? AND ts < ?)
	  AND ${RAW_TYPES}
	ORDER BY row_ts, row_seq`;

/** The longest time between a linked answer or complaint and its contact. */
export const LINKED_WITHIN_MS = Math.max(LINK_WINDOW_MS, COMPLAINT_ATTRIBUTION_MS);

const rawTeamParams = <T>(teams: T, from: number, to: number) =>
	[teams, from, to, from, to, teams, from - LINKED_WITHIN_MS, to + LINKED_WITHIN_MS] as const;

/** RAW_SQL limited to a list of teams, per engine (a JSON array on SQLite, a text[] on PostgreSQL). */
export const RAW_TEAM_SQL = {
	// SQLite's planner, without statistics, would take events_ts for the second part.
	sqlite: rawTeamSql(
		(column) => `${column} IN (SELECT value FROM json_each(?))`,
		'INDEXED BY events_linked_ts'
	),
	postgres: rawTeamSql((column) => `${column} = ANY(?::text[])`, '')
};

// ---------------------------------------------------------------------------------------------------------------
// SQLite

interface SqliteStatements {
	noEvents: Statement;
	rawTeams: Statement;
	answers: Statement;
	window: Statement;
}

function sqliteReadStore(db: Db): MetricsReadStore {
	let st: SqliteStatements | undefined;
	const statements = () =>
		(st ??= {
			noEvents: db.$client.prepare(NO_EVENTS_SQL),
			rawTeams: db.$client.prepare(RAW_TEAM_SQL.sqlite).raw(),
			answers: db.$client.prepare(ANSWERS_SQL).raw(),
			window: db.$client.prepare(WINDOW_SQL).raw()
		});
	const cells = sqliteCellReader(db);
	const reader: MetricsReader = {
		...cells,
		async noEvents(from, to) {
			return from >= to || statements().noEvents.get(from, to) === undefined;
		},
		async scanRaw(from, to, visit, teams) {
			if (!teams) return scanRaw(db, from, to, visit);
			const decode = rawRowVisitor(visit);
			const list = JSON.stringify(teams);
			let count = 0;
			for (const r of statements().rawTeams.iterate(...rawTeamParams(list, from, to)) as IterableIterator<
				unknown[]
			>) {
				decode(r);
				count++;
			}
			return count;
		},
		async driverAnswers(from, to) {
			return statements().answers.all(from, to) as unknown[][];
		},
		async driverWindows(answers, windowMs) {
			const window = statements().window;
			return answers.map((a) => window.all(a.customer, a.ts - windowMs, a.ts) as unknown[][]);
		}
	};
	return {
		async read(work) {
			const c = db.$client;
			// Reads of one snapshot. The statements are synchronous, so nothing else runs on the connection between
			// them unless the caller awaits something else; a transaction already open (a caller's) is simply joined.
			if (c.inTransaction) return work(reader);
			c.exec('BEGIN');
			try {
				return await work(reader);
			} finally {
				if (c.inTransaction) c.exec('COMMIT');
			}
		},
		async kpiSettings() {
			return db.select().from(kpiSettings).all();
		},
		async kpiSetting(key) {
			return db.select().from(kpiSettings).where(eq(kpiSettings.key, key)).get();
		},
		async putKpiSetting(row) {
			const { key: _key, ...set } = row;
			db.insert(kpiSettings).values(row).onConflictDoUpdate({ target: kpiSettings.key, set }).run();
		},
		async indexWeights() {
			return db.select().from(cxIndexWeights).all();
		},
		async putIndexWeights(rows) {
			db.$client
				.transaction(() => {
					for (const row of rows)
						db.insert(cxIndexWeights)
							.values(row)
							.onConflictDoUpdate({
								target: cxIndexWeights.component,
								set: { weight: row.weight, updatedAt: row.updatedAt, updatedBy: row.updatedBy }
							})
							.run();
				})
				.immediate();
		}
	};
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

/** SQLite's `?` parameters as PostgreSQL's `$1, $2, …` (the SQL here has no `?` inside literals). */
function numbered(sql: string): string {
	let i = 0;
	return sql.replace(/\?/g, () => `$${++i}`);
}

const PG = {
	noEvents: numbered(NO_EVENTS_SQL),
	raw: numbered(RAW_SQL),
	rawTeams: numbered(RAW_TEAM_SQL.postgres),
	answers: numbered(ANSWERS_SQL),
	combos: numbered(CELL_SQL.combos),
	range: (level: CellLevel, grain: Parameters<typeof CELL_SQL.range>[1]) =>
		numbered(CELL_SQL.range(level, grain)),
	cells: (level: CellLevel) =>
		`SELECT key, ${MEASURE_COLUMNS.join(', ')} FROM ${level === 'hour' ? 'metric_cells' : 'metric_day_cells'}
		 WHERE key = ANY($1::bigint[])`,
	// The answers' windows in one statement per batch: each answer (its position, customer and time) joined to its
	// customer's events, in the order SQLite's per-answer statement reads them.
	// (WINDOW_COLUMNS name no column of `a`.)
	windows: `SELECT a.i, ${WINDOW_COLUMNS}
		FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS a(customer, ts, i)
		JOIN events e ON e.customer_id = a.customer AND e.type <> 'journey' AND e.ts >= a.ts - $3::bigint AND e.ts <= a.ts
		ORDER BY a.i, e.ts, e.seq`
};

const RAW_BATCH = 5_000;
/** Raw rows of at most an hour are read in one statement; longer ranges through a cursor of RAW_BATCH rows. */
const RAW_AT_ONCE_MS = 3_600_000;
const WINDOW_BATCH = 1_000;

/**
 * Every statement here is a fixed text, prepared once per connection: an unprepared statement with parameters costs
 * postgres.js two round trips (describe, then execute) and a fresh plan each time, and cannot be pipelined.
 */
const PREPARED = { prepare: true } as const;

function postgresReader(sql: TransactionSql): MetricsReader {
	// A cuboid's combinations, read once per snapshot (an answer reads the same cuboid for every part of its range).
	const combos = new Map<number, Promise<[number, string, string, string][]>>();
	return {
		combos(cuboid) {
			let read = combos.get(cuboid);
			if (!read) {
				read = sql
					.unsafe(PG.combos, [cuboid], PREPARED)
					.values()
					.then((rows) => rows as unknown as [number, string, string, string][]);
				combos.set(cuboid, read);
			}
			return read;
		},
		async range(level, grain, fromKey, toKey) {
			return (await sql
				.unsafe(PG.range(level, grain), [fromKey, toKey], PREPARED)
				.values()) as unknown as number[][];
		},
		async cells(level, keys) {
			if (keys.length === 0) return [];
			const rows = (await sql
				.unsafe(PG.cells(level), [keys as number[]], PREPARED)
				.values()) as unknown as number[][];
			const byKey = new Map(rows.map((r) => [r[0], r.slice(1)]));
			return keys.map((k) => byKey.get(k));
		},
		async noEvents(from, to) {
			if (from >= to) return true;
			return (await sql.unsafe(PG.noEvents, [from, to], PREPARED)).length === 0;
		},
		async scanRaw(from, to, visit, teams) {
			const decode = rawRowVisitor(visit);
			let count = 0;
			const [text, params] = teams
				? [PG.rawTeams, [...rawTeamParams(teams as string[], from, to)]]
				: [PG.raw, [from, to]];
			if (to - from <= RAW_AT_ONCE_MS) {
				// The part of an hour at an edge of a range: read at once. A cursor would hold the connection, and
				// the reads pipelined behind it would go one round trip each.
				for (const r of await sql.unsafe(text, params, PREPARED).values()) {
					decode(r as unknown as unknown[]);
					count++;
				}
				return count;
			}
			for await (const rows of sql.unsafe(text, params, PREPARED).values().cursor(RAW_BATCH))
				for (const r of rows) {
					decode(r as unknown as unknown[]);
					count++;
				}
			return count;
		},
		async driverAnswers(from, to) {
			return (await sql.unsafe(PG.answers, [from, to], PREPARED).values()) as unknown as unknown[][];
		},
		async driverWindows(answers, windowMs) {
			const out: unknown[][][] = answers.map(() => []);
			for (let start = 0; start < answers.length; start += WINDOW_BATCH) {
				const batch = answers.slice(start, start + WINDOW_BATCH);
				const rows = (await sql
					.unsafe(PG.windows, [batch.map((a) => a.customer), batch.map((a) => a.ts), windowMs], PREPARED)
					.values()) as unknown as unknown[][];
				for (const r of rows) out[start + Number(r[0]) - 1].push(r.slice(1));
			}
			return out;
		}
	};
}

function postgresReadStore(db: PgDb): MetricsReadStore {
	const settings = pgSchema.kpiSettings;
	const weights = pgSchema.cxIndexWeights;
	return {
		async read(work) {
			return (await db.$client.begin('isolation level repeatable read read only', (sql) =>
				work(postgresReader(sql))
			)) as Awaited<ReturnType<typeof work>>;
		},
		async kpiSettings() {
			return db.select().from(settings);
		},
		async kpiSetting(key) {
			const [row] = await db.select().from(settings).where(eq(settings.key, key));
			return row;
		},
		async putKpiSetting(row) {
			const { key: _key, ...set } = row;
			await db.insert(settings).values(row).onConflictDoUpdate({ target: settings.key, set });
		},
		async indexWeights() {
			return db.select().from(weights);
		},
		async putIndexWeights(rows) {
			await db.transaction(async (tx) => {
				for (const row of rows)
					await tx
						.insert(weights)
						.values(row)
						.onConflictDoUpdate({
							target: weights.component,
							set: { weight: row.weight, updatedAt: row.updatedAt, updatedBy: row.updatedBy }
						});
			});
		}
	};
}

export const metricsStores = { sqlite: sqliteReadStore, postgres: postgresReadStore };
