import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as schema from './schema';
import { completeCuboids } from '$lib/server/metrics/rollups';
import { sqliteStorage, type Storage } from './storage';
import { DatabaseUrlError, parseDatabaseUrl } from './url';

export { schema };
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Where the committed SQLite migrations live (<RESONANCE_MIGRATIONS or ./drizzle>/sqlite); overridable for the built server, which runs from another folder. */
const migrationsFolder = join(process.env.RESONANCE_MIGRATIONS ?? resolve('drizzle'), 'sqlite');

/**
 * A connection's page cache in MB from the environment: `name` (default RESONANCE_SQLITE_CACHE_MB, the read
 * connection) holding a whole number from 8 to 4096, else `fallback`. Anything else stops the start, naming it.
 */
export function sqliteCacheMb(
	env: Record<string, string | undefined> = process.env,
	name = 'RESONANCE_SQLITE_CACHE_MB',
	fallback = 32
): number {
	const raw = env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const mb = Number(raw);
	if (!Number.isInteger(mb) || mb < 8 || mb > 4096)
		throw new Error(`${name}: expected a whole number of MB from 8 to 4096, got "${raw}"`);
	return mb;
}

/**
 * Opens (creating the folder and file when needed) and migrates a database. Takes the path rather than reading
 * the environment so tests can pass ':memory:'. Fails fast: a database that cannot be migrated stops the start.
 */
export function openDatabase(file: string, options: { cacheMb?: number } = {}): Db {
	if (file !== ':memory:' && !file.startsWith('file:'))
		mkdirSync(dirname(resolve(file)), { recursive: true });
	const client = new Database(file);
	client.pragma('journal_mode = WAL');
	client.pragma('synchronous = NORMAL');
	client.pragma('foreign_keys = ON');
	client.pragma('busy_timeout = 5000');
	// The page cache, per connection (the server holds two: reads on the main thread, writes in the writer thread).
	// It counts in the server's memory budget; the writer's keeps index pages hot (PERF-NOTES.md).
	client.pragma(`cache_size = ${-1024 * (options.cacheMb ?? sqliteCacheMb())}`);
	client.pragma('temp_store = MEMORY');
	// Checkpoint every ~40 MB of WAL instead of 4 MB: a page dirtied by many commits is copied back once, which
	// made the writer 1.25× faster (bench/_writer-profile.ts); the WAL file is truncated back to 64 MB after. Behind
	// the writer thread, its checkpointer (ingest/checkpointer.ts) copies most pages first, beside it.
	client.pragma('wal_autocheckpoint = 10000');
	client.pragma('journal_size_limit = 67108864');
	const db = drizzle(client, { schema }) as Db;
	migrate(db, { migrationsFolder });
	// Cells of cuboids added by an upgrade (metrics/rollups.ts CUBOIDS), built once from the stored events.
	const built = completeCuboids(db);
	if (built)
		console.log(
			`[resonance] rollup cells of cuboids ${built.from}… built from ${built.events} events (${built.cells} cells)`
		);
	return db;
}

/**
 * The SQLite file from the environment (DATABASE_URL, default ./data/resonance.db; `file:` prefixes accepted) for
 * the SQLite-only tools (backup, restore, the writer thread). A postgres:// URL or an unknown scheme throws with a
 * message naming DATABASE_URL (db/url.ts).
 */
export function databasePathFromEnv(env: Record<string, string | undefined> = process.env): string {
	const target = parseDatabaseUrl(env.DATABASE_URL);
	if (target.engine !== 'sqlite')
		throw new DatabaseUrlError(
			'DATABASE_URL: this command works on a SQLite file; for PostgreSQL use its own tools'
		);
	return target.file;
}

let current: Db | undefined;
let currentStorage: Storage | undefined;

/** The one database of this process, opened by `hooks.server.ts` init (or by scripts). */
export function useDatabase(db: Db): Db {
	current = db;
	currentStorage = sqliteStorage(db);
	return db;
}

/** The process's database when it is PostgreSQL (startup.ts); `database()` then refuses, `storage()` answers. */
export function useStorage(s: Storage): Storage {
	currentStorage = s;
	current = s.engine === 'sqlite' ? s.db : undefined;
	return s;
}

/** The one database of this process, whichever engine (db/storage.ts). */
export function storage(): Storage {
	if (!currentStorage) throw new Error('The database is not open yet (startup.ts opens it).');
	return currentStorage;
}

export function database(): Db {
	if (!current) throw new Error('The database is not open yet (openDatabase + useDatabase at start).');
	return current;
}
