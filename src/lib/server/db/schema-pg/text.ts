// Derived from ../schema/text.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { sql } from 'drizzle-orm';
import { bigint, doublePrecision, index, pgTable, text } from 'drizzle-orm/pg-core';
import { flag, jsonText } from './column-types';

export const textDocs = pgTable(
	'text_docs',
	{
		/** `events.seq` of the event the text belongs to. */
		seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		ts: bigint('ts', { mode: 'number' }).notNull(),
		customerId: text('customer_id').notNull(),
		type: text('type').notNull(),
		channel: text('channel'),
		segment: text('segment'),
		journey: text('journey'),
		teamId: text('team_id'),
		metric: text('metric'),
		score: doublePrecision('score'),
		/** −1…1, null when the text has no words. */
		sentiment: doublePrecision('sentiment'),
		/** Keyword/topic terms, space-separated in text order (repeats kept). */
		terms: text('terms').notNull().default(''),
		/** The topic (text_topics.id) it was assigned to, null when it shares no term with any topic. */
		topicId: text('topic_id'),
		/** Bits of the tag kinds that matched (suggestion 1, lead 2, competitor 4, risk 8). */
		tagMask: bigint('tag_mask', { mode: 'number' }).notNull().default(0),
		/** Ids of the tag rules that matched. */
		tags: jsonText('tags')
			.$type<string[]>()
			.notNull()
			.default(sql`'[]'`)
	},
	(t) => [index('text_docs_ts').on(t.ts), index('text_docs_topic_ts').on(t.topicId, t.ts)]
);

/** Document frequencies of terms over every indexed text (the IDF of keywords), kept incrementally. */
export const textTerms = pgTable('text_terms', {
	term: text('term').primaryKey(),
	df: bigint('df', { mode: 'number' }).notNull()
});

/**
 * Topics of the current model and earlier ones (inactive topics keep labelling the texts assigned to them before a
 * refit). A refit inherits the id of the old topic it most resembles, so ids survive refits.
 */
export const textTopics = pgTable('text_topics', {
	id: text('id').primaryKey(),
	label: text('label').notNull(),
	keywords: jsonText('keywords').$type<string[]>().notNull(),
	/** The centroid's heaviest terms with their weights (enough to assign new texts). */
	centroid: jsonText('centroid').$type<Record<string, number>>().notNull(),
	/** Texts in the fitting window assigned to it when it was fitted. */
	size: bigint('size', { mode: 'number' }).notNull(),
	active: flag('active')
		.notNull()
		.default(sql`1`),
	createdAt: bigint('created_at', { mode: 'number' }).notNull(),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull()
});

/** Tagging rules (suggestions, leads, competitors, risk words), editable by an admin; seeded with defaults. */
export const textTagRules = pgTable('text_tag_rules', {
	id: text('id').primaryKey(),
	tag: text('tag').notNull(),
	label: text('label').notNull(),
	labelEn: text('label_en').notNull(),
	any: jsonText('any').$type<string[]>().notNull(),
	with: jsonText('with')
		.$type<string[]>()
		.notNull()
		.default(sql`'[]'`),
	not: jsonText('not')
		.$type<string[]>()
		.notNull()
		.default(sql`'[]'`),
	enabled: flag('enabled')
		.notNull()
		.default(sql`1`),
	position: bigint('position', { mode: 'number' }).notNull().default(0),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
	updatedBy: text('updated_by')
});

/** Small state of the text module: indexing watermark, rule and model versions, the model's idf table. */
export const textState = pgTable('text_state', {
	key: text('key').primaryKey(),
	value: jsonText('value').$type<unknown>().notNull(),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull()
});
