// Derived from ../schema/value.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { bigint, pgTable, text } from 'drizzle-orm/pg-core';
import { jsonText } from './column-types';

export const valueSettings = pgTable('value_settings', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	/** China midnight of the first day the rates apply (unique: a second PUT for the same day replaces it). */
	effectiveFrom: bigint('effective_from', { mode: 'number' }).notNull().unique(),
	/** The rates as PUT /api/v1/value/settings takes them (value/rates.ts `Rates`), yuan. */
	rates: jsonText('rates').$type<Record<string, unknown>>().notNull(),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
	updatedBy: text('updated_by')
});
