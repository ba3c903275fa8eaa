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
 * Analyzes one text: redaction again (a safety net: text should arrive redacted, and then this costs one regex
 * test), one jieba pass, the sentiment walk, the terms and the tag rules (the defaults unless compiled rules are
 * passed — the indexer passes the database's). In a speaker-labelled transcript only the customer's turns feed
 * sentiment, terms and tags. About 40–70 µs a short comment.
 */
export function analyzeText(input: string, rules?: CompiledTagRules): TextAnalysis {
	const text = redactText(input).text;
	const tokens = tokenize(text);
	const customer = customerRanges(text);
	const whole = customer.length === 1 && customer[0][0] === 0 && customer[0][1] === text.length;
	const spoken = whole ? tokens : tokens.filter((t) => within(customer, t.start, t.end));
	const { score, hits } = sentimentOfTokens(text, tokens, customer);
	const tags = customerTags(text, customer, rules);
	return { text, customer, sentiment: score, sentimentHits: hits, tokens, terms: termsOf(spoken), tags };
}

function customerTags(
	text: string,
	customer: readonly [number, number][],
	rules?: CompiledTagRules
): TagHit[] {
	rules ??= defaultRules ??= compileTagRules(defaultTagRules());
	const whole = customer.length === 1 && customer[0][0] === 0 && customer[0][1] === text.length;
	return matchTags(text, rules).filter((h) => whole || within(customer, h.start, h.end));
}

/** The tags of a text alone (re-tagging after a rule change: no segmentation needed). */
export function tagsOfText(input: string, rules?: CompiledTagRules): TagHit[] {
	const text = redactText(input).text;
	return customerTags(text, customerRanges(text), rules);
}
