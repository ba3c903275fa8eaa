/**
 * Voice of the customer: Chinese-first text analytics over feedback comments and contact transcripts.
 * Import as a namespace: `import * as text from '$lib/server/text'`.
 *
 * Per text (pure, cheap, no database): `scoreSentiment(text)` (the ingestion writer's call, ≈ 30–40 µs) and
 * `analyzeText(text)` (sentiment, tokens, terms, tags, ≈ 50 µs).
 *
 * Design of the background work (`recomputeText`, run by `scheduleTextRecompute(db)` every 5 minutes):
 * 1. Index: events with text after a watermark (`text_state.watermark`, by `events.seq`) are analysed in batches of
 *    2,000 and written to `text_docs` (one row per text: dimensions copied for filtering, sentiment, terms, tag
 *    mask and rule ids, topic); `events.sentiment` is filled where the writer left it null; document frequencies
 *    (`text_terms`) grow incrementally. New texts are assigned to the current topics at once.
 * 2. Re-tag: after an admin edits the tag rules (`text_state.rules_version` moves), every text is re-tagged.
 * 3. Refit: when there is no model, it is 6 hours old, or the corpus grew 25% since, topics are refitted on the last
 *    30 days (a seeded sample of at most 20,000 texts, bisecting k-means) and stored in `text_topics`; a new topic
 *    inherits the id of the old topic it resembles (cosine ≥ 0.5) so links survive refits; the window's texts are
 *    reassigned. The model (centroids + idf) is kept in `text_state.model`.
 * Reads aggregate `text_docs` in SQL for any period and filter (no clustering at read time); `topics()` reports
 * are cached in memory per query, keyed by (query, watermark, model version), and the default 30-day view is
 * warmed after each pass. Everything yields to the event loop between batches.
 * Storage: `store.ts` (SQLite and PostgreSQL). On PostgreSQL the pass runs in one server process at a time
 * (`runExclusive`, db/jobs.ts); every process reads its results (the model and the document frequencies are
 * reloaded when another process moved them).
 *
 * Reads: `topics`, `emergingTopics`, `keywordTrends`, `comments`, `tagCounts`, `tagRuleCounts`, `textJourneys`.
 * Tag rules (admin): `getTagRules`, `setTagRules`, `resetTagRules`, `defaultTagRules`.
 */
export { analyzeText, type TextAnalysis } from './analyze';
export {
	scoreSentiment,
	scoreSentimentAsync,
	sentimentLabel,
	sentimentIndex,
	sentimentOfTokens,
	type SentimentLabel,
	type SentimentResult
} from './sentiment';
export { tokenize, termsOf, type Token } from './segment';
export {
	TAG_KINDS,
	TAG_BITS,
	defaultTagRules,
	matchTags,
	compileTagRules,
	tagRuleSchema,
	type TagKind,
	type TagRule,
	type TagRuleInput,
	type TagHit
} from './tags';
export { getTagRules, setTagRules, resetTagRules } from './rules';
export {
	recomputeText,
	scheduleTextRecompute,
	ensureTextIndex,
	type RecomputeOptions,
	type RecomputeReport
} from './recompute';
export { currentModel } from './indexer';
export {
	topics,
	emergingTopics,
	keywordTrends,
	comments,
	tagCounts,
	tagRuleCounts,
	textJourneys,
	dayKey,
	dayNumber,
	defaultPeriod,
	DAY_OFFSET_MS,
	type TextQuery,
	type CommentQuery,
	type CommentItem,
	type Highlight,
	type HighlightKind,
	type TopicsReport,
	type TopicSummary,
	type EmergingTopic,
	type EmergingOptions,
	type KeywordTrend,
	type SentimentSummary
} from './queries';
export { parseTextParams, type TextParams } from './params';
