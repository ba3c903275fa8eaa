import { afterEach, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { openDatabase, schema, type Db } from '$lib/server/db';
import { writeEvents } from '$lib/server/ingest/writer';
import { kpis } from '$lib/server/metrics/kpis';
import { cxQuery, type CxQuery } from '$lib/server/metrics/query';
import { DAY_MS, writeHistory } from '$lib/server/testing/history';
import { customerHash, deleteCustomer } from '.';
import { textColumns } from './sqlite';
import { textColumns as pgTextColumns } from './postgres';
import { postgresStorage } from '$lib/server/db/storage';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';

/** A second SQLite database with the same rows (a backup copy), to compare what each engine removes. */
function openCopy(source: Db): Db {
	return drizzle(new Database(source.$client.serialize()), { schema }) as Db;
}

const now = Date.parse('2026-12-01T04:00:00Z');
let db: Db;
afterEach(() => db?.$client.close());

const query = (by: CxQuery['by'] = null): CxQuery =>
	cxQuery({ from: now - 20 * DAY_MS, to: now, by, grain: by === 'day' ? 'day' : null });

/** Every row of every table (from sqlite_master) with a text value naming the customer. */
function rowsNaming(customerId: string): string[] {
	const mention = new RegExp(`${customerId}(?![0-9])`);
	return textColumns(db).flatMap(({ table, column }) =>
		(
			db.$client
				.prepare(`SELECT "${column}" FROM "${table}" WHERE instr("${column}", ?) > 0`)
				.pluck()
				.all(customerId) as string[]
		)
			.filter((v) => mention.test(String(v)))
			.map((v) => `${table}.${column}: ${String(v).slice(0, 80)}`)
	);
}

describe('deleting a customer (PIPL)', { timeout: 60_000 }, () => {
	it('leaves no row naming them in any table, keeps the aggregate KPIs, is audited and idempotent', async () => {
		db = openDatabase(':memory:');
		await writeHistory(db, { customers: 30, days: 20, now });
		const target = 'cust-3';
		// A complaint-risk score (risk/), as the nightly training leaves one for every active customer.
		db.$client
			.prepare(
				`INSERT INTO risk_scores (customer_id, model_id, scored_at, score, regulator_score, team_id, reasons)
				 VALUES (?, 1, ?, 0.4, 0.01, NULL, '[]')`
			)
			.run(target, now);
		const mentions = rowsNaming(target);
		// The customer is everywhere a customer can be before.
		for (const table of [
			'events',
			'text_docs',
			'journey_instances',
			'follow_up_cases',
			'customers',
			'risk_scores'
		])
			expect(mentions.some((m) => m.startsWith(`${table}.`))).toBe(true);
		const before = {
			all: await kpis(db, query()),
			byDay: await kpis(db, query('day')),
			byTeam: await kpis(db, query('team')),
			cells: db.$client.prepare('SELECT * FROM metric_day_cells ORDER BY key').all()
		};
		const others = db.$client
			.prepare('SELECT count(*) FROM events WHERE customer_id <> ?')
			.pluck()
			.get(target);

		const result = await deleteCustomer(db, target, { id: 'u1', email: 'dpo@bank.example' }, { now });
		expect(result.customerHash).toBe(customerHash(target));
		expect(result.removed).toMatchObject({ customers: 1 });
		for (const table of [
			'events',
			'text_docs',
			'journey_instances',
			'journey_interactions',
			'follow_up_cases',
			'risk_scores'
		])
			expect(result.removed[table], table).toBeGreaterThan(0);
		expect(result.total).toBe(Object.values(result.removed).reduce((a, b) => a + b, 0));

		expect(rowsNaming(target)).toEqual([]);
		expect(db.$client.prepare('SELECT count(*) FROM events').pluck().get()).toBe(others);
		expect(await kpis(db, query())).toEqual(before.all);
		expect(await kpis(db, query('day'))).toEqual(before.byDay);
		expect(await kpis(db, query('team'))).toEqual(before.byTeam);
		expect(db.$client.prepare('SELECT * FROM metric_day_cells ORDER BY key').all()).toEqual(before.cells);

		const audited = db.$client
			.prepare("SELECT actor_email, target, details FROM audit_log WHERE action = 'customer.deleted'")
			.get() as { actor_email: string; target: string; details: string };
		expect(audited.actor_email).toBe('dpo@bank.example');
		expect(audited.target).toBe(`customer-sha256:${customerHash(target)}`);
		expect(JSON.parse(audited.details)).toEqual({ removed: result.removed, total: result.total });

		// Again: nothing left to remove.
		const again = await deleteCustomer(db, target, null, { now });
		expect(again.total).toBe(0);
		expect(Object.values(again.removed).every((n) => n === 0)).toBe(true);

		// The writer's customer cache forgot them: a new event creates the customer afresh.
		writeEvents(
			db,
			[
				{
					id: 'back',
					type: 'contact',
					ts: now - 1000,
					customerId: target,
					channel: 'phone',
					properties: {}
				} as CxEvent
			],
			{ sourceId: null }
		);
		expect(db.$client.prepare('SELECT count(*) FROM customers WHERE id = ?').pluck().get(target)).toBe(1);
	});

	it('on PostgreSQL removes the same rows, leaves no text column naming them, keeps the rollups', async () => {
		db = openDatabase(':memory:');
		await writeHistory(db, { customers: 30, days: 20, now });
		const target = 'cust-3';
		const onSqlite = await deleteCustomer(openCopy(db), target, null, { now });
		let pg: TestPostgres | undefined;
		try {
			pg = await mirrorToPostgres(db);
			const sql = pg.db.$client;
			const dayCells = () => sql`SELECT * FROM metric_day_cells ORDER BY key`;
			const cellsBefore = await dayCells();
			const [{ others }] = await sql`SELECT count(*) AS others FROM events WHERE customer_id <> ${target}`;
			const result = await deleteCustomer(
				postgresStorage(pg.db),
				target,
				{ id: 'u1', email: 'dpo@bank.example' },
				{ now }
			);
			// The same rows as on SQLite, table by table.
			expect(result.removed).toEqual(onSqlite.removed);
			expect(result.total).toBeGreaterThan(50);
			const mention = new RegExp(`${target}(?![0-9])`);
			const left: string[] = [];
			for (const { table, column } of await pgTextColumns(pg.db)) {
				const rows = await sql.unsafe(
					`SELECT "${column}" AS v FROM "${table}" WHERE strpos("${column}", $1) > 0`,
					[target]
				);
				for (const r of rows) if (mention.test(String(r.v))) left.push(`${table}.${column}`);
			}
			expect(left).toEqual([]);
			const [{ n }] = await sql`SELECT count(*) AS n FROM events`;
			expect(n).toBe(others);
			expect(await dayCells()).toEqual(cellsBefore);
			const [audited] = await sql`SELECT target FROM audit_log WHERE action = 'customer.deleted'`;
			expect(audited.target).toBe(`customer-sha256:${customerHash(target)}`);
			const [deleted] = await sql`SELECT value FROM ops_state WHERE key = 'customers.deleted'`;
			expect(deleted.value).toBe(1);
			expect((await deleteCustomer(postgresStorage(pg.db), target, null, { now })).total).toBe(0);
		} finally {
			await pg?.close();
		}
	});

	it('finds the rows through indexes (no table scan), so it stays fast at 10M events', () => {
		db = openDatabase(':memory:');
		const plan = (sql: string) =>
			(db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x', 'x') as { detail: string }[])
				.map((r) => r.detail)
				.join('; ');
		expect(
			plan(
				`SELECT seq FROM events WHERE customer_id = ? AND type = 'journey'
				 UNION ALL SELECT seq FROM events WHERE customer_id = ? AND type <> 'journey'`
			)
		).not.toMatch(/SCAN events/);
		expect(plan('SELECT id FROM journey_instances WHERE customer_id = ? OR customer_id = ?')).not.toMatch(
			/SCAN journey_instances/
		);
		expect(plan('SELECT id FROM follow_up_cases WHERE customer_id = ? OR customer_id = ?')).not.toMatch(
			/SCAN follow_up_cases/
		);
	});
});
