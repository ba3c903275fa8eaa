import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Voice of the customer (src/lib/server/text). One row per event with free text, written by the background indexer:
 * the event's dimensions copied for filtering, the analysis (sentiment, terms, tags) and the topic it belongs to.
 * The text itself stays in `events.text` (joined by `seq`), so it is stored once.
 */
export const textDocs = sqliteTable(
	'text_docs',
	{
		/** `events.seq` of the event the text belongs to. */
		seq: integer('seq').primaryKey(),
		ts: integer('ts').notNull(),
		customerId: text('customer_id').notNull(),
		type: text('type').notNull(),
		channel: text('channel'),
		segment: text('segment'),
		journey: text('journey'),
		teamId: text('team_id'),
		metric: text('metric'),
		score: real('score'),
		/** −1…1, null when the text has no words. */
		sentiment: real('sentiment'),
		/** Keyword/topic terms, space-separated in text order (repeats kept). */
		terms: text('terms').notNull().default(''),
		/** The topic (text_topics.id) it was assigned to, null when it shares no term with any topic. */
		topicId: text('topic_id'),
		/** Bits of the tag kinds that matched (suggestion 1, lead 2, competitor 4, risk 8). */
		tagMask: integer('tag_mask').notNull().default(0),
		/** Ids of the tag rules that matched. */
		tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default([])
	},
	(t) => [index('text_docs_ts').on(t.ts), index('text_docs_topic_ts').on(t.topicId, t.ts)]
);

/** Document frequencies of terms over every indexed text (the IDF of keywords), kept incrementally. */
export const textTerms = sqliteTable('text_terms', {
	term: text('term').primaryKey(),
	df: integer('df').notNull()
});

/**
 * Topics of the current model and earlier ones (inactive topics keep labelling the texts assigned to them before a
 * refit). A refit inherits the id of the old topic it most resembles, so ids survive refits.
 */
export const textTopics = sqliteTable('text_topics', {
	id: text('id').primaryKey(),
	label: text('label').notNull(),
	keywords: text('keywords', { mode: 'json' }).$type<string[]>().notNull(),
	/** The centroid's heaviest terms with their weights (enough to assign new texts). */
	centroid: text('centroid', { mode: 'json' }).$type<Record<string, number>>().notNull(),
	/** Texts in the fitting window assigned to it when it was fitted. */
	size: integer('size').notNull(),
	active: integer('active', { mode: 'boolean' }).notNull().default(true),
	createdAt: integer('created_at').notNull(),
	updatedAt: integer('updated_at').notNull()
});

/** Tagging rules (suggestions, leads, competitors, risk words), editable by an admin; seeded with defaults. */
export const textTagRules = sqliteTable('text_tag_rules', {
	id: text('id').primaryKey(),
	tag: text('tag').notNull(),
	label: text('label').notNull(),
	labelEn: text('label_en').notNull(),
	any: text('any', { mode: 'json' }).$type<string[]>().notNull(),
	with: text('with', { mode: 'json' }).$type<string[]>().notNull().default([]),
	not: text('not', { mode: 'json' }).$type<string[]>().notNull().default([]),
	enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
	position: integer('position').notNull().default(0),
	updatedAt: integer('updated_at').notNull(),
	updatedBy: text('updated_by')
});

/** Small state of the text module: indexing watermark, rule and model versions, the model's idf table. */
export const textState = sqliteTable('text_state', {
	key: text('key').primaryKey(),
	value: text('value', { mode: 'json' }).$type<unknown>().notNull(),
	updatedAt: integer('updated_at').notNull()
});

export type TextDocRow = typeof textDocs.$inferSelect;
export type TextTopicRow = typeof textTopics.$inferSelect;
export type TextTagRuleRow = typeof textTagRules.$inferSelect;
