/**
 * PostgreSQL's side of deleting one customer's personal data (beside sqlite.ts): the same tables in the same order,
 * in one transaction, each delete through an index on the customer.
 */
import type { PgDb } from '$lib/server/db/postgres';
import type { RemovedRows } from './sqlite';

export async function deleteCustomerRows(db: PgDb, customerId: string, now: number): Promise<RemovedRows> {
	return db.$client.begin(async (sql) => {
		const ids = async (query: Promise<{ id: number }[]>) => (await query).map((r) => r.id);
		const seqs = await ids(sql`
			SELECT seq AS id FROM events WHERE customer_id = ${customerId} AND type = 'journey'
			UNION ALL SELECT seq AS id FROM events WHERE customer_id = ${customerId} AND type <> 'journey'`);
		const instances = await ids(sql`SELECT id FROM journey_instances WHERE customer_id = ${customerId}`);
		const cases = await ids(sql`SELECT id FROM follow_up_cases WHERE customer_id = ${customerId}`);
		const removed: RemovedRows = {
			text_docs: (await sql`DELETE FROM text_docs WHERE seq = ANY(${seqs}::bigint[])`).count,
			journey_interactions: (
				await sql`DELETE FROM journey_interactions WHERE instance_id = ANY(${instances}::bigint[])`
			).count,
			journey_instances: (await sql`DELETE FROM journey_instances WHERE id = ANY(${instances}::bigint[])`)
				.count,
			case_notes: (await sql`DELETE FROM case_notes WHERE case_id = ANY(${cases}::bigint[])`).count,
			follow_up_cases: (await sql`DELETE FROM follow_up_cases WHERE id = ANY(${cases}::bigint[])`).count,
			audience_members: (await sql`DELETE FROM audience_members WHERE customer_id = ${customerId}`).count,
			risk_scores: (await sql`DELETE FROM risk_scores WHERE customer_id = ${customerId}`).count,
			events: (await sql`DELETE FROM events WHERE seq = ANY(${seqs}::bigint[])`).count,
			customers: (await sql`DELETE FROM customers WHERE id = ${customerId}`).count
		};
		// Every process's writer drops its customer cache when this counter moves (ingest/writer.ts).
		await sql`
			INSERT INTO ops_state (key, value, updated_at) VALUES ('customers.deleted', 1, ${now})
			ON CONFLICT (key) DO UPDATE SET value = ops_state.value + 1, updated_at = excluded.updated_at`;
		return removed;
	});
}

/** Every text column of every table, from information_schema, so tables added later are covered (for the test). */
export async function textColumns(db: PgDb): Promise<{ table: string; column: string }[]> {
	const rows = await db.$client<{ table: string; column: string }[]>`
		SELECT table_name AS table, column_name AS column FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character')
		ORDER BY table_name, column_name`;
	return rows.map((r) => ({ table: r.table, column: r.column }));
}
