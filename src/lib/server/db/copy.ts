import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { is } from 'drizzle-orm';
import { SQLiteTable as SQLiteTableClass } from 'drizzle-orm/sqlite-core';
import type { Db } from './index';
import * as schema from './schema';
import type { PgDb } from './postgres';

/**
 * Copies every table of a SQLite database into a migrated, empty PostgreSQL database (`npm run admin -- migrate-to`,
 * and the tests that check both engines answer the same on the same data): parents before children (foreign keys),
 * rows in batches inside one transaction, identity sequences moved past the copied ids, and the row counts of both
 * sides compared at the end.
 */
export interface CopyReport {
	tables: { table: string; rows: number }[];
	rows: number;
}

/** Tables in an order where every table comes after the tables it references. */
export function tablesInCopyOrder(): SQLiteTable[] {
	const tables = (Object.values(schema) as unknown[]).filter((value): value is SQLiteTable =>
		is(value, SQLiteTableClass)
	);
	const ordered: SQLiteTable[] = [];
	const placed = new Set<SQLiteTable>();
	const visit = (table: SQLiteTable, path: Set<SQLiteTable>) => {
		if (placed.has(table) || path.has(table)) return;
		path.add(table);
		for (const fk of getTableConfig(table).foreignKeys) {
			const parent = fk.reference().foreignTable as SQLiteTable;
			if (parent !== table) visit(parent, path);
		}
		placed.add(table);
		ordered.push(table);
	};
	for (const table of tables) visit(table, new Set());
	return ordered;
}

/**
 * Tables with a unique index only PostgreSQL has (drizzle/postgres/0001_ingest_dedupe_unique.sql): SQLite's log may
 * hold a hash twice (it de-duplicates in memory), PostgreSQL's holds the first sighting only.
 */
const UNIQUE_ON_POSTGRES: Record<string, { column: string; order: string }> = {
	event_ids: { column: 'hash', order: 'seq' }
};

/** The rows of `table` to copy (SQL over the SQLite table, selecting `columns`). */
function sourceRows(table: string, columns: string): string {
	const unique = UNIQUE_ON_POSTGRES[table];
	if (!unique) return `SELECT ${columns} FROM "${table}"`;
	return `SELECT ${columns} FROM "${table}" WHERE "${unique.order}" IN
		(SELECT min("${unique.order}") FROM "${table}" GROUP BY "${unique.column}")`;
}

/**
 * Tables PostgreSQL's own triggers fill from the rows copied before them (drizzle/postgres/0007_journey_path_days.sql,
 * 0008_journey_gap_answers.sql: events, then instances, then their links): not copied, and compared by row count like
 * the others.
 */
const FILLED_BY_TRIGGERS = new Set(['journey_path_days', 'journey_gap_answers']);

const BATCH_ROWS = 2_000;
/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000;

function toPostgresValue(value: unknown): unknown {
	if (typeof value === 'bigint')
		return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
			? Number(value)
			: value.toString();
	if (Buffer.isBuffer(value)) return value;
	return value;
}

export async function copySqliteToPostgres(
	source: Db,
	target: PgDb,
	options: { onTable?: (table: string, rows: number) => void } = {}
): Promise<CopyReport> {
	const report: CopyReport = { tables: [], rows: 0 };
	const sql = target.$client;
	await sql.begin(async (tx) => {
		for (const table of tablesInCopyOrder()) {
			const { name, columns } = getTableConfig(table);
			if (FILLED_BY_TRIGGERS.has(name)) {
				const [filled] = await tx.unsafe(`SELECT COUNT(*) AS n FROM "${name}"`);
				report.tables.push({ table: name, rows: Number(filled.n) });
				continue;
			}
			const [existing] = await tx.unsafe(`SELECT COUNT(*) AS n FROM "${name}"`);
			if (Number(existing.n) > 0) throw new Error(`migrate-to: table ${name} on PostgreSQL is not empty`);
			const names = columns.map((c) => c.name);
			const quoted = names.map((n) => `"${n}"`).join(', ');
			const perStatement = Math.max(1, Math.min(BATCH_ROWS, Math.floor(MAX_PARAMETERS / names.length)));
			// safeIntegers: the 63-bit de-duplication hashes survive the trip exactly.
			const rows = source.$client
				.prepare(sourceRows(name, quoted))
				.raw(true)
				.safeIntegers(true)
				.iterate() as IterableIterator<unknown[]>;
			let batch: unknown[][] = [];
			let copied = 0;
			const flush = async () => {
				if (!batch.length) return;
				const params = batch.flat().map(toPostgresValue);
				const tuples = batch.map(
					(_, r) => `(${names.map((__, c) => `$${r * names.length + c + 1}`).join(', ')})`
				);
				await tx.unsafe(
					`INSERT INTO "${name}" (${quoted}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`,
					params as never[]
				);
				copied += batch.length;
				batch = [];
			};
			for (const row of rows) {
				batch.push(row);
				if (batch.length >= perStatement) await flush();
			}
			await flush();
			// Identity columns continue after the copied ids.
			for (const column of columns.filter((c) => c.primary && c.columnType === 'SQLiteInteger')) {
				await tx.unsafe(
					`SELECT setval(pg_get_serial_sequence('"${name}"', '${column.name}'), GREATEST(COALESCE((SELECT MAX("${column.name}") FROM "${name}"), 0), 1), (SELECT COUNT(*) > 0 FROM "${name}"))`
				);
			}
			report.tables.push({ table: name, rows: copied });
			report.rows += copied;
			options.onTable?.(name, copied);
		}
	});
	// Verified by row counts, table by table.
	for (const { table, rows } of report.tables) {
		const fromSqlite = Number(
			(source.$client.prepare(`SELECT COUNT(*) AS n FROM (${sourceRows(table, '1')})`).get() as { n: number })
				.n
		);
		const [onPostgres] = await sql.unsafe(`SELECT COUNT(*) AS n FROM "${table}"`);
		if (fromSqlite !== rows || Number(onPostgres.n) !== rows)
			throw new Error(
				`migrate-to: ${table} has ${fromSqlite} rows on SQLite but ${onPostgres.n} on PostgreSQL`
			);
	}
	return report;
}
