import {
	A_NOT_A,
	CONCESSION_WORDS,
	EXCESS_ADJECTIVES,
	EXCESS_DEGREE_WORDS,
	CONTRAST_WORDS,
	DEGREE_WORDS,
	NEGATED_DEGREE_WORDS,
	NEGATIONS,
	NOT_NEGATIONS,
	SENTIMENT_PATTERNS,
	SENTIMENT_WORDS
} from './lexicon';
import { sentimentClass, type SentimentClass } from '$lib/model';
import { hasWords, tokenizeSteps, type Token } from './segment';
import { runSteps, runStepsAsync, Slicer, type Steps } from './steps';
import { customerRanges } from './speakers';

export type SentimentLabel = SentimentClass;

/** One word (or pattern) that moved the score, with the value it contributed after modifiers and clause weight. */
export interface SentimentHit {
	word: string;
	start: number;
	end: number;
	value: number;
}

export interface SentimentResult {
	/** −1…1; null when the text has no words at all (empty, numbers, punctuation, redaction markers). */
	score: number | null;
	/** The weighted sum before squashing into −1…1. */
	raw: number;
	hits: SentimentHit[];
}

const NEGATION_SET = new Set(NEGATIONS);
const NOT_NEGATION_SET = new Set(NOT_NEGATIONS);
const NEGATED_DEGREE_SET = new Set(NEGATED_DEGREE_WORDS);
const CONTRAST_SET = new Set(CONTRAST_WORDS);
const CONCESSION_SET = new Set(CONCESSION_WORDS);
const CLAUSE_END = /^[,，、;；:：…~～]+$/;
const SENTENCE_END = /^[.。!！?？\n\r]+$/;
const EXCLAMATION = /[!！]/;
/** Ranges longer than this pause between the multi-word patterns (each a scan of the range). */
const PATTERN_STEP_CHARS = 2000;

/**
 * Words that are neutral alone but negative under a negation: "没有任何回复", "never called me back",
 * "nobody answered" — the customer waited for something that did not come.
 */
const NEGATIVE_WHEN_NEGATED: Readonly<Record<string, number>> = {
	回复: -0.6,
	回应: -0.6,
	回电: -0.6,
	消息: -0.5,
	结果: -0.5,
	到账: -0.6,
	处理: -0.6,
	反馈: -0.5,
	通知: -0.5,
	联系: -0.5,
	接: -0.5,
	接听: -0.6,
	人管: -0.7,
	reply: -0.6,
	replied: -0.6,
	response: -0.6,
	responded: -0.6,
	answer: -0.6,
	answered: -0.6,
	call: -0.5,
	called: -0.6,
	callback: -0.6,
	help: -0.6,
	helped: -0.6,
	work: -0.6,
	works: -0.6,
	worked: -0.6,
	working: -0.6,
	arrive: -0.5,
	arrived: -0.5,
	received: -0.5,
	fix: -0.5,
	refund: -0.6,
	入账: -0.6,
	refunded: -0.6
};

const EXCESS_ADJECTIVE_SET = new Set(EXCESS_ADJECTIVES);
const EXCESS_DEGREE_SET = new Set(EXCESS_DEGREE_WORDS);
/** Value of a neutral adjective after 太/too (before the degree scales it). */
const EXCESS_VALUE = -0.5;

/** Weights: the clause after a contrast word outweighs what came before it; a concession clause counts less. */
const AFTER_CONTRAST = 1.5;
const BEFORE_CONTRAST = 0.5;
const CONCESSION = 0.5;
const EXCLAIMED = 1.2;
/** A negated positive is strongly negative (不满意); a negated negative is only mildly positive (不差). */
const NEGATE_POSITIVE = 0.9;
const NEGATE_NEGATIVE = 0.6;
/** Negation before a degree word (不太满意, 不是很好) softens: half of the flipped value. */
const SOFTENED_NEGATION = 0.5;
/** Two negations (不是不好) are a hedged positive. */
const DOUBLE_NEGATION = 0.8;
/** Modifiers reach at most this many tokens ahead (spaces and punctuation aside). */
const MODIFIER_REACH = 3;
/**
 * After a negation and a verb, these mark an emphatic "never (met) such a …": 从来没遇到过这么差的服务 and
 * "never had such a smooth experience" are not negated, they are intensified.
 */
const EMPHATIC = new Set(['这么', '如此', '这样', 'such']);
/** "would like", "feels like", "looks like": not a liking. */
const LIKE_NOT_LIKING = /^(?:would|i'd|we'd|feel|feels|felt|look|looks|looked|seem|seems|just)$/;

function isNegation(norm: string): boolean {
	if (NOT_NEGATION_SET.has(norm)) return false;
	if (NEGATION_SET.has(norm)) return true;
	// English contractions: don't, didn't, can't, isn't, wasn't, won't …
	return (
		/^[a-z]+n't$/.test(norm) || /^(?:dont|didnt|doesnt|cant|isnt|wasnt|wont|arent|havent|hasnt)$/.test(norm)
	);
}

/** The lexicon value of a token, also for unlisted compounds made of a modifier and a listed word (太坑, 很不错). */
function lexiconValue(norm: string): { value: number; degree: number; negated: boolean } | null {
	const direct = SENTIMENT_WORDS[norm];
	if (direct !== undefined) return direct === 0 ? null : { value: direct, degree: 1, negated: false };
	if (norm.length < 2 || !/\p{Script=Han}/u.test(norm)) return null;
	for (const cut of [1, 2]) {
		if (norm.length <= cut) continue;
		const head = norm.slice(0, cut);
		const rest = SENTIMENT_WORDS[norm.slice(cut)];
		if (rest === undefined || rest === 0) continue;
		if (DEGREE_WORDS[head] !== undefined) return { value: rest, degree: DEGREE_WORDS[head], negated: false };
		if (isNegation(head)) return { value: rest, degree: 1, negated: true };
	}
	return null;
}

interface Clause {
	start: number;
	end: number;
	/** Words seen in the clause so far. */
	words: number;
	weight: number;
	exclaimed: boolean;
	values: SentimentHit[];
}

interface Modifiers {
	negations: number;
	degree: number;
	/** A degree word came after the first negation (不是很好): the negation is softened. */
	softened: boolean;
	/** Tokens since the last modifier; modifiers lapse beyond MODIFIER_REACH. */
	distance: number;
	/** An excess degree word (太, too) is pending. */
	excess: boolean;
	/** Inside an A-not-A question: the next sentiment word is asked about, not asserted. */
	asking: boolean;
}

const freshModifiers = (): Modifiers => ({
	negations: 0,
	degree: 1,
	softened: false,
	distance: 0,
	excess: false,
	asking: false
});

function applyModifiers(value: number, m: Modifiers): number {
	if (m.negations === 0) return value * m.degree;
	if (m.negations % 2 === 0) return value * m.degree * DOUBLE_NEGATION;
	if (m.softened) return -value * SOFTENED_NEGATION;
	return -value * m.degree * (value > 0 ? NEGATE_POSITIVE : NEGATE_NEGATIVE);
}

/** Squashes a weighted sum into −1…1 (x / √(x² + 1)): one plain word ≈ ±0.7, an intensified one ≈ ±0.9. */
function squash(raw: number): number {
	return raw / Math.sqrt(raw * raw + 1);
}

/**
 * Lexicon sentiment of a tokenized text, over `ranges` of it (default the whole text; for a labelled transcript
 * the customer's turns, see speakers.ts). Clauses are split at punctuation, line ends and contrast words; in each
 * clause a negation flips and a degree word scales the next sentiment word; after a contrast word the clause
 * weighs AFTER_CONTRAST and the clauses before it in the sentence BEFORE_CONTRAST; a concession clause (虽然…,
 * although…) weighs CONCESSION; an exclaimed clause EXCLAIMED. Multi-word patterns (等了半天, waited 40 minutes)
 * add their value to the clause they start in.
 */
export function sentimentOfTokens(
	text: string,
	tokens: readonly Token[],
	ranges: readonly [number, number][] = [[0, text.length]]
): SentimentResult {
	return runSteps(sentimentSteps(text, tokens, ranges));
}

/** `sentimentOfTokens` in steps that may pause every TOKENS_PER_STEP tokens and between patterns (steps.ts). */
export function* sentimentSteps(
	text: string,
	tokens: readonly Token[],
	ranges: readonly [number, number][] = [[0, text.length]]
): Steps<SentimentResult> {
	let raw = 0;
	let words = false;
	const hits: SentimentHit[] = [];
	// Tokens and ranges are both in text order: one walk over the tokens serves every range (a transcript of
	// thousands of turns stays linear).
	let from = 0;
	for (const [start, end] of ranges) {
		while (from < tokens.length && tokens[from].start < start) from++;
		let to = from;
		while (to < tokens.length && tokens[to].start < end) to++;
		const inRange = tokens.slice(from, to).filter((t) => t.end <= end);
		from = to;
		if (hasWords(inRange)) words = true;
		const part = yield* scoreRange(text, inRange, start, end);
		raw += part.raw;
		hits.push(...part.hits);
	}
	hits.sort((a, b) => a.start - b.start);
	if (hits.length === 0) return { score: words ? 0 : null, raw: 0, hits };
	return { score: Math.round(squash(raw) * 1000) / 1000, raw, hits };
}

/** Tokens walked between two pause points. */
const TOKENS_PER_STEP = 1024;

function* scoreRange(
	text: string,
	tokens: readonly Token[],
	rangeStart: number,
	rangeEnd: number
): Steps<{ raw: number; hits: SentimentHit[] }> {
	const clauses: Clause[] = [];
	let sentenceStart = 0;
	// Contrast words seen so far, and how many had been seen when each clause closed: a clause weighs
	// BEFORE_CONTRAST once for every contrast word after it in its sentence, applied when the sentence ends (in
	// one step, so a sentence of many contrasts stays linear).
	let contrasts = 0;
	const contrastsAtClose: number[] = [];
	const endSentence = () => {
		for (let c = sentenceStart; c < clauses.length; c++)
			clauses[c].weight *= BEFORE_CONTRAST ** (contrasts - contrastsAtClose[c]);
		sentenceStart = clauses.length;
	};
	let clause: Clause = {
		start: rangeStart,
		end: rangeStart,
		words: 0,
		weight: 1,
		exclaimed: false,
		values: []
	};
	let m = freshModifiers();
	const closeClause = (end: number, nextWeight = 1) => {
		clause.end = end;
		if (clause.values.length > 0 || clause.end > clause.start) {
			clauses.push(clause);
			contrastsAtClose.push(contrasts);
		}
		clause = { start: end, end, words: 0, weight: nextWeight, exclaimed: false, values: [] };
		m = freshModifiers();
	};

	for (let i = 0; i < tokens.length; i++) {
		if (i % TOKENS_PER_STEP === TOKENS_PER_STEP - 1) yield;
		const t = tokens[i];
		const norm = t.norm;
		if (t.kind === 'space') {
			if (norm.includes('\n')) {
				closeClause(t.end);
				endSentence();
			}
			continue;
		}
		// Emoji are symbols to the tokenizer, but 👍 and 😡 carry sentiment.
		if ((t.kind === 'punct' || t.kind === 'other') && SENTIMENT_WORDS[norm] !== undefined) {
			clause.values.push({
				word: norm,
				start: t.start,
				end: t.end,
				value: applyModifiers(SENTIMENT_WORDS[norm], m)
			});
			m = freshModifiers();
			continue;
		}
		if (t.kind === 'punct' || t.kind === 'other') {
			if (SENTENCE_END.test(norm)) {
				if (EXCLAMATION.test(norm)) clause.exclaimed = true;
				closeClause(t.end);
				endSentence();
			} else if (CLAUSE_END.test(norm)) {
				closeClause(t.end, clause.weight === CONCESSION ? 1 : clause.weight);
			}
			continue;
		}
		const firstInClause = clause.words === 0;
		clause.words++;
		if (CONTRAST_SET.has(norm)) {
			closeClause(t.start, AFTER_CONTRAST);
			contrasts++;
			continue;
		}
		if (CONCESSION_SET.has(norm)) {
			clause.weight = CONCESSION;
			continue;
		}
		const previous = tokens[i - 1];
		// A-not-A questions (能不能, 是不是 as two tokens) ask; they neither negate nor assert the word they ask
		// about (能不能解决？ demands a solution, it does not praise one).
		if (previous && A_NOT_A.test(previous.norm + norm) && norm.length === previous.norm.length + 1) {
			m = { ...freshModifiers(), asking: true };
			continue;
		}
		if (A_NOT_A.test(norm)) {
			m = { ...freshModifiers(), asking: true };
			continue;
		}
		// 好, 好的, 好吧 opening a clause is an acknowledgment ("OK"), not praise (服务好 and 挺好的 still are).
		if (norm === '好' && firstInClause) {
			const after = next0(tokens, i);
			if (
				!after ||
				after.kind === 'punct' ||
				after.kind === 'space' ||
				/^(?:的|吧|啊|呀|嘞|了|滴|好)$/.test(after.norm)
			)
				continue;
		}
		// 好 before a quantity (好几次, 好多, 好久) counts, it does not praise.
		if (norm === '好' && next0(tokens, i) && /^(?:m|mq|q)$/.test(next0(tokens, i)?.pos ?? '')) continue;
		if (NEGATED_DEGREE_SET.has(norm)) {
			m.negations++;
			m.softened = true;
			m.distance = 0;
			continue;
		}
		if (isNegation(norm)) {
			m.negations++;
			m.distance = 0;
			continue;
		}
		if (EMPHATIC.has(norm) && m.negations > 0 && m.distance > 0) {
			m = { ...freshModifiers(), degree: DEGREE_WORDS[norm] ?? 1.3 };
			continue;
		}
		if (norm === 'like' && previous && LIKE_NOT_LIKING.test(previousWord(tokens, i)?.norm ?? '')) continue;
		const next = nextWord(tokens, i);
		const degree = DEGREE_WORDS[norm];
		// 好 and 真 are degree words only right before a sentiment word (好慢, 真棒); alone 好 is praise.
		const actsAsDegree =
			degree !== undefined &&
			(!(norm in SENTIMENT_WORDS) || (next !== undefined && isSentimentWord(next.norm)));
		if (actsAsDegree) {
			m.degree *= degree;
			if (EXCESS_DEGREE_SET.has(norm)) m.excess = true;
			if (m.negations > 0) m.softened = true;
			m.distance = 0;
			continue;
		}
		// 麻烦你/麻烦帮我 is a polite "please", and a bare 麻烦了/麻烦您了 a polite "thanks", not "troublesome".
		if (norm === '麻烦' && next && /^(?:你|您|你们|帮|帮忙|帮我|给|请)/.test(next.norm)) continue;
		if (norm === '麻烦' && next?.norm === '了' && m.degree === 1 && m.negations === 0) continue;
		const found = lexiconValue(norm);
		let value: number | null = null;
		if (found) {
			const inner: Modifiers = found.negated
				? { ...m, negations: m.negations + 1 }
				: { ...m, degree: m.degree * found.degree };
			value = applyModifiers(found.value, inner);
		} else if (m.negations % 2 === 1 && NEGATIVE_WHEN_NEGATED[norm] !== undefined) {
			value = NEGATIVE_WHEN_NEGATED[norm];
		} else if (m.excess && EXCESS_ADJECTIVE_SET.has(norm)) {
			value = applyModifiers(EXCESS_VALUE, m);
		} else {
			// jieba keeps some 太X whole (太长, 太低): read them as excess + adjective.
			const head = EXCESS_DEGREE_WORDS.find((w) => norm.length > w.length && norm.startsWith(w));
			if (head && EXCESS_ADJECTIVE_SET.has(norm.slice(head.length)))
				value = applyModifiers(EXCESS_VALUE, { ...m, degree: m.degree * (DEGREE_WORDS[head] ?? 1) });
		}
		if (value !== null && m.asking) {
			m = freshModifiers();
			continue;
		}
		if (value !== null) {
			clause.values.push({ word: text.slice(t.start, t.end), start: t.start, end: t.end, value });
			m = freshModifiers();
			continue;
		}
		if (++m.distance > MODIFIER_REACH) m = freshModifiers();
	}
	closeClause(rangeEnd);
	endSentence();

	const slice = text.slice(rangeStart, rangeEnd);
	yield;
	for (const [pattern, value] of SENTIMENT_PATTERNS) {
		if (slice.length > PATTERN_STEP_CHARS) yield;
		const match = pattern.exec(slice);
		if (!match) continue;
		const at = rangeStart + match.index;
		const target = clauses.find((c) => at >= c.start && at < c.end) ?? clauses[0];
		target?.values.push({ word: match[0], start: at, end: at + match[0].length, value });
	}

	const hits: SentimentHit[] = [];
	let raw = 0;
	for (const c of clauses) {
		const weight = c.weight * (c.exclaimed ? EXCLAIMED : 1);
		for (const h of c.values) {
			const v = h.value * weight;
			raw += v;
			hits.push({ ...h, value: Math.round(v * 1000) / 1000 });
		}
	}
	return { raw, hits };
}

function isSentimentWord(norm: string): boolean {
	return lexiconValue(norm) !== null;
}

/** The very next token (spaces included), for checks that need adjacency. */
function next0(tokens: readonly Token[], i: number): Token | undefined {
	return tokens[i + 1];
}

function previousWord(tokens: readonly Token[], i: number): Token | undefined {
	for (let j = i - 1; j >= 0; j--) if (tokens[j].kind !== 'space') return tokens[j];
	return undefined;
}

function nextWord(tokens: readonly Token[], i: number): Token | undefined {
	for (let j = i + 1; j < tokens.length; j++) if (tokens[j].kind !== 'space') return tokens[j];
	return undefined;
}

/**
 * The sentiment of one text, −1 (plainly negative) … 1 (plainly positive); 0 when it has words but none that carry
 * sentiment; null when it has no words at all. In a speaker-labelled transcript only the customer's turns count. Cheap: one jieba cut and a lexicon walk (≈ 10–30 µs a comment).
 */
export function scoreSentiment(text: string): number | null {
	return runSteps(scoreSentimentSteps(text));
}

/**
 * `scoreSentiment` that hands the event loop back whenever `slicer`'s budget is spent (between jieba's pieces,
 * every thousand or so tokens of the walk, between patterns): a 32 KB text costs tens of milliseconds of CPU,
 * which ingestion must not spend in one block. The same code as `scoreSentiment` runs, so the score is the same.
 */
export function scoreSentimentAsync(text: string, slicer: Slicer = new Slicer()): Promise<number | null> {
	return runStepsAsync(scoreSentimentSteps(text), slicer);
}

function* scoreSentimentSteps(text: string): Steps<number | null> {
	if (!text) return null;
	// Text reaches here redacted (ingestion does it before storing); markers are blanked by the tokenizer.
	const tokens = yield* tokenizeSteps(text);
	const ranges = customerRanges(text);
	yield;
	return (yield* sentimentSteps(text, tokens, ranges)).score;
}

/** The KPI class of a score (`sentimentClass`: ±SENTIMENT_BAND is neutral). */
export function sentimentLabel(score: number | null): SentimentLabel | null {
	if (score === null) return null;
	return sentimentClass(score);
}

/** The sentiment KPI of DOMAIN.md: (positive − negative) ÷ scored texts × 100, with its n. */
export function sentimentIndex(scores: Iterable<number | null>): { value: number | null; n: number } {
	let n = 0;
	let balance = 0;
	for (const s of scores) {
		const label = sentimentLabel(s);
		if (label === null) continue;
		n++;
		if (label === 'positive') balance++;
		else if (label === 'negative') balance--;
	}
	return { value: n === 0 ? null : (balance / n) * 100, n };
}
