import { redactText } from '$lib/server/ingest/redact';
import { sentimentOfTokens, type SentimentHit } from './sentiment';
import { termsOf, tokenize, type Token } from './segment';
import { customerRanges, within } from './speakers';
import { compileTagRules, defaultTagRules, matchTags, type CompiledTagRules, type TagHit } from './tags';

/** Everything the pipeline derives from one text. */
export interface TextAnalysis {
	/** The text analysed: as given, with any personal data redaction missed replaced by markers. */
	text: string;
	/** The customer's part ([start, end) ranges): the whole text, or the customer's turns of a transcript. */
	customer: [number, number][];
	/** −1…1; 0 for words without sentiment; null for no words at all. */
	sentiment: number | null;
	sentimentHits: SentimentHit[];
	tokens: Token[];
	/** Keyword/topic terms in text order (stop words, punctuation and numbers removed; repeats kept). */
	terms: string[];
	tags: TagHit[];
}

let defaultRules: CompiledTagRules | undefined;

/**
 * Analyzes one (already redacted) text: one jieba cut, the sentiment walk, the terms and the tag rules (the defaults
 * unless compiled rules are passed — the indexer passes the database's). About 20–40 µs a short comment.
 */
export function analyzeText(text: string, rules?: CompiledTagRules): TextAnalysis {
	const tokens = tokenize(text);
	const { score, hits } = sentimentOfTokens(text, tokens);
	rules ??= defaultRules ??= compileTagRules(defaultTagRules());
	return {
		sentiment: score,
		sentimentHits: hits,
		tokens,
		terms: termsOf(tokens),
		tags: matchTags(text, rules)
	};
}
