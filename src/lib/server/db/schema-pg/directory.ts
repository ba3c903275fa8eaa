// Derived from ../schema/directory.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { sql } from 'drizzle-orm';
import { bigint, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { jsonText } from './column-types';

export const customers = pgTable('customers', {
	id: text('id').primaryKey(),
	segment: text('segment'),
	tier: text('tier'),
	region: text('region'),
	traits: jsonText('traits')
		.$type<Record<string, unknown>>()
		.notNull()
		.default(sql`'{}'`),
	firstSeen: bigint('first_seen', { mode: 'number' }).notNull(),
	lastSeen: bigint('last_seen', { mode: 'number' }).notNull()
});

/** Teams and agents are registered the first time an event names them; an admin can name and group them. */
export const teams = pgTable('teams', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	nameEn: text('name_en'),
	site: text('site'),
	firstSeen: bigint('first_seen', { mode: 'number' }).notNull()
});

export const agents = pgTable('agents', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	teamId: text('team_id'),
	firstSeen: bigint('first_seen', { mode: 'number' }).notNull()
});

/** Other dimensions first seen in events (queues, reasons), named by an admin later. */
export const dimensionValues = pgTable(
	'dimension_values',
	{
		dimension: text('dimension').notNull(),
		value: text('value').notNull(),
		label: text('label'),
		labelEn: text('label_en'),
		firstSeen: bigint('first_seen', { mode: 'number' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.dimension, t.value] })]
);
