import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { resolve, join } from 'node:path';
import * as schema from './schema-pg';
import { completeCuboidsPostgres } from '$lib/server/metrics/rollups-postgres';

export { schema as pgSchema };
export type PgDb = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

/** Pool and timeout settings (README "Running on PostgreSQL"), from the environment with sane defaults. */
export interface PostgresOptions {
	/** Connections in this process's pool (RESONANCE_PG_POOL, default 10). */
	pool: number;
	/** A statement running longer is cancelled by the server (RESONANCE_PG_STATEMENT_TIMEOUT_MS, default 30 s). */
	statementTimeoutMs: number;
	/** The name this process shows in pg_stat_activity. */
	applicationName: string;
}

function positiveInt(
	env: Record<string, string | undefined>,
	name: string,
	fallback: number,
	max: number
): number {
	const raw = env[name]?.trim();
	if (!raw) return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 1 || value > max)
		throw new Error(`${name}: expected a whole number from 1 to ${max}, got "${raw}"`);
	return value;
}

export function postgresOptionsFromEnv(
	env: Record<string, string | undefined> = process.env
): PostgresOptions {
	return {
		pool: positiveInt(env, 'RESONANCE_PG_POOL', 10, 200),
		statementTimeoutMs: positiveInt(env, 'RESONANCE_PG_STATEMENT_TIMEOUT_MS', 30_000, 3_600_000),
		applicationName: env.RESONANCE_PG_APPLICATION_NAME?.trim() || `resonance-${process.pid}`
	};
}

/**
 * Numbers come back as numbers, as from SQLite: int8 (counts, SUM of integers, ms timestamps) and numeric (SUM of
 * int8, AVG) are parsed to JS numbers. Every int8 we store is below 2^53 except the de-duplication hash, which the
 * schema reads in bigint mode (drizzle converts it itself).
 */
const NUMBER_TYPES = {
	int8: { to: 20, from: [20], serialize: (x: number | bigint) => String(x), parse: (x: string) => Number(x) },
	numeric: { to: 1700, from: [1700], serialize: (x: number) => String(x), parse: (x: string) => Number(x) }
};

/** Where the committed migrations live: <RESONANCE_MIGRATIONS or ./drizzle>/postgres. */
export function postgresMigrationsFolder(): string {
	return join(process.env.RESONANCE_MIGRATIONS ?? resolve('drizzle'), 'postgres');
}

/**
 * Connects a pool to PostgreSQL and migrates it. Several processes may start at once: migrations are applied under
 * an advisory lock, so one process applies them and the others find them applied.
 */
export async function openPostgres(url: string, options: Partial<PostgresOptions> = {}): Promise<PgDb> {
	const settings = { ...postgresOptionsFromEnv({}), ...options };
	const client = postgres(url, {
		max: settings.pool,
		idle_timeout: 60,
		connect_timeout: 10,
		// Connections are recycled (jittered) so a failover or a DBA's restart is picked up without a restart of ours.
		max_lifetime: 60 * 30,
		types: NUMBER_TYPES,
		onnotice: () => {},
		connection: {
			application_name: settings.applicationName,
			statement_timeout: settings.statementTimeoutMs
		}
	});
	await migrateOnce(url);
	return drizzle(client, { schema }) as PgDb;
}

/** An arbitrary, fixed key: "resonance migrations" for pg_advisory_lock. */
const MIGRATION_LOCK = 0x7265736f6e; // 'reson'

async function migrateOnce(url: string): Promise<void> {
	// A client of its own with one connection: the session that holds the lock is the one that migrates.
	const client = postgres(url, { max: 1, onnotice: () => {}, types: NUMBER_TYPES, connect_timeout: 10 });
	try {
		await client`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
		const db = drizzle(client, { schema });
		await migrate(db, { migrationsFolder: postgresMigrationsFolder() });
		// Cells of cuboids added by an upgrade (metrics/rollups.ts CUBOIDS), built once, by the process that migrates.
		const built = await completeCuboidsPostgres(db as unknown as PgDb);
		if (built)
			console.log(
				`[resonance] rollup cells of cuboids ${built.from}… built from ${built.events} events (${built.cells} cells)`
			);
		await client`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`;
	} finally {
		await client.end();
	}
}
