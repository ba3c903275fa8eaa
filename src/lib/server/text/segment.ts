import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import { PII_MARKERS } from '$lib/server/ingest/redact';
import {
	ASPECT_WORDS,
	BANKING_VERBS,
	BANKING_WORDS,
	CHINESE_STOP_WORDS,
	DEGREE_WORDS,
	ENGLISH_STOP_WORDS,
	NEGATIONS,
	SINGLE_CHARACTER_TERMS
} from './lexicon';
import { runSteps, type Steps } from './steps';

export type TokenKind = 'han' | 'latin' | 'number' | 'punct' | 'space' | 'other';

/** One token of a text. `start`/`end` are UTF-16 offsets into the original text (as `String.slice` takes them). */
export interface Token {
	/** Normalized form: full-width folded to ASCII, Latin lower-cased. */
	norm: string;
	start: number;
	end: number;
	kind: TokenKind;
	/** jieba's part-of-speech tag (ICTCLAS set: n noun, v verb, a adjective, d adverb, r pronoun, x unknown …). */
	pos: string;
}

/** Frequency given to user-dictionary words: far above their parts', so jieba keeps them whole. */
const USER_WORD_FREQUENCY = 100_000;

let instance: Jieba | undefined;

/**
 * The process's jieba, loaded once (~0.2 s): the package's general dictionary, then the banking words on top.
 * jieba-rs merges a later `loadDict` into the loaded one.
 */
export function jieba(): Jieba {
	if (!instance) {
		const j = Jieba.withDict(dict);
		const verbs = new Set(BANKING_VERBS);
		const pos = (w: string) =>
			verbs.has(w) ? 'v' : /银行$|^(?:支付宝|微信支付|云闪付|京东金融)$/.test(w) ? 'nt' : 'n';
		j.loadDict(
			Buffer.from(BANKING_WORDS.map((w) => `${w} ${USER_WORD_FREQUENCY} ${pos(w)}`).join('\n'), 'utf8')
		);
		instance = j;
	}
	return instance;
}

const MARKER_PATTERN = new RegExp(
	Object.values(PII_MARKERS)
		.map((m) => m.replace(/[[\]]/g, '\\$&'))
		.join('|'),
	'g'
);

/**
 * Folds full-width ASCII (Ａ１，) and the ideographic space to their ASCII forms, and curly apostrophes to '.
 * Every replacement is one UTF-16 unit for one, so offsets into the folded text are offsets into the original.
 */
export function foldWidth(text: string): string {
	return text.replace(/[\uff01-\uff5e\u3000\u2018\u2019]/g, (c) => {
		const code = c.charCodeAt(0);
		if (code === 0x3000) return ' ';
		if (code === 0x2018 || code === 0x2019) return "'";
		return String.fromCharCode(code - 0xfee0);
	});
}

/** jieba's time grows faster than the text on some long inputs (a a a …, ，，，…): it is given pieces this long. */
const PIECE_CHARS = 2000;
/** Characters jieba always cuts after (it never joins them to a word), so cutting there changes nothing. */
const CUT_AFTER = new Set([...' \t\n,!?;:。、'].map((c) => c.charCodeAt(0)));

/**
 * jieba's tags of a text, tagged in pieces of at most PIECE_CHARS cut after a space or punctuation (the same
 * tags as in one piece); only a run of over 1,000 word characters is cut where it must (between two surrogates
 * never).
 */
function* tagInPieces(text: string): Steps<{ word: string; tag: string }[]> {
	if (text.length <= PIECE_CHARS) return jieba().tag(text, true);
	const tagged: { word: string; tag: string }[] = [];
	let start = 0;
	while (start < text.length) {
		let end = Math.min(start + PIECE_CHARS, text.length);
		if (end < text.length) {
			let cut = end;
			while (cut > start + PIECE_CHARS / 2 && !CUT_AFTER.has(text.charCodeAt(cut - 1))) cut--;
			if (cut > start + PIECE_CHARS / 2) end = cut;
			else if (/[\ud800-\udbff]/.test(text[end - 1])) end--;
		}
		for (const t of jieba().tag(text.slice(start, end), true)) tagged.push(t);
		start = end;
		// A pause point between pieces (a piece is ~1–5 ms of jieba).
		yield;
	}
	return tagged;
}

const HAN = /\p{Script=Han}/u;
const LATIN = /^[a-z][a-z0-9'-]*$/;
const NUMBER = /^[\d.,%]+$/;
const SPACE = /^\s+$/;
const PUNCT = /^[\p{P}\p{S}]+$/u;

function kindOf(norm: string): TokenKind {
	if (HAN.test(norm)) return 'han';
	if (LATIN.test(norm)) return 'latin';
	if (NUMBER.test(norm)) return 'number';
	if (SPACE.test(norm)) return 'space';
	if (PUNCT.test(norm)) return 'punct';
	return 'other';
}

/**
 * Segments a text into tagged tokens with offsets: redaction markers ([手机号] …) are blanked first so they never
 * become words, full-width forms are folded, jieba tags (segmentation with HMM for unknown words, plus a part of
 * speech), and English contractions that jieba splits at the apostrophe (don ' t) are joined again.
 */
export function tokenize(text: string): Token[] {
	return runSteps(tokenizeSteps(text));
}

/** Tokens in this many tagged words between two pause points. */
const TOKENS_PER_STEP = 2048;

/** `tokenize` in steps that may pause between jieba's pieces and every TOKENS_PER_STEP words (see steps.ts). */
export function* tokenizeSteps(text: string): Steps<Token[]> {
	const prepared = foldWidth(text).replace(MARKER_PATTERN, (m) => ' '.repeat(m.length));
	const tagged = yield* tagInPieces(prepared);
	const tokens: Token[] = [];
	let offset = 0;
	for (let i = 0; i < tagged.length; i++) {
		if (i % TOKENS_PER_STEP === TOKENS_PER_STEP - 1) yield;
		const piece = tagged[i].word;
		const start = offset;
		offset += piece.length;
		const previous = tokens[tokens.length - 1];
		const next = tagged[i + 1]?.word;
		if (
			piece === "'" &&
			previous?.kind === 'latin' &&
			previous.end === start &&
			next !== undefined &&
			/^[a-z]+$/i.test(next)
		) {
			previous.norm += `'${next.toLowerCase()}`;
			previous.end = offset + next.length;
			offset += next.length;
			i++;
			continue;
		}
		const norm = piece.toLowerCase();
		tokens.push({ norm, start, end: offset, kind: kindOf(norm), pos: tagged[i].tag });
	}
	return tokens;
}

const STOP_WORDS = new Set<string>([
	...CHINESE_STOP_WORDS,
	...ENGLISH_STOP_WORDS,
	...NEGATIONS,
	...Object.keys(DEGREE_WORDS)
]);
const KEEP_SINGLE = new Set(SINGLE_CHARACTER_TERMS);
const ASPECTS = new Set(ASPECT_WORDS);
const KEEP_NUMBERS = new Set(BANKING_WORDS.filter((w) => /^\d+$/.test(w)));

/** Light English stemming for keywords: plurals only (fees → fee, queries → query), so labels stay real words. */
export function stemEnglish(word: string): string {
	if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
	if (word.endsWith('sses')) return word.slice(0, -2);
	if (word.length > 3 && word.endsWith('s') && !/(?:ss|us|is|'s)$/.test(word)) return word.slice(0, -1);
	return word;
}

/**
 * Parts of speech that say what a text is about: nouns (n, nr, ns, nt, nz, ng, vn, an), verbs (v, vd, vi, vg),
 * idioms and set phrases (i, l), abbreviations (j), places (s). Adjectives, adverbs, pronouns, numerals,
 * measure words, particles, conjunctions and unknown HMM words (x: often mis-cut pieces like 我免) are left out.
 */
const CONTENT_POS = /^(?:n|nr|nrt|nrfg|ns|nt|nz|ng|vn|an|v|vd|vi|vg|i|l|j|s|eng)$/;

/** The term a token contributes to keywords and topics, or null (stop words, function words, punctuation, numbers). */
export function termOf(token: Token): string | null {
	const { norm, kind } = token;
	if (kind === 'han') {
		if (STOP_WORDS.has(norm)) return null;
		if (ASPECTS.has(norm)) return norm;
		if (!CONTENT_POS.test(token.pos)) return null;
		if (norm.length < 2 && !KEEP_SINGLE.has(norm)) return null;
		return norm;
	}
	if (kind === 'latin') {
		if (norm.length < 2 || STOP_WORDS.has(norm) || norm.includes("'")) return null;
		return stemEnglish(norm);
	}
	if (kind === 'number' && KEEP_NUMBERS.has(norm)) return norm;
	return null;
}

/** The keyword/topic terms of a text, in order, repeats kept (term frequency counts them). */
export function termsOf(tokens: readonly Token[]): string[] {
	const terms: string[] = [];
	for (const t of tokens) {
		const term = termOf(t);
		if (term) terms.push(term);
	}
	return terms;
}

/** True when a text has at least one word (Han or Latin) once markers, numbers and punctuation are set aside. */
export function hasWords(tokens: readonly Token[]): boolean {
	return tokens.some((t) => t.kind === 'han' || t.kind === 'latin');
}
