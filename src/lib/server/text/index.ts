/**
 * Voice of the customer: Chinese-first text analytics over feedback comments and contact transcripts.
 * Import as a namespace: `import * as text from '$lib/server/text'`.
 *
 * Per text (pure, cheap, no database): `scoreSentiment`, `analyzeText`.
 * Background (the server calls it on a schedule): `scheduleTextRecompute` / `recomputeText`.
 * Reads: `topics`, `emergingTopics`, `keywordTrends`, `comments`, `tagCounts`, `tagRuleCounts`.
 * Tag rules (admin): `getTagRules`, `setTagRules`, `resetTagRules`, `defaultTagRules`.
 */
export { analyzeText, type TextAnalysis } from './analyze';
export {
	scoreSentiment,
	sentimentLabel,
	sentimentIndex,
	sentimentOfTokens,
	NEUTRAL_BAND,
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
export type { NpsValue, GrowthTest } from './stats';
export { parseTextParams, type TextParams } from './params';
