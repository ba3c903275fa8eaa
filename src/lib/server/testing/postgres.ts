import postgres from 'postgres';
import { afterEach, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openPostgres, type PgDb } from '$lib/server/db/postgres';
import { openDatabase, type Db } from '$lib/server/db';
import { copySqliteToPostgres } from '$lib/server/db/copy';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';

/**
 * A fresh, migrated PostgreSQL database on the test server that vitest's global setup started
 * (postgres-global-setup.ts), copied from a migrated template so each test pays milliseconds, not a migration.
 */
const TEMPLATE = 'resonance_template';
const TEMPLATE_LOCK = 0x74706c; // 'tpl'

function databaseUrl(adminUrl: string, name: string): string {
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return url.toString();
}

let templateReady: Promise<void> | undefined;

async function ensureTemplate(adminUrl: string): Promise<void> {
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	try {
		// Test files run in parallel workers: one of them creates the template, the others wait for it.
		await admin`SELECT pg_advisory_lock(${TEMPLATE_LOCK})`;
		const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${TEMPLATE}`;
		if (!exists) {
			await admin.unsafe(`CREATE DATABASE ${TEMPLATE}`);
			const db = await openPostgres(databaseUrl(adminUrl, TEMPLATE), { pool: 1 });
			await db.$client.end();
		}
		await admin`SELECT pg_advisory_unlock(${TEMPLATE_LOCK})`;
	} finally {
		await admin.end();
	}
}

export interface TestPostgres {
	db: PgDb;
	url: string;
	/**
	 * Another pool on the same database, as a second server process would have (its own connections, its own
	 * `application_name`); `close()` ends it too.
	 */
	another(options?: { pool?: number; applicationName?: string }): Promise<PgDb>;
	/** Closes every pool and drops the database. */
	close(): Promise<void>;
}

export async function testPostgres(options: { pool?: number } = {}): Promise<TestPostgres> {
	const adminUrl = inject('postgresUrl');
	templateReady ??= ensureTemplate(adminUrl);
	await templateReady;
	const name = `t_${randomBytes(6).toString('hex')}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	try {
		await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
	} finally {
		await admin.end();
	}
	const url = databaseUrl(adminUrl, name);
	const db = await openPostgres(url, { pool: options.pool ?? 4 });
	const others: PgDb[] = [];
	return {
		db,
		url,
		async another(more = {}) {
			const other = await openPostgres(url, {
				pool: more.pool ?? 2,
				...(more.applicationName ? { applicationName: more.applicationName } : {})
			});
			others.push(other);
			return other;
		},
		async close() {
			for (const other of others.splice(0)) await other.$client.end({ timeout: 1 });
			await db.$client.end({ timeout: 1 });
			const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
			try {
				await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			} finally {
				await dropper.end();
			}
		}
	};
}

/**
 * A PostgreSQL copy of a SQLite test database (db/copy.ts): build the data once with the SQLite writer, then ask both
 * engines the same question and compare the answers.
 */
export async function mirrorToPostgres(source: Db): Promise<TestPostgres> {
	const pg = await testPostgres();
	try {
		await copySqliteToPostgres(source, pg.db);
	} catch (error) {
		await pg.close();
		throw error;
	}
	return pg;
}

/**
 * The engines every storage test runs on: `describe.each(testEngines)('… on $engine', ({ open }) => …)`. `open`
 * gives a fresh migrated database and a `close` to call in afterEach/afterAll.
 */
export const testEngines: {
	engine: Storage['engine'];
	open: () => Promise<{ storage: Storage; close: () => Promise<void> }>;
}[] = [
	{
		engine: 'sqlite',
		open: async () => {
			const db = openDatabase(':memory:');
			return { storage: sqliteStorage(db), close: async () => void db.$client.close() };
		}
	},
	{
		engine: 'postgres',
		open: async () => {
			const pg = await testPostgres();
			return { storage: postgresStorage(pg.db), close: pg.close };
		}
	}
];

type OpenEngine = (typeof testEngines)[number]['open'];

/**
 * Inside a `describe.each(testEngines)` body: `const fresh = freshStorage(open)` gives each test that calls
 * `await fresh()` a new migrated database of the suite's engine, closed (and on PostgreSQL dropped) after the test.
 */
export function freshStorage(open: OpenEngine): () => Promise<Storage> {
	const opened: (() => Promise<void>)[] = [];
	afterEach(async () => {
		for (const close of opened.splice(0)) await close();
	});
	return async () => {
		const { storage, close } = await open();
		opened.push(close);
		return storage;
	};
}
