import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from './index';
import { pgSchema } from './postgres';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';

/** table → sorted "column type-class nullability" lines, the same vocabulary on both engines. */
type Shape = Record<string, string[]>;

function sqliteShape(db: Db): Shape {
	const tables = db.$client
		.prepare(
			"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'"
		)
		.pluck()
		.all() as string[];
	const shape: Shape = {};
	for (const table of tables) {
		const columns = db.$client.prepare(`PRAGMA table_info(${table})`).all() as {
			name: string;
			type: string;
			notnull: number;
			pk: number;
		}[];
		shape[table] = columns
			.map((c) => `${c.name} ${c.type.toLowerCase()} ${c.notnull || c.pk ? 'not null' : 'null'}`)
			.sort();
	}
	return shape;
}

const PG_CLASS: Record<string, string> = {
	bigint: 'integer',
	smallint: 'integer',
	'double precision': 'real',
	text: 'text'
};

/**
 * Tables only PostgreSQL has (custom migrations): state that SQLite keeps in process memory because one process
 * serves it (auth/throttle-store.ts: sign-in attempts in flight).
 */
const POSTGRES_ONLY = new Set(['sign_in_pending']);

async function postgresShape(pg: TestPostgres): Promise<Shape> {
	const rows = await pg.db.$client<
		{ table_name: string; column_name: string; data_type: string; is_nullable: string }[]
	>`
		SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = 'public' ORDER BY table_name, column_name`;
	const shape: Shape = {};
	for (const r of rows.filter((row) => !POSTGRES_ONLY.has(row.table_name)))
		(shape[r.table_name] ??= []).push(
			`${r.column_name} ${PG_CLASS[r.data_type] ?? r.data_type} ${r.is_nullable === 'YES' ? 'null' : 'not null'}`
		);
	for (const t of Object.keys(shape)) shape[t].sort();
	return shape;
}

describe('the two engines', () => {
	let pg: TestPostgres;
	beforeAll(async () => {
		pg = await testPostgres();
	});
	afterAll(async () => {
		await pg?.close();
	});

	it('have the same tables and columns, with the same storage class and nullability', async () => {
		const sqlite = sqliteShape(openDatabase(':memory:'));
		const postgres = await postgresShape(pg);
		expect(Object.keys(postgres).sort()).toEqual(Object.keys(sqlite).sort());
		expect(postgres).toEqual(sqlite);
	});

	it('store flags as 0/1 and JSON as text on PostgreSQL, as SQLite does', async () => {
		const { users, auditLog } = pgSchema;
		await pg.db
			.insert(users)
			.values({ id: 'u1', email: 'a@b.cn', passwordHash: 'x', role: 'admin', createdAt: 1, disabled: true });
		const [user] = await pg.db.select().from(users).where(eq(users.id, 'u1'));
		expect(user.disabled).toBe(true);
		const [raw] = await pg.db.$client`SELECT disabled, pg_typeof(disabled)::text AS t FROM users`;
		expect(raw).toEqual({ disabled: 1, t: 'smallint' });
		await pg.db.insert(auditLog).values({ ts: Date.now(), action: 'test', details: { n: 1, who: '张三' } });
		const [entry] = await pg.db.select().from(auditLog);
		expect(entry.details).toEqual({ n: 1, who: '张三' });
		expect(typeof entry.id).toBe('number');
		const [count] = await pg.db.$client`SELECT COUNT(*) AS n, SUM(ts) AS s FROM audit_log`;
		expect(typeof count.n).toBe('number');
		expect(typeof count.s).toBe('number');
	});

	it('derive the PostgreSQL schema from the SQLite one (npm run db:schema-pg is up to date)', async () => {
		const script = resolve('scripts/derive-pg-schema.js');
		const { deriveAll, pgDir } = (await import(/* @vite-ignore */ script)) as {
			deriveAll: () => Promise<Map<string, string>>;
			pgDir: string;
		};
		const derived = await deriveAll();
		for (const [file, text] of derived) expect(readFileSync(join(pgDir, file), 'utf8'), file).toBe(text);
	});
});
