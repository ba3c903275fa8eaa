// Derived from ../schema/ops.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { bigint, pgTable, text } from 'drizzle-orm/pg-core';

export const opsState = pgTable('ops_state', {
	key: text('key').primaryKey(),
	value: bigint('value', { mode: 'number' }).notNull(),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
	data: text('data')
});
