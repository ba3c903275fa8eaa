import type { Db } from '$lib/server/db';
import { analyzeText, tagsOfText } from './analyze';
import { compiledTagRules } from './rules';
import { readState, writeState } from './state';
import { tagMask, tagRuleIds } from './tags';
import { DocumentFrequencies } from './tfidf';
import {
	assignTopic,
	fitTopics,
	inheritTopicIds,
	samplePositions,
	topicLabel,
	type FitOptions,
	type TopicModel
} from './topic-model';

const dfByDb = new WeakMap<Db, DocumentFrequencies>();

/** The corpus document frequencies (loaded from `text_terms` once per process, then kept up to date in memory). */
export function documentFrequencies(db: Db): DocumentFrequencies {
	let df = dfByDb.get(db);
	if (df) return df;
	df = new DocumentFrequencies();
	df.docs = readState(db, 'docs', 0);
	for (const row of db.$client.prepare('SELECT term, df FROM text_terms').iterate() as Iterable<{
		term: string;
		df: number;
	}>)
		df.df.set(row.term, row.df);
	dfByDb.set(db, df);
	return df;
}

const modelByDb = new WeakMap<Db, TopicModel | null>();

/** The current topic model (null before the first fit). */
export function currentModel(db: Db): TopicModel | null {
	if (modelByDb.has(db)) return modelByDb.get(db) ?? null;
	const model = readState<TopicModel | null>(db, 'model', null);
	modelByDb.set(db, model);
	return model;
}

interface EventTextRow {
	seq: number;
	ts: number;
	customer_id: string;
	type: string;
	channel: string | null;
	segment: string | null;
	journey: string | null;
	team_id: string | null;
	metric: string | null;
	score: number | null;
	text: string;
	sentiment: number | null;
}

/**
 * Indexes up to `limit` texts not indexed yet (events with text, after the watermark): analyzes each outside the
 * transaction, then in one short transaction writes their `text_docs` rows, fills `events.sentiment` where the
 * writer left it null, updates the document frequencies, assigns topics under the current model and moves the
 * watermark. Returns how many texts it indexed (0 when up to date).
 */
export function indexTextBatch(db: Db, limit = 2000): number {
	const c = db.$client;
	const watermark = readState(db, 'watermark', 0);
	const rows = c
		.prepare(
			`SELECT seq, ts, customer_id, type, channel, segment, journey, team_id, metric, score, text, sentiment
			 FROM events WHERE seq > ? AND text IS NOT NULL AND text <> '' ORDER BY seq LIMIT ?`
		)
		.all(watermark, limit) as EventTextRow[];
	if (rows.length === 0) return 0;
	const rules = compiledTagRules(db);
	const model = currentModel(db);
	const analyzed = rows.map((r) => {
		const a = analyzeText(r.text, rules.compiled);
		return {
			row: r,
			sentiment: a.sentiment,
			terms: a.terms,
			mask: tagMask(a.tags),
			tags: tagRuleIds(a.tags),
			topic: model ? assignTopic(a.terms, model) : null
		};
	});
	const df = documentFrequencies(db);
	const increments = new Map<string, number>();
	for (const a of analyzed) for (const t of new Set(a.terms)) increments.set(t, (increments.get(t) ?? 0) + 1);

	const insert = c.prepare(
		`INSERT OR IGNORE INTO text_docs (seq, ts, customer_id, type, channel, segment, journey, team_id, metric, score,
		   sentiment, terms, topic_id, tag_mask, tags)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const fillSentiment = c.prepare('UPDATE events SET sentiment = ? WHERE seq = ? AND sentiment IS NULL');
	const bumpTerm = c.prepare(
		'INSERT INTO text_terms (term, df) VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET df = df + excluded.df'
	);
	c.transaction(() => {
		for (const a of analyzed) {
			const r = a.row;
			insert.run(
				r.seq,
				r.ts,
				r.customer_id,
				r.type,
				r.channel,
				r.segment,
				r.journey,
				r.team_id,
				r.metric,
				r.score,
				a.sentiment,
				a.terms.join(' '),
				a.topic,
				a.mask,
				JSON.stringify(a.tags)
			);
			if (r.sentiment === null && a.sentiment !== null) fillSentiment.run(a.sentiment, r.seq);
		}
		for (const [term, n] of increments) bumpTerm.run(term, n);
		writeState(db, 'docs', df.docs + rows.length);
		writeState(db, 'watermark', rows[rows.length - 1].seq);
		if (readState(db, 'tagged_version', 0) === 0) writeState(db, 'tagged_version', rules.version);
	}).immediate();
	// Memory follows the database only once the transaction has committed.
	df.docs += rows.length;
	for (const [term, n] of increments) df.df.set(term, (df.df.get(term) ?? 0) + n);
	return rows.length;
}

/**
 * Re-tags up to `limit` indexed texts after `afterSeq` with the current rules (after an admin changed them).
 * Returns the last seq handled, or null when every text has been re-tagged.
 */
export function retagBatch(db: Db, afterSeq: number, limit = 5000): number | null {
	const c = db.$client;
	const rows = c
		.prepare(
			`SELECT d.seq, e.text FROM text_docs d JOIN events e ON e.seq = d.seq
			 WHERE d.seq > ? ORDER BY d.seq LIMIT ?`
		)
		.all(afterSeq, limit) as { seq: number; text: string | null }[];
	if (rows.length === 0) return null;
	const { compiled } = compiledTagRules(db);
	const update = c.prepare('UPDATE text_docs SET tag_mask = ?, tags = ? WHERE seq = ?');
	const results = rows.map((r) => {
		const hits = tagsOfText(r.text ?? '', compiled);
		return [tagMask(hits), JSON.stringify(tagRuleIds(hits)), r.seq] as const;
	});
	c.transaction(() => {
		for (const r of results) update.run(...r);
	}).immediate();
	return rows[rows.length - 1].seq;
}

export interface RefitOptions extends FitOptions {
	/** Texts of the last `windowDays` days (before the newest text) are clustered. */
	windowDays?: number;
	/** At most this many texts are clustered (a seeded sample); all texts in the window are then assigned. */
	maxFitDocs?: number;
}

const DAY_MS = 86_400_000;

/**
 * Fits a new topic model on the recent window and stores it: topics inherit the ids of the old topics they
 * resemble; old topics without a successor are kept, inactive, so older texts stay labelled. The texts of the
 * window are then reassigned by the caller (`reassignBatch`). Returns the model (null when there is no text).
 */
export function refitTopicModel(db: Db, options: RefitOptions = {}): TopicModel | null {
	const c = db.$client;
	const newest = (c.prepare('SELECT max(ts) AS ts FROM text_docs').get() as { ts: number | null }).ts;
	if (newest === null) return null;
	const windowTo = newest + 1;
	const windowFrom = windowTo - (options.windowDays ?? 30) * DAY_MS;
	const rows = c
		.prepare(`SELECT terms FROM text_docs WHERE ts >= ? AND ts < ? AND terms <> '' ORDER BY seq`)
		.all(windowFrom, windowTo) as { terms: string }[];
	if (rows.length === 0) return null;
	const seed = options.seed ?? 42;
	const sample = samplePositions(rows.length, options.maxFitDocs ?? 20_000, seed);
	const documents = sample.map((i) => rows[i].terms.split(' '));
	const fit = fitTopics(documents, { ...options, seed });

	const old = (
		c.prepare('SELECT id, centroid FROM text_topics WHERE active = 1').all() as {
			id: string;
			centroid: string;
		}[]
	).map((r) => ({ id: r.id, centroid: JSON.parse(r.centroid) as Record<string, number> }));
	const { ids, nextId } = inheritTopicIds(fit.topics, old, readState(db, 'next_topic_id', 1));
	const previous = currentModel(db);
	const now = Date.now();
	const model: TopicModel = {
		version: (previous?.version ?? 0) + 1,
		fittedAt: now,
		windowFrom,
		windowTo,
		docs: documents.length,
		idf: fit.idf,
		minSimilarity: 0.1,
		topics: fit.topics.map((t, i) => ({
			id: ids[i],
			label: topicLabel(t.keywords),
			keywords: t.keywords,
			centroid: t.centroid,
			size: t.members.length
		}))
	};
	const upsert = c.prepare(
		`INSERT INTO text_topics (id, label, keywords, centroid, size, active, created_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, 1, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET label = excluded.label, keywords = excluded.keywords,
		   centroid = excluded.centroid, size = excluded.size, active = 1, updated_at = excluded.updated_at`
	);
	c.transaction(() => {
		c.prepare('UPDATE text_topics SET active = 0 WHERE active = 1').run();
		for (const t of model.topics)
			upsert.run(t.id, t.label, JSON.stringify(t.keywords), JSON.stringify(t.centroid), t.size, now, now);
		writeState(db, 'model', model);
		writeState(db, 'next_topic_id', nextId);
	}).immediate();
	modelByDb.set(db, model);
	return model;
}

/**
 * Reassigns up to `limit` texts of the model's window after `afterSeq` to the model's topics.
 * Returns the last seq handled, or null when the window is done.
 */
export function reassignBatch(db: Db, model: TopicModel, afterSeq: number, limit = 5000): number | null {
	const c = db.$client;
	const rows = c
		.prepare(
			`SELECT seq, terms, topic_id FROM text_docs WHERE seq > ? AND ts >= ? AND ts < ? ORDER BY seq LIMIT ?`
		)
		.all(afterSeq, model.windowFrom, model.windowTo, limit) as {
		seq: number;
		terms: string;
		topic_id: string | null;
	}[];
	if (rows.length === 0) return null;
	const update = c.prepare('UPDATE text_docs SET topic_id = ? WHERE seq = ?');
	const changes: [string | null, number][] = [];
	for (const r of rows) {
		const topic = assignTopic(r.terms ? r.terms.split(' ') : [], model);
		if (topic !== r.topic_id) changes.push([topic, r.seq]);
	}
	c.transaction(() => {
		for (const ch of changes) update.run(...ch);
	}).immediate();
	return rows[rows.length - 1].seq;
}

/** Forgets what this process cached for a database (tests that reopen, or after a restore). */
export function forgetCaches(db: Db): void {
	dfByDb.delete(db);
	modelByDb.delete(db);
}
