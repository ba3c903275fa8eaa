import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The value ledger's unit costs and values (issue 20, DOMAIN.md "Cost and value ledger"; src/lib/server/value).
 * One row per version: a version applies from its effective day (China midnight, epoch ms) until the next one, so a
 * change of rates never rewrites the months before it.
 */
export const valueSettings = sqliteTable('value_settings', {
	id: integer('id').primaryKey(),
	/** China midnight of the first day the rates apply (unique: a second PUT for the same day replaces it). */
	effectiveFrom: integer('effective_from').notNull().unique(),
	/** The rates as PUT /api/v1/value/settings takes them (value/rates.ts `Rates`), yuan. */
	rates: text('rates', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
	updatedAt: integer('updated_at').notNull(),
	updatedBy: text('updated_by')
});

export type ValueSettingsRow = typeof valueSettings.$inferSelect;
