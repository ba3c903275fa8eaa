import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Customers: created empty when first seen, traits filled by `identify` events. The table is WITHOUT ROWID
 * (migration 0009, which drizzle-kit cannot express): keyed by the text id alone, a new customer costs one B-tree
 * insert instead of two. A later generated migration that rebuilds this table must keep `WITHOUT ROWID`.
 */
export const customers = sqliteTable('customers', {
	id: text('id').primaryKey(),
	segment: text('segment'),
	tier: text('tier'),
	region: text('region'),
	traits: text('traits', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
	firstSeen: integer('first_seen').notNull(),
	lastSeen: integer('last_seen').notNull()
});

/** Teams and agents are registered the first time an event names them; an admin can name and group them. */
export const teams = sqliteTable('teams', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	nameEn: text('name_en'),
	site: text('site'),
	firstSeen: integer('first_seen').notNull()
});

export const agents = sqliteTable('agents', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	teamId: text('team_id'),
	firstSeen: integer('first_seen').notNull()
});

/** Other dimensions first seen in events (queues, reasons), named by an admin later. */
export const dimensionValues = sqliteTable(
	'dimension_values',
	{
		dimension: text('dimension').notNull(),
		value: text('value').notNull(),
		label: text('label'),
		labelEn: text('label_en'),
		firstSeen: integer('first_seen').notNull()
	},
	(t) => [primaryKey({ columns: [t.dimension, t.value] })]
);
