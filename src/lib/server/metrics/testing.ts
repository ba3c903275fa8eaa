import type { CxEvent } from '$lib/model';
import { expect } from 'vitest';
import type { Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { writeEvents, type WriteOptions, type WriteResult } from '$lib/server/ingest/writer';

/**
 * For tests: writes events the way ingestion does. The writer maintains the rollups itself (applyToRollups in its
 * transaction, unless `derive: false`), so this is writeEvents with rollups on; kept as the one name tests use.
 */
export function writeWithRollups(
	db: Db,
	events: readonly CxEvent[],
	options: WriteOptions = { sourceId: null }
): WriteResult {
	return writeEvents(db, events, { ...options, derive: true });
}

let mirror: { db: Db; changes: number; pg: TestPostgres } | null = null;

/**
 * For tests of reads on both engines: asks SQLite and a PostgreSQL copy of the same database (mirrorToPostgres, made
 * again whenever the SQLite database has changed since) the same question, expects deeply equal answers and returns
 * SQLite's (for the test's own hand-computed expectations). One copy is kept at a time; `closeMirror` in afterAll.
 */
export async function onBothEngines<T>(db: Db, ask: (target: Storage) => Promise<T>): Promise<T> {
	const changes = db.$client.prepare('SELECT total_changes()').pluck().get() as number;
	if (!mirror || mirror.db !== db || mirror.changes !== changes) {
		await closeMirror();
		mirror = { db, changes, pg: await mirrorToPostgres(db) };
	}
	const onSqlite = await ask(sqliteStorage(db));
	const onPostgres = await ask(postgresStorage(mirror.pg.db));
	expect(onPostgres).toStrictEqual(onSqlite);
	return onSqlite;
}

export async function closeMirror(): Promise<void> {
	const open = mirror;
	mirror = null;
	if (open) await open.pg.close();
}
