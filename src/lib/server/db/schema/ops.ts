import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Small counters of operations shared between processes, e.g. `customers.deleted`: bumped by every customer
 * deletion, so writers in any process (the server's writer thread, while `npm run admin` deletes) drop their
 * in-memory customer caches before their next transaction. Statuses every process shows the same (db/ops-status.ts:
 * `journeys.restitch`, `backup`, `retention`) keep their JSON in `data`.
 */
export const opsState = sqliteTable('ops_state', {
	key: text('key').primaryKey(),
	value: integer('value').notNull(),
	updatedAt: integer('updated_at').notNull(),
	data: text('data')
});
