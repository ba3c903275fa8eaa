import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as schema from './schema';

export { schema };
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Where the committed migrations live; overridable for the built server, which runs from another folder. */
const migrationsFolder = process.env.RESONANCE_MIGRATIONS ?? resolve('drizzle');

/**
 * Opens (creating the folder and file when needed) and migrates a database. Takes the path rather than reading
 * the environment so tests can pass ':memory:'. Fails fast: a database that cannot be migrated stops the start.
 */
export function openDatabase(file: string): Db {
	if (file !== ':memory:' && !file.startsWith('file:'))
		mkdirSync(dirname(resolve(file)), { recursive: true });
	const client = new Database(file);
	client.pragma('journal_mode = WAL');
	client.pragma('synchronous = NORMAL');
	client.pragma('foreign_keys = ON');
	client.pragma('busy_timeout = 5000');
	// A bigger page cache keeps the de-duplication and index pages hot (PERF-NOTES.md).
	client.pragma('cache_size = -131072');
	client.pragma('temp_store = MEMORY');
	// Checkpoint every ~40 MB of WAL instead of 4 MB: a page dirtied by many commits is copied back once, which
	// made the writer 1.25× faster (bench/_writer-profile.ts); the WAL file is truncated back to 64 MB after.
	client.pragma('wal_autocheckpoint = 10000');
	client.pragma('journal_size_limit = 67108864');
	const db = drizzle(client, { schema }) as Db;
	migrate(db, { migrationsFolder });
	return db;
}

/** The database path from the environment (DATABASE_URL, default ./data/resonance.db); `file:` prefixes accepted. */
export function databasePathFromEnv(env: Record<string, string | undefined> = process.env): string {
	const url = env.DATABASE_URL?.trim() || './data/resonance.db';
	return url.startsWith('file:') && url !== 'file::memory:' ? url.slice('file:'.length) : url;
}

let current: Db | undefined;

/** The one database of this process, opened by `hooks.server.ts` init (or by scripts). */
export function useDatabase(db: Db): Db {
	current = db;
	return db;
}

export function database(): Db {
	if (!current) throw new Error('The database is not open yet (openDatabase + useDatabase at start).');
	return current;
}
