/**
 * SQLite's side of deleting one customer's personal data (postgres.ts beside it). Every
 * delete goes through an index on the customer, so it costs the customer's own rows, not the table's size.
 */
import type { Db } from '$lib/server/db';

/** Rows removed per table. */
export type RemovedRows = Record<string, number>;

/**
 * Deletes the customer's events (through the two partial per-customer indexes), the text documents of those events,
 * their journey instances with what was attached to them, their follow-up cases with their notes and the customer
 * row, in one transaction; bumps `customers.deleted` so every writer drops its customer cache. Rollups are kept:
 * they hold counts, not customers.
 */
export function deleteCustomerRows(db: Db, customerId: string, now: number): RemovedRows {
	const c = db.$client;
	const run = (sql: string, ...params: unknown[]) => c.prepare(sql).run(...params).changes;
	return c
		.transaction(() => {
			const seqs = JSON.stringify(
				c
					.prepare(
						`SELECT seq FROM events WHERE customer_id = ? AND type = 'journey'
						 UNION ALL SELECT seq FROM events WHERE customer_id = ? AND type <> 'journey'`
					)
					.pluck()
					.all(customerId, customerId)
			);
			const instances = JSON.stringify(
				c.prepare('SELECT id FROM journey_instances WHERE customer_id = ?').pluck().all(customerId)
			);
			const cases = JSON.stringify(
				c.prepare('SELECT id FROM follow_up_cases WHERE customer_id = ?').pluck().all(customerId)
			);
			const removed: RemovedRows = {
				text_docs: run('DELETE FROM text_docs WHERE seq IN (SELECT value FROM json_each(?))', seqs),
				journey_interactions: run(
					'DELETE FROM journey_interactions WHERE instance_id IN (SELECT value FROM json_each(?))',
					instances
				),
				journey_instances: run(
					'DELETE FROM journey_instances WHERE id IN (SELECT value FROM json_each(?))',
					instances
				),
				case_notes: run('DELETE FROM case_notes WHERE case_id IN (SELECT value FROM json_each(?))', cases),
				follow_up_cases: run(
					'DELETE FROM follow_up_cases WHERE id IN (SELECT value FROM json_each(?))',
					cases
				),
				audience_members: run('DELETE FROM audience_members WHERE customer_id = ?', customerId),
				risk_scores: run('DELETE FROM risk_scores WHERE customer_id = ?', customerId),
				events: run('DELETE FROM events WHERE seq IN (SELECT value FROM json_each(?))', seqs),
				customers: run('DELETE FROM customers WHERE id = ?', customerId)
			};
			run(
				`INSERT INTO ops_state (key, value, updated_at) VALUES ('customers.deleted', 1, ?)
				 ON CONFLICT (key) DO UPDATE SET value = value + 1, updated_at = excluded.updated_at`,
				now
			);
			return removed;
		})
		.immediate();
}

/**
 * Every (table, column) of the schema that could hold the customer id: text columns of every table, read from
 * sqlite_master, so tables added later are covered. For the test that proves a deletion complete.
 */
export function textColumns(db: Db): { table: string; column: string }[] {
	const c = db.$client;
	const tables = c
		.prepare(
			`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`
		)
		.pluck()
		.all() as string[];
	return tables.flatMap((table) =>
		(c.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(table) as { name: string; type: string }[])
			.filter((col) => /TEXT|CHAR|CLOB|^$/i.test(col.type))
			.map((col) => ({ table, column: col.name }))
	);
}
