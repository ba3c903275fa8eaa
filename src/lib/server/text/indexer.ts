import type { Db } from '$lib/server/db';
import { asStorage, type Storage } from '$lib/server/db/storage';
import { analyzeText, tagsOfText } from './analyze';
import { compiledTagRules } from './rules';
import { readState, textStore } from './state';
import { LONG_TEXT_CHARS, longTextScorer, type AnalyzedText } from './scorer';
import { Slicer } from './steps';
import { tagMask, tagRuleIds, type CompiledTagRules } from './tags';
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

/** Caches are per database handle: the SQLite `Db` or the PostgreSQL pool. */
const keyOf = (target: Db | Storage): object => asStorage(target).db;

const dfByDb = new WeakMap<object, DocumentFrequencies>();

/**
 * The corpus document frequencies (loaded from `text_terms`, then kept up to date in memory by this process's
 * indexing). Reloaded when the stored text count moved without this process (another server process indexed, on
 * PostgreSQL).
 */
export async function documentFrequencies(target: Db | Storage): Promise<DocumentFrequencies> {
	const key = keyOf(target);
	const docs = await readState(target, 'docs', 0);
	let df = dfByDb.get(key);
	if (df && df.docs === docs) return df;
	df = new DocumentFrequencies();
	df.docs = docs;
	for (const row of await textStore(target).terms()) df.df.set(row.term, row.df);
	dfByDb.set(key, df);
	return df;
}

const modelByDb = new WeakMap<object, { writtenAt: number | null; model: TopicModel | null }>();

/** The current topic model (null before the first fit); reloaded when it was refitted since (by any process). */
export async function currentModel(target: Db | Storage): Promise<TopicModel | null> {
	const key = keyOf(target);
	const writtenAt = await textStore(target).stateWrittenAt('model');
	const cached = modelByDb.get(key);
	if (cached && cached.writtenAt === writtenAt) return cached.model;
	const model = await readState<TopicModel | null>(target, 'model', null);
	modelByDb.set(key, { writtenAt, model });
	return model;
}

/**
 * Indexes up to `limit` texts not indexed yet (events with text, after the watermark): analyzes each outside the
 * transaction, then in one short transaction writes their `text_docs` rows, fills `events.sentiment` where the
 * writer left it null, updates the document frequencies, assigns topics under the current model and moves the
 * watermark. Returns how many texts it indexed (0 when up to date).
 */
export async function indexTextBatch(target: Db | Storage, limit = 2000): Promise<number> {
	const store = textStore(target);
	const watermark = await readState(target, 'watermark', 0);
	const rows = await store.unindexed(watermark, limit);
	if (rows.length === 0) return 0;
	const rules = await compiledTagRules(target);
	const model = await currentModel(target);
	const analyses = await analyzeTexts(
		rows.map((r) => r.text),
		rules.compiled
	);
	const analyzed = rows.map((r, i) => {
		const a = analyses[i];
		return {
			row: r,
			sentiment: a.sentiment,
			terms: a.terms,
			mask: tagMask(a.tags),
			tags: tagRuleIds(a.tags),
			topic: model ? assignTopic(a.terms, model) : null
		};
	});
	const df = await documentFrequencies(target);
	const increments = new Map<string, number>();
	for (const a of analyzed) for (const t of new Set(a.terms)) increments.set(t, (increments.get(t) ?? 0) + 1);

	await store.commitIndex({
		docs: analyzed.map((a) => ({
			seq: a.row.seq,
			ts: a.row.ts,
			customer_id: a.row.customer_id,
			type: a.row.type,
			channel: a.row.channel,
			segment: a.row.segment,
			journey: a.row.journey,
			team_id: a.row.team_id,
			metric: a.row.metric,
			score: a.row.score,
			sentiment: a.sentiment,
			terms: a.terms.join(' '),
			topic_id: a.topic,
			tag_mask: a.mask,
			tags: JSON.stringify(a.tags)
		})),
		fills: analyzed
			.filter((a) => a.row.sentiment === null && a.sentiment !== null)
			.map((a) => [a.sentiment as number, a.row.seq]),
		increments: [...increments],
		state: [
			['docs', df.docs + rows.length],
			['watermark', rows[rows.length - 1].seq]
		],
		taggedVersionIfUnset: rules.version
	});
	// Memory follows the database only once the transaction has committed.
	df.docs += rows.length;
	for (const [term, n] of increments) df.df.set(term, (df.df.get(term) ?? 0) + n);
	return rows.length;
}

/**
 * The indexer's analysis of each text, never holding the event loop for long: texts over LONG_TEXT_CHARS in the text
 * scorer's thread when there is one (a hostile 30,000-character comment costs jieba ~150 ms), the others here, the
 * loop handed back every few milliseconds. The same analysis either way (one `analyzeText`).
 */
async function analyzeTexts(texts: readonly string[], rules: CompiledTagRules): Promise<AnalyzedText[]> {
	const results: (AnalyzedText | null)[] = new Array(texts.length).fill(null);
	const scorer = longTextScorer();
	const long = scorer ? texts.flatMap((t, i) => (t.length > LONG_TEXT_CHARS ? [i] : [])) : [];
	const offloaded = long.length
		? scorer!
				.analyze(
					long.map((i) => texts[i]),
					rules
				)
				.catch(() => null)
		: Promise.resolve(null);
	const slicer = new Slicer();
	const here = (text: string): AnalyzedText => {
		const a = analyzeText(text, rules);
		return { sentiment: a.sentiment, terms: a.terms, tags: a.tags };
	};
	const inThread = new Set(long);
	for (const [i, text] of texts.entries()) {
		if (!inThread.has(i)) results[i] = here(text);
		await slicer.pause();
	}
	const done = await offloaded;
	for (const [k, i] of long.entries()) {
		results[i] = done?.[k] ?? here(texts[i]);
		await slicer.pause();
	}
	return results as AnalyzedText[];
}

/**
 * Re-tags up to `limit` indexed texts after `afterSeq` with the current rules (after an admin changed them).
 * Returns the last seq handled, or null when every text has been re-tagged.
 */
export async function retagBatch(
	target: Db | Storage,
	afterSeq: number,
	limit = 5000
): Promise<number | null> {
	const store = textStore(target);
	const rows = await store.retagRows(afterSeq, limit);
	if (rows.length === 0) return null;
	const { compiled } = await compiledTagRules(target);
	const slicer = new Slicer();
	const results: (readonly [number, string, number])[] = [];
	for (const r of rows) {
		const hits = tagsOfText(r.text ?? '', compiled);
		results.push([tagMask(hits), JSON.stringify(tagRuleIds(hits)), r.seq]);
		await slicer.pause();
	}
	await store.updateTags(results);
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
export async function refitTopicModel(
	target: Db | Storage,
	options: RefitOptions = {}
): Promise<TopicModel | null> {
	const store = textStore(target);
	const newest = await store.newestTs();
	if (newest === null) return null;
	const windowTo = newest + 1;
	const windowFrom = windowTo - (options.windowDays ?? 30) * DAY_MS;
	const rows = await store.windowTerms(windowFrom, windowTo);
	if (rows.length === 0) return null;
	const seed = options.seed ?? 42;
	const sample = samplePositions(rows.length, options.maxFitDocs ?? 20_000, seed);
	const documents = sample.map((i) => rows[i].terms.split(' '));
	const fit = fitTopics(documents, { ...options, seed });

	const old = (await store.activeCentroids()).map((r) => ({
		id: r.id,
		centroid: JSON.parse(r.centroid) as Record<string, number>
	}));
	const { ids, nextId } = inheritTopicIds(fit.topics, old, await readState(target, 'next_topic_id', 1));
	const previous = await currentModel(target);
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
	await store.commitModel(
		model.topics.map((t) => ({
			id: t.id,
			label: t.label,
			keywords: JSON.stringify(t.keywords),
			centroid: JSON.stringify(t.centroid),
			size: t.size
		})),
		now,
		[
			['model', model],
			['next_topic_id', nextId]
		]
	);
	// The next read loads it back with the time it was written (currentModel).
	modelByDb.delete(keyOf(target));
	return model;
}

/**
 * Reassigns up to `limit` texts of the model's window after `afterSeq` to the model's topics.
 * Returns the last seq handled, or null when the window is done.
 */
export async function reassignBatch(
	target: Db | Storage,
	model: TopicModel,
	afterSeq: number,
	limit = 5000
): Promise<number | null> {
	const store = textStore(target);
	const rows = await store.reassignRows(afterSeq, model.windowFrom, model.windowTo, limit);
	if (rows.length === 0) return null;
	const changes: [string | null, number][] = [];
	for (const r of rows) {
		const topic = assignTopic(r.terms ? r.terms.split(' ') : [], model);
		if (topic !== r.topic_id) changes.push([topic, r.seq]);
	}
	await store.updateTopics(changes);
	return rows[rows.length - 1].seq;
}

/** Forgets what this process cached for a database (tests that reopen, or after a restore). */
export function forgetCaches(target: Db | Storage): void {
	dfByDb.delete(keyOf(target));
	modelByDb.delete(keyOf(target));
}
