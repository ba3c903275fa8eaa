import type { Statement } from 'better-sqlite3';
import type { Db } from '$lib/server/db';

const cache = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement, prepared once per database (the hot path of ingest must not re-prepare). */
export function statement(db: Db, sql: string): Statement {
	let map = cache.get(db);
	if (!map) cache.set(db, (map = new Map()));
	let s = map.get(sql);
	if (!s) map.set(sql, (s = db.$client.prepare(sql)));
	return s;
}

/** `?, ?, ?` for an IN list of n values. */
export function placeholders(n: number): string {
	return new Array(n).fill('?').join(', ');
}
