import type { Db } from './index';
import type { PgDb } from './postgres';

/**
 * The open database of a process, whichever engine it is (DESIGN.md "Scale-out on PostgreSQL"). Domains do not
 * branch on it in their logic: each domain has a small async store interface with one implementation per engine
 * (`<domain>/sqlite.ts`, `<domain>/postgres.ts`), chosen once by `byEngine`.
 */
export type Storage = { engine: 'sqlite'; db: Db } | { engine: 'postgres'; db: PgDb };

export function sqliteStorage(db: Db): Storage {
	return { engine: 'sqlite', db };
}

/**
 * While domains move from the SQLite handle to `Storage` (issue 17), a function may accept either; a bare `Db` is
 * SQLite.
 */
export function asStorage(target: Db | Storage): Storage {
	return 'engine' in target && (target.engine === 'sqlite' || target.engine === 'postgres') && 'db' in target
		? (target as Storage)
		: sqliteStorage(target as Db);
}

export function postgresStorage(db: PgDb): Storage {
	return { engine: 'postgres', db };
}

const chosen = new WeakMap<object, Map<object, unknown>>();

/**
 * A domain's store for this storage: the implementation for its engine, built once per database and domain.
 * `impl` must be a module-level constant (it is the cache key).
 */
export function byEngine<T>(storage: Storage, impl: { sqlite: (db: Db) => T; postgres: (db: PgDb) => T }): T {
	let stores = chosen.get(storage.db);
	if (!stores) chosen.set(storage.db, (stores = new Map()));
	let store = stores.get(impl) as T | undefined;
	if (store === undefined) {
		store = storage.engine === 'sqlite' ? impl.sqlite(storage.db) : impl.postgres(storage.db);
		stores.set(impl, store);
	}
	return store;
}

/** One round trip to the database (health and readiness checks): throws when it does not answer. */
export async function ping(storage: Storage): Promise<void> {
	if (storage.engine === 'sqlite') storage.db.$client.prepare('SELECT 1').get();
	else await storage.db.$client`SELECT 1`;
}
