import type postgres from 'postgres';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { SENTIMENT_BAND } from '$lib/model';
import { TAG_BITS, TAG_KINDS, type TagKind } from './tags';

/**
 * The text module's storage, one implementation per engine (db/storage.ts), chosen once with `byEngine`. The SQLite
 * implementation keeps the module's SQL as it was (synchronous statements in async functions); the PostgreSQL one
 * asks the same questions where the dialects differ: boolean sums become `count(*) FILTER (…)`, `json_each` becomes
 * `jsonb_array_elements_text`, LIKE on terms is ILIKE without an escape character (SQLite's LIKE ignores ASCII case
 * and has no default escape), an empty team scope is `false`, and a text's batch is written with one statement
 * per table (rows passed as JSON) rather than one per row.
 */

/** Keys of `text_state`. */
export type StateKey =
	| 'watermark'
	| 'rules_version'
	| 'tagged_version'
	| 'rules_seeded'
	| 'model'
	| 'next_topic_id'
	| 'docs'
	| 'docs_at_fit';

type Param = string | number;

/** The filters of a read (the period is passed on its own). */
export interface TextFilter {
	segment?: string | null;
	journey?: string | null;
	channel?: string | null;
	teams?: readonly string[] | null;
}

export interface EventTextRow {
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

/** One `text_docs` row as the indexer writes it. */
export interface TextDocInsert {
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
	sentiment: number | null;
	terms: string;
	topic_id: string | null;
	tag_mask: number;
	tags: string;
}

export interface IndexBatch {
	docs: TextDocInsert[];
	/** events.sentiment to fill where the writer left it null: [sentiment, seq]. */
	fills: [number, number][];
	/** Document-frequency increments: [term, texts]. */
	increments: [string, number][];
	/** State written in the same transaction. */
	state: [StateKey, unknown][];
	/** Written as `tagged_version` only when none is stored yet. */
	taggedVersionIfUnset: number;
}

export interface TopicUpsert {
	id: string;
	label: string;
	keywords: string;
	centroid: string;
	size: number;
}

export interface RuleRow {
	id: string;
	tag: string;
	label: string;
	label_en: string;
	any: string;
	with: string;
	not: string;
	enabled: number;
}

export interface RuleInsert {
	id: string;
	tag: string;
	label: string;
	labelEn: string;
	any: string;
	with: string;
	not: string;
	enabled: number;
}

export interface TopicRow {
	id: string;
	label: string;
	keywords: string;
	active: number;
}

export interface AggregateRow {
	topic: string | null;
	n: number;
	scored: number;
	mean: number | null;
	positive: number;
	negative: number;
	suggestion: number;
	lead: number;
	competitor: number;
	risk: number;
}

export interface CommentRow {
	seq: number;
	id: string;
	ts: number;
	customer_id: string;
	type: string;
	channel: string | null;
	segment: string | null;
	journey: string | null;
	team_id: string | null;
	metric: string | null;
	score: number | null;
	sentiment: number | null;
	topic_id: string | null;
	terms: string;
	text: string | null;
}

/** The comment explorer's conditions beyond the period and filters. */
export interface CommentConditions {
	topic?: string | null;
	sentimentMin?: number | null;
	sentimentMax?: number | null;
	tag?: TagKind | null;
	rule?: string | null;
	term?: string | null;
	cursor?: { ts: number; seq: number } | null;
	limit: number;
}

export interface Period extends TextFilter {
	from: number;
	to: number;
}

export interface TextStore {
	// state
	readState(key: StateKey): Promise<string | undefined>;
	/** When a key was last written (null when never): lets a process see another process's writes. */
	stateWrittenAt(key: StateKey): Promise<number | null>;
	writeState(key: StateKey, value: unknown): Promise<void>;
	// indexer
	terms(): Promise<{ term: string; df: number }[]>;
	unindexed(watermark: number, limit: number): Promise<EventTextRow[]>;
	commitIndex(batch: IndexBatch): Promise<void>;
	/**
	 * After a large indexing pass: the planner's statistics of text_docs refreshed (PostgreSQL: ANALYZE; a report
	 * planned on the statistics of a nearly empty table ran past the statement timeout). SQLite: nothing.
	 */
	refreshStatistics(): Promise<void>;
	retagRows(afterSeq: number, limit: number): Promise<{ seq: number; text: string | null }[]>;
	updateTags(rows: (readonly [number, string, number])[]): Promise<void>;
	newestTs(): Promise<number | null>;
	windowTerms(from: number, to: number): Promise<{ terms: string }[]>;
	activeCentroids(): Promise<{ id: string; centroid: string }[]>;
	commitModel(topics: TopicUpsert[], now: number, state: [StateKey, unknown][]): Promise<void>;
	reassignRows(
		afterSeq: number,
		from: number,
		to: number,
		limit: number
	): Promise<{ seq: number; terms: string; topic_id: string | null }[]>;
	updateTopics(changes: [string | null, number][]): Promise<void>;
	// rules
	ruleRows(): Promise<RuleRow[]>;
	/**
	 * Replaces the rule set and moves `rules_version`, marking the rules seeded, in one transaction. With
	 * `onlyIfUnseeded` nothing happens when they were seeded already (false returned).
	 */
	replaceRules(
		rules: RuleInsert[],
		actor: string | null,
		now: number,
		onlyIfUnseeded: boolean
	): Promise<boolean>;
	// reads
	topicCatalog(): Promise<TopicRow[]>;
	growthRows(
		q: Period,
		weekStart: number
	): Promise<{ topic: string | null; current: number; previous: number }[]>;
	aggregates(q: Period): Promise<AggregateRow[]>;
	trendRows(q: Period): Promise<{ topic: string; day: number; n: number }[]>;
	npsRows(q: Period): Promise<{ topic: string; promoters: number; detractors: number; n: number }[]>;
	keywordDocs(q: Period): Promise<{ ts: number; terms: string }[]>;
	commentRows(q: Period, c: CommentConditions): Promise<CommentRow[]>;
	tagCounts(q: Period): Promise<Record<TagKind, number> & { total: number }>;
	tagRuleCounts(q: Period, tag: TagKind | null | undefined): Promise<{ rule: string; count: number }[]>;
	textJourneys(limit: number): Promise<string[]>;
}

const DAY_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** SQL conditions on `text_docs d` for the filters (not the period), with their parameters. */
function filterSql(q: TextFilter, none: string, alias = 'd'): { sql: string; params: Param[] } {
	const parts: string[] = [];
	const params: Param[] = [];
	for (const [column, value] of [
		['segment', q.segment],
		['journey', q.journey],
		['channel', q.channel]
	] as const) {
		if (value) {
			parts.push(`${alias}.${column} = ?`);
			params.push(value);
		}
	}
	if (q.teams) {
		if (q.teams.length === 0) parts.push(none);
		else {
			parts.push(`${alias}.team_id IN (${q.teams.map(() => '?').join(', ')})`);
			params.push(...q.teams);
		}
	}
	return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
}

const STATE_UPSERT = `INSERT INTO text_state (key, value, updated_at) VALUES (?, ?, ?)
	 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;
const TOPIC_UPSERT = `INSERT INTO text_topics (id, label, keywords, centroid, size, active, created_at, updated_at)
	 VALUES (?, ?, ?, ?, ?, 1, ?, ?)
	 ON CONFLICT (id) DO UPDATE SET label = excluded.label, keywords = excluded.keywords,
	   centroid = excluded.centroid, size = excluded.size, active = 1, updated_at = excluded.updated_at`;
const UNINDEXED = `SELECT seq, ts, customer_id, type, channel, segment, journey, team_id, metric, score, text, sentiment
	 FROM events WHERE seq > ? AND text IS NOT NULL AND text <> '' ORDER BY seq LIMIT ?`;
const RETAG_ROWS = `SELECT d.seq, e.text FROM text_docs d JOIN events e ON e.seq = d.seq
	 WHERE d.seq > ? ORDER BY d.seq LIMIT ?`;
const WINDOW_TERMS = `SELECT terms FROM text_docs WHERE ts >= ? AND ts < ? AND terms <> '' ORDER BY seq`;
const REASSIGN_ROWS = `SELECT seq, terms, topic_id FROM text_docs WHERE seq > ? AND ts >= ? AND ts < ? ORDER BY seq LIMIT ?`;
const COMMENT_COLUMNS = `SELECT d.seq, e.id, d.ts, d.customer_id, d.type, d.channel, d.segment, d.journey, d.team_id, d.metric, d.score,
	   d.sentiment, d.topic_id, d.terms, e.text
	 FROM text_docs d JOIN events e ON e.seq = d.seq`;

/** The comment explorer's WHERE beyond the period and filters, in either dialect. */
function commentWhere(
	c: CommentConditions,
	dialect: { rule: string; term: string }
): { where: string[]; params: Param[] } {
	const where: string[] = [];
	const params: Param[] = [];
	if (c.topic) {
		where.push('d.topic_id = ?');
		params.push(c.topic);
	}
	if (c.sentimentMin !== null && c.sentimentMin !== undefined) {
		where.push('d.sentiment >= ?');
		params.push(c.sentimentMin);
	}
	if (c.sentimentMax !== null && c.sentimentMax !== undefined) {
		where.push('d.sentiment <= ?');
		params.push(c.sentimentMax);
	}
	if (c.tag) where.push(`(d.tag_mask & ${TAG_BITS[c.tag]}) <> 0`);
	if (c.rule) {
		where.push(dialect.rule);
		params.push(c.rule);
	}
	if (c.term) {
		where.push(dialect.term);
		params.push(`% ${c.term.replace(/[%_]/g, '')} %`);
	}
	if (c.cursor) {
		where.push('(d.ts < ? OR (d.ts = ? AND d.seq < ?))');
		params.push(c.cursor.ts, c.cursor.ts, c.cursor.seq);
	}
	return { where, params };
}

function sqliteTextStore(db: Db): TextStore {
	const c = db.$client;
	const readState = (key: StateKey) =>
		(c.prepare('SELECT value FROM text_state WHERE key = ?').get(key) as { value: string } | undefined)
			?.value;
	const writeState = (key: StateKey, value: unknown) =>
		c.prepare(STATE_UPSERT).run(key, JSON.stringify(value), Date.now());
	const filter = (q: TextFilter, alias?: string) => filterSql(q, '0', alias);
	return {
		async refreshStatistics() {},
		async readState(key) {
			return readState(key);
		},
		async stateWrittenAt(key) {
			const row = c.prepare('SELECT updated_at FROM text_state WHERE key = ?').get(key) as
				{ updated_at: number } | undefined;
			return row?.updated_at ?? null;
		},
		async writeState(key, value) {
			writeState(key, value);
		},
		async terms() {
			return c.prepare('SELECT term, df FROM text_terms').all() as { term: string; df: number }[];
		},
		async unindexed(watermark, limit) {
			return c.prepare(UNINDEXED).all(watermark, limit) as EventTextRow[];
		},
		async commitIndex(batch) {
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
				for (const d of batch.docs)
					insert.run(
						d.seq,
						d.ts,
						d.customer_id,
						d.type,
						d.channel,
						d.segment,
						d.journey,
						d.team_id,
						d.metric,
						d.score,
						d.sentiment,
						d.terms,
						d.topic_id,
						d.tag_mask,
						d.tags
					);
				for (const f of batch.fills) fillSentiment.run(...f);
				for (const [term, n] of batch.increments) bumpTerm.run(term, n);
				for (const [key, value] of batch.state) writeState(key, value);
				if (readState('tagged_version') === undefined || readState('tagged_version') === '0')
					writeState('tagged_version', batch.taggedVersionIfUnset);
			}).immediate();
		},
		async retagRows(afterSeq, limit) {
			return c.prepare(RETAG_ROWS).all(afterSeq, limit) as { seq: number; text: string | null }[];
		},
		async updateTags(rows) {
			const update = c.prepare('UPDATE text_docs SET tag_mask = ?, tags = ? WHERE seq = ?');
			c.transaction(() => {
				for (const r of rows) update.run(...r);
			}).immediate();
		},
		async newestTs() {
			return (c.prepare('SELECT max(ts) AS ts FROM text_docs').get() as { ts: number | null }).ts;
		},
		async windowTerms(from, to) {
			return c.prepare(WINDOW_TERMS).all(from, to) as { terms: string }[];
		},
		async activeCentroids() {
			return c.prepare('SELECT id, centroid FROM text_topics WHERE active = 1').all() as {
				id: string;
				centroid: string;
			}[];
		},
		async commitModel(topics, now, state) {
			const upsert = c.prepare(TOPIC_UPSERT);
			c.transaction(() => {
				c.prepare('UPDATE text_topics SET active = 0 WHERE active = 1').run();
				for (const t of topics) upsert.run(t.id, t.label, t.keywords, t.centroid, t.size, now, now);
				for (const [key, value] of state) writeState(key, value);
			}).immediate();
		},
		async reassignRows(afterSeq, from, to, limit) {
			return c.prepare(REASSIGN_ROWS).all(afterSeq, from, to, limit) as {
				seq: number;
				terms: string;
				topic_id: string | null;
			}[];
		},
		async updateTopics(changes) {
			const update = c.prepare('UPDATE text_docs SET topic_id = ? WHERE seq = ?');
			c.transaction(() => {
				for (const ch of changes) update.run(...ch);
			}).immediate();
		},
		async ruleRows() {
			return c.prepare('SELECT * FROM text_tag_rules ORDER BY position, id').all() as RuleRow[];
		},
		async replaceRules(rules, actor, now, onlyIfUnseeded) {
			const insert = c.prepare(
				`INSERT INTO text_tag_rules (id, tag, label, label_en, any, "with", "not", enabled, position, updated_at, updated_by)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
			);
			return c
				.transaction(() => {
					if (onlyIfUnseeded && JSON.parse(readState('rules_seeded') ?? 'false')) return false;
					c.prepare('DELETE FROM text_tag_rules').run();
					rules.forEach((r, i) =>
						insert.run(r.id, r.tag, r.label, r.labelEn, r.any, r.with, r.not, r.enabled, i, now, actor)
					);
					writeState('rules_version', (JSON.parse(readState('rules_version') ?? '0') as number) + 1);
					writeState('rules_seeded', true);
					return true;
				})
				.immediate();
		},
		async topicCatalog() {
			return c.prepare('SELECT id, label, keywords, active FROM text_topics').all() as TopicRow[];
		},
		async growthRows(q, weekStart) {
			const f = filter(q);
			return c
				.prepare(
					`SELECT d.topic_id AS topic, sum(d.ts >= ?) AS current, sum(d.ts < ?) AS previous FROM text_docs d
					 WHERE d.ts >= ? AND d.ts < ?${f.sql} GROUP BY d.topic_id`
				)
				.all(weekStart, weekStart, q.from, q.to, ...f.params) as {
				topic: string | null;
				current: number;
				previous: number;
			}[];
		},
		async aggregates(q) {
			const f = filter(q);
			return c
				.prepare(
					`SELECT d.topic_id AS topic, count(*) AS n, count(d.sentiment) AS scored, avg(d.sentiment) AS mean,
					   coalesce(sum(d.sentiment > ${SENTIMENT_BAND}), 0) AS positive,
					   coalesce(sum(d.sentiment < -${SENTIMENT_BAND}), 0) AS negative,
					   sum((d.tag_mask & ${TAG_BITS.suggestion}) <> 0) AS suggestion, sum((d.tag_mask & ${TAG_BITS.lead}) <> 0) AS lead,
					   sum((d.tag_mask & ${TAG_BITS.competitor}) <> 0) AS competitor, sum((d.tag_mask & ${TAG_BITS.risk}) <> 0) AS risk
					 FROM text_docs d WHERE d.ts >= ? AND d.ts < ?${f.sql} GROUP BY d.topic_id`
				)
				.all(q.from, q.to, ...f.params) as AggregateRow[];
		},
		async trendRows(q) {
			const f = filter(q);
			return c
				.prepare(
					`SELECT d.topic_id AS topic, (d.ts + ${DAY_OFFSET_MS}) / ${DAY_MS} AS day, count(*) AS n FROM text_docs d
					 WHERE d.ts >= ? AND d.ts < ? AND d.topic_id IS NOT NULL${f.sql} GROUP BY d.topic_id, day`
				)
				.all(q.from, q.to, ...f.params) as { topic: string; day: number; n: number }[];
		},
		async npsRows(q) {
			const f = filter(q);
			const npsFilter = filter({ teams: q.teams }, 'e');
			return c
				.prepare(
					`WITH d AS (SELECT DISTINCT d.topic_id, d.customer_id FROM text_docs d
					   WHERE d.ts >= ? AND d.ts < ? AND d.topic_id IS NOT NULL${f.sql}),
					 c AS (SELECT DISTINCT customer_id FROM d),
					 n AS (SELECT e.customer_id, e.score,
					   row_number() OVER (PARTITION BY e.customer_id ORDER BY e.ts DESC, e.seq DESC) AS rn
					   FROM c JOIN events e ON e.customer_id = c.customer_id
					   WHERE e.type <> 'journey' AND e.type = 'feedback' AND e.metric = 'nps' AND e.score IS NOT NULL
					     AND e.ts >= ? AND e.ts < ?${npsFilter.sql})
					 SELECT d.topic_id AS topic, sum(n.score >= 9) AS promoters, sum(n.score <= 6) AS detractors, count(*) AS n
					 FROM d JOIN n ON n.customer_id = d.customer_id AND n.rn = 1 GROUP BY d.topic_id`
				)
				.all(q.from, q.to, ...f.params, q.from, q.to, ...npsFilter.params) as {
				topic: string;
				promoters: number;
				detractors: number;
				n: number;
			}[];
		},
		async keywordDocs(q) {
			const f = filter(q);
			return c
				.prepare(
					`SELECT d.ts, d.terms FROM text_docs d WHERE d.ts >= ? AND d.ts < ? AND d.terms <> ''${f.sql}`
				)
				.all(q.from, q.to, ...f.params) as { ts: number; terms: string }[];
		},
		async commentRows(q, conditions) {
			const f = filter(q);
			const { where, params } = commentWhere(conditions, {
				rule: 'EXISTS (SELECT 1 FROM json_each(d.tags) WHERE value = ?)',
				term: `(' ' || d.terms || ' ') LIKE ?`
			});
			return c
				.prepare(
					`${COMMENT_COLUMNS}
					 WHERE d.ts >= ? AND d.ts < ?${f.sql}${where.map((w) => ` AND ${w}`).join('')}
					 ORDER BY d.ts DESC, d.seq DESC LIMIT ?`
				)
				.all(q.from, q.to, ...f.params, ...params, conditions.limit) as CommentRow[];
		},
		async tagCounts(q) {
			const f = filter(q);
			return c
				.prepare(
					`SELECT count(*) AS total, ${TAG_KINDS.map((k) => `coalesce(sum((d.tag_mask & ${TAG_BITS[k]}) <> 0), 0) AS ${k}`).join(', ')}
					 FROM text_docs d WHERE d.ts >= ? AND d.ts < ?${f.sql}`
				)
				.get(q.from, q.to, ...f.params) as Record<TagKind, number> & { total: number };
		},
		async tagRuleCounts(q, tag) {
			const f = filter(q);
			const kind = tag ? ` AND (d.tag_mask & ${TAG_BITS[tag]}) <> 0` : ' AND d.tag_mask <> 0';
			return c
				.prepare(
					`SELECT j.value AS rule, count(*) AS count FROM text_docs d, json_each(d.tags) j
					 WHERE d.ts >= ? AND d.ts < ?${kind}${f.sql} GROUP BY j.value ORDER BY count DESC, rule`
				)
				.all(q.from, q.to, ...f.params) as { rule: string; count: number }[];
		},
		async textJourneys(limit) {
			return (
				c
					.prepare(
						`SELECT journey FROM text_docs WHERE journey IS NOT NULL GROUP BY journey ORDER BY count(*) DESC LIMIT ?`
					)
					.all(limit) as { journey: string }[]
			).map((r) => r.journey);
		}
	};
}

/** `?` placeholders to PostgreSQL's `$1, $2, …` (none of the module's SQL has a `?` of its own). */
function numbered(text: string): string {
	let n = 0;
	return text.replace(/\?/g, () => `$${++n}`);
}

/** A row set passed to PostgreSQL as one JSON parameter (`jsonb_to_recordset`): one statement per batch. */
const json = (rows: unknown) => JSON.stringify(rows);

/** Serializes changes of the tag rules across processes (their version is read, then moved). */
const RULES_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('resonance text rules', 0))`;

function postgresTextStore(db: PgDb): TextStore {
	const sql = db.$client;
	async function all<T>(
		text: string,
		params: Param[] = [],
		on: postgres.Sql | postgres.TransactionSql = sql
	) {
		return (await on.unsafe(numbered(text), params)) as unknown as T[];
	}
	async function readState(key: StateKey, on: postgres.Sql | postgres.TransactionSql = sql) {
		const [row] = await all<{ value: string }>('SELECT value FROM text_state WHERE key = ?', [key], on);
		return row?.value;
	}
	async function writeState(key: StateKey, value: unknown, on: postgres.Sql | postgres.TransactionSql = sql) {
		await on.unsafe(numbered(STATE_UPSERT), [key, JSON.stringify(value), Date.now()]);
	}
	const filter = (q: TextFilter, alias?: string) => filterSql(q, 'false', alias);
	return {
		readState: (key) => readState(key),
		async stateWrittenAt(key) {
			const [row] = await all<{ updated_at: number }>('SELECT updated_at FROM text_state WHERE key = ?', [
				key
			]);
			return row?.updated_at ?? null;
		},
		writeState: (key, value) => writeState(key, value),
		terms: () => all<{ term: string; df: number }>('SELECT term, df FROM text_terms'),
		unindexed: (watermark, limit) => all<EventTextRow>(UNINDEXED, [watermark, limit]),
		async refreshStatistics() {
			await sql.unsafe('ANALYZE text_docs');
		},
		async commitIndex(batch) {
			await sql.begin(async (tx) => {
				await tx.unsafe(
					`INSERT INTO text_docs (seq, ts, customer_id, type, channel, segment, journey, team_id, metric, score,
					   sentiment, terms, topic_id, tag_mask, tags)
					 SELECT seq, ts, customer_id, type, channel, segment, journey, team_id, metric, score,
					   sentiment, terms, topic_id, tag_mask, tags
					 FROM jsonb_to_recordset($1::jsonb) AS v(seq bigint, ts bigint, customer_id text, type text, channel text,
					   segment text, journey text, team_id text, metric text, score double precision,
					   sentiment double precision, terms text, topic_id text, tag_mask bigint, tags text)
					 ORDER BY seq
					 ON CONFLICT DO NOTHING`,
					[json(batch.docs)]
				);
				if (batch.fills.length)
					await tx.unsafe(
						`UPDATE events e SET sentiment = v.s
						 FROM jsonb_to_recordset($1::jsonb) AS v(s double precision, seq bigint)
						 WHERE e.seq = v.seq AND e.sentiment IS NULL`,
						[json(batch.fills.map(([s, seq]) => ({ s, seq })))]
					);
				if (batch.increments.length)
					await tx.unsafe(
						`INSERT INTO text_terms (term, df)
						 SELECT term, df FROM jsonb_to_recordset($1::jsonb) AS v(term text, df bigint) ORDER BY term
						 ON CONFLICT (term) DO UPDATE SET df = text_terms.df + excluded.df`,
						[json(batch.increments.map(([term, df]) => ({ term, df })))]
					);
				for (const [key, value] of batch.state) await writeState(key, value, tx);
				const tagged = await readState('tagged_version', tx);
				if (tagged === undefined || tagged === '0')
					await writeState('tagged_version', batch.taggedVersionIfUnset, tx);
			});
		},
		retagRows: (afterSeq, limit) => all<{ seq: number; text: string | null }>(RETAG_ROWS, [afterSeq, limit]),
		async updateTags(rows) {
			if (rows.length === 0) return;
			await sql.unsafe(
				`UPDATE text_docs d SET tag_mask = v.m, tags = v.t
				 FROM jsonb_to_recordset($1::jsonb) AS v(m bigint, t text, seq bigint) WHERE d.seq = v.seq`,
				[json(rows.map(([m, t, seq]) => ({ m, t, seq })))]
			);
		},
		async newestTs() {
			const [row] = await all<{ ts: number | null }>('SELECT max(ts) AS ts FROM text_docs');
			return row?.ts ?? null;
		},
		windowTerms: (from, to) => all<{ terms: string }>(WINDOW_TERMS, [from, to]),
		activeCentroids: () =>
			all<{ id: string; centroid: string }>('SELECT id, centroid FROM text_topics WHERE active = 1'),
		async commitModel(topics, now, state) {
			await sql.begin(async (tx) => {
				await tx.unsafe('UPDATE text_topics SET active = 0 WHERE active = 1');
				for (const t of topics)
					await tx.unsafe(numbered(TOPIC_UPSERT), [t.id, t.label, t.keywords, t.centroid, t.size, now, now]);
				for (const [key, value] of state) await writeState(key, value, tx);
			});
		},
		reassignRows: (afterSeq, from, to, limit) =>
			all<{ seq: number; terms: string; topic_id: string | null }>(REASSIGN_ROWS, [
				afterSeq,
				from,
				to,
				limit
			]),
		async updateTopics(changes) {
			if (changes.length === 0) return;
			await sql.unsafe(
				`UPDATE text_docs d SET topic_id = v.topic
				 FROM jsonb_to_recordset($1::jsonb) AS v(topic text, seq bigint) WHERE d.seq = v.seq`,
				[json(changes.map(([topic, seq]) => ({ topic, seq })))]
			);
		},
		ruleRows: () => all<RuleRow>('SELECT * FROM text_tag_rules ORDER BY position, id'),
		async replaceRules(rules, actor, now, onlyIfUnseeded) {
			return sql.begin(async (tx) => {
				await tx.unsafe(RULES_LOCK);
				if (onlyIfUnseeded && JSON.parse((await readState('rules_seeded', tx)) ?? 'false')) return false;
				await tx.unsafe('DELETE FROM text_tag_rules');
				if (rules.length)
					await tx.unsafe(
						`INSERT INTO text_tag_rules (id, tag, label, label_en, "any", "with", "not", enabled, position, updated_at, updated_by)
						 SELECT id, tag, label, label_en, "any", "with", "not", enabled, position, $2, $3
						 FROM jsonb_to_recordset($1::jsonb) AS v(id text, tag text, label text, label_en text, "any" text,
						   "with" text, "not" text, enabled smallint, position bigint)`,
						[
							json(
								rules.map((r, i) => ({
									id: r.id,
									tag: r.tag,
									label: r.label,
									label_en: r.labelEn,
									any: r.any,
									with: r.with,
									not: r.not,
									enabled: r.enabled,
									position: i
								}))
							),
							now,
							actor
						]
					);
				const version = JSON.parse((await readState('rules_version', tx)) ?? '0') as number;
				await writeState('rules_version', version + 1, tx);
				await writeState('rules_seeded', true, tx);
				return true;
			});
		},
		topicCatalog: () => all<TopicRow>('SELECT id, label, keywords, active FROM text_topics'),
		growthRows(q, weekStart) {
			const f = filter(q);
			return all(
				`SELECT d.topic_id AS topic, count(*) FILTER (WHERE d.ts >= ?) AS "current",
				   count(*) FILTER (WHERE d.ts < ?) AS previous FROM text_docs d
				 WHERE d.ts >= ? AND d.ts < ?${f.sql} GROUP BY d.topic_id`,
				[weekStart, weekStart, q.from, q.to, ...f.params]
			);
		},
		aggregates(q) {
			const f = filter(q);
			const has = (bit: number) => `count(*) FILTER (WHERE (d.tag_mask & ${bit}) <> 0)`;
			return all<AggregateRow>(
				`SELECT d.topic_id AS topic, count(*) AS n, count(d.sentiment) AS scored, avg(d.sentiment) AS mean,
				   count(*) FILTER (WHERE d.sentiment > ${SENTIMENT_BAND}) AS positive,
				   count(*) FILTER (WHERE d.sentiment < -${SENTIMENT_BAND}) AS negative,
				   ${has(TAG_BITS.suggestion)} AS suggestion, ${has(TAG_BITS.lead)} AS "lead",
				   ${has(TAG_BITS.competitor)} AS competitor, ${has(TAG_BITS.risk)} AS risk
				 FROM text_docs d WHERE d.ts >= ? AND d.ts < ?${f.sql} GROUP BY d.topic_id`,
				[q.from, q.to, ...f.params]
			);
		},
		trendRows(q) {
			const f = filter(q);
			return all(
				`SELECT d.topic_id AS topic, (d.ts + ${DAY_OFFSET_MS}) / ${DAY_MS} AS day, count(*) AS n FROM text_docs d
				 WHERE d.ts >= ? AND d.ts < ? AND d.topic_id IS NOT NULL${f.sql} GROUP BY d.topic_id, day`,
				[q.from, q.to, ...f.params]
			);
		},
		npsRows(q) {
			const f = filter(q);
			const npsFilter = filter({ teams: q.teams }, 'e');
			return all(
				`WITH d AS (SELECT DISTINCT d.topic_id, d.customer_id FROM text_docs d
				   WHERE d.ts >= ? AND d.ts < ? AND d.topic_id IS NOT NULL${f.sql}),
				 c AS (SELECT DISTINCT customer_id FROM d),
				 n AS (SELECT e.customer_id, e.score,
				   row_number() OVER (PARTITION BY e.customer_id ORDER BY e.ts DESC, e.seq DESC) AS rn
				   FROM c JOIN events e ON e.customer_id = c.customer_id
				   WHERE e.type <> 'journey' AND e.type = 'feedback' AND e.metric = 'nps' AND e.score IS NOT NULL
				     AND e.ts >= ? AND e.ts < ?${npsFilter.sql})
				 SELECT d.topic_id AS topic, count(*) FILTER (WHERE n.score >= 9) AS promoters,
				   count(*) FILTER (WHERE n.score <= 6) AS detractors, count(*) AS n
				 FROM d JOIN n ON n.customer_id = d.customer_id AND n.rn = 1 GROUP BY d.topic_id`,
				[q.from, q.to, ...f.params, q.from, q.to, ...npsFilter.params]
			);
		},
		keywordDocs(q) {
			const f = filter(q);
			return all(
				`SELECT d.ts, d.terms FROM text_docs d WHERE d.ts >= ? AND d.ts < ? AND d.terms <> ''${f.sql}`,
				[q.from, q.to, ...f.params]
			);
		},
		commentRows(q, conditions) {
			const f = filter(q);
			const { where, params } = commentWhere(conditions, {
				rule: 'EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.tags::jsonb) AS j(rule) WHERE j.rule = ?)',
				term: `(' ' || d.terms || ' ') ILIKE ? ESCAPE ''`
			});
			return all<CommentRow>(
				`${COMMENT_COLUMNS}
				 WHERE d.ts >= ? AND d.ts < ?${f.sql}${where.map((w) => ` AND ${w}`).join('')}
				 ORDER BY d.ts DESC, d.seq DESC LIMIT ?`,
				[q.from, q.to, ...f.params, ...params, conditions.limit]
			);
		},
		async tagCounts(q) {
			const f = filter(q);
			const [row] = await all<Record<TagKind, number> & { total: number }>(
				`SELECT count(*) AS total, ${TAG_KINDS.map((k) => `count(*) FILTER (WHERE (d.tag_mask & ${TAG_BITS[k]}) <> 0) AS "${k}"`).join(', ')}
				 FROM text_docs d WHERE d.ts >= ? AND d.ts < ?${f.sql}`,
				[q.from, q.to, ...f.params]
			);
			return row;
		},
		tagRuleCounts(q, tag) {
			const f = filter(q);
			const kind = tag ? ` AND (d.tag_mask & ${TAG_BITS[tag]}) <> 0` : ' AND d.tag_mask <> 0';
			return all(
				`SELECT j.rule, count(*) AS count
				 FROM text_docs d CROSS JOIN LATERAL jsonb_array_elements_text(d.tags::jsonb) AS j(rule)
				 WHERE d.ts >= ? AND d.ts < ?${kind}${f.sql} GROUP BY j.rule ORDER BY 2 DESC, 1`,
				[q.from, q.to, ...f.params]
			);
		},
		async textJourneys(limit) {
			const rows = await all<{ journey: string }>(
				`SELECT journey FROM text_docs WHERE journey IS NOT NULL GROUP BY journey
				 ORDER BY count(*) DESC, journey LIMIT ?`,
				[limit]
			);
			return rows.map((r) => r.journey);
		}
	};
}

export const textStores = { sqlite: sqliteTextStore, postgres: postgresTextStore };
