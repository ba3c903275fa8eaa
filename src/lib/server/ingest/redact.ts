/** Kinds of personal data removed from free text, with the marker that replaces each. */
export const PII_MARKERS = {
	email: '[邮箱]',
	idNumber: '[身份证号]',
	cardNumber: '[卡号]',
	mobile: '[手机号]'
} as const;
export type PiiKind = keyof typeof PII_MARKERS;
export type RedactionCounts = Partial<Record<PiiKind, number>>;

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999 check character of an 18-character resident identity number. */
export function isResidentIdNumber(value: string): boolean {
	if (!/^\d{17}[\dXx]$/.test(value)) return false;
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += (value.charCodeAt(i) - 48) * ID_WEIGHTS[i];
	return ID_CHECK[sum % 11] === value[17].toUpperCase();
}

/** Luhn check of a digit string (bank card numbers). */
export function passesLuhn(digits: string): boolean {
	let sum = 0;
	let double = false;
	for (let i = digits.length - 1; i >= 0; i--) {
		let d = digits.charCodeAt(i) - 48;
		if (d < 0 || d > 9) return false;
		if (double && (d *= 2) > 9) d -= 9;
		sum += d;
		double = !double;
	}
	return digits.length > 0 && sum % 10 === 0;
}

/**
 * Folds full-width ASCII forms (U+FF01–FF5E: １３８, ＠, ＋, －, ．) and the ideographic space to ASCII, one UTF-16
 * unit for one, so an offset into the folded text is the same offset into the original.
 */
export function foldWidth(text: string): string {
	let out = '';
	let from = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		const folded = foldCode(c);
		if (folded === c) continue;
		out += text.slice(from, i) + String.fromCharCode(folded);
		from = i + 1;
	}
	return from === 0 ? text : out + text.slice(from);
}

function foldCode(c: number): number {
	if (c >= 0xff01 && c <= 0xff5e) return c - 0xfee0;
	return c === 0x3000 ? 32 : c;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number) => isDigit(c) || isLetter(c);
/** A card or mobile number's group separator: one space or hyphen. */
const isSeparator = (c: number) => c === 32 || c === 45;
/** The local part of an e-mail address: [A-Za-z0-9._%+-]. */
const isLocal = (c: number) => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
/** A domain label: [A-Za-z0-9-]. */
const isLabel = (c: number) => isAlnum(c) || c === 45;
const AT = 64;
const DOT = 46;

/** A piece found: [start, end) in the text the scan read. */
type Span = [number, number];

/*
 * Each kind has its own scan, run in the order e-mail, ID number, card, mobile over the text as the scans before
 * left it (so an e-mail's digits are never read as a phone number, and an ID number is never read as a card). Each
 * scan is one pass that never goes back more than a fixed number of characters: work is linear in the text's
 * length whatever it holds. They find exactly what these patterns found, scanning the same way a global regular
 * expression does (a match read but failing its checksum is skipped whole), without their backtracking:
 *   e-mail  [A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}
 *   ID      (?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])                      + GB 11643 check character
 *   card    (?<!\d)\d(?:[ -]?\d){15,18}(?!\d)                               + Luhn
 *   mobile  (?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)
 * redact.test.ts checks them against those patterns on random and adversarial text.
 */

/**
 * E-mail addresses. The local part is the run of local-part characters before an '@' (not reaching back into an
 * address already found); the domain is read once, forward, from the '@'. A domain read without success holds no
 * '@', so the next '@' lies beyond it: every character is read at most twice.
 */
function findEmails(s: string): Span[] {
	const spans: Span[] = [];
	let runStart = 0;
	let i = 0;
	while (i < s.length) {
		const c = s.charCodeAt(i);
		if (c === AT) {
			if (runStart < i) {
				const end = emailDomainEnd(s, i + 1);
				if (end > 0) {
					spans.push([runStart, end]);
					runStart = i = end;
					continue;
				}
			}
			runStart = ++i;
			continue;
		}
		if (!isLocal(c)) runStart = i + 1;
		i++;
	}
	return spans;
}

/**
 * Where a domain starting at `from` ends: labels separated by single dots, the last one taken being the last
 * label after the first that starts with two letters (its leading letters end the address, as `[A-Za-z]{2,}`
 * greedily does), or -1.
 */
function emailDomainEnd(s: string, from: number): number {
	let i = from;
	while (i < s.length && isLabel(s.charCodeAt(i))) i++;
	if (i === from) return -1;
	let end = -1;
	while (i + 1 < s.length && s.charCodeAt(i) === DOT && isLabel(s.charCodeAt(i + 1))) {
		const label = ++i;
		while (i < s.length && isLetter(s.charCodeAt(i))) i++;
		if (i - label >= 2) end = i;
		while (i < s.length && isLabel(s.charCodeAt(i))) i++;
	}
	return end;
}

/** Resident ID numbers: a whole run of ASCII letters and digits that is 17 digits and a check character. */
function findIdNumbers(s: string): Span[] {
	const spans: Span[] = [];
	let i = 0;
	while (i < s.length) {
		if (!isAlnum(s.charCodeAt(i))) {
			i++;
			continue;
		}
		const start = i;
		while (i < s.length && isAlnum(s.charCodeAt(i))) i++;
		if (i - start === 18 && isResidentIdNumber(s.slice(start, i))) spans.push([start, i]);
	}
	return spans;
}

/** Card digits read at most: 19, so a card is looked for at most 37 characters ahead. */
const CARD_MAX_DIGITS = 19;
const CARD_MIN_DIGITS = 16;

/**
 * Bank card numbers: from a digit not preceded by one, 16–19 digits with at most one separator between two, the
 * longest such that no digit follows; Luhn-checked. Each start reads at most 37 characters ahead.
 */
function findCards(s: string): Span[] {
	const spans: Span[] = [];
	let i = 0;
	while (i < s.length) {
		if (!isDigit(s.charCodeAt(i)) || (i > 0 && isDigit(s.charCodeAt(i - 1)))) {
			i++;
			continue;
		}
		// Ends (exclusive) after each digit, while the digits are joined by at most one separator.
		let end = -1;
		let digits = 1;
		let at = i + 1;
		for (;;) {
			const next = s.charCodeAt(at);
			if (digits >= CARD_MIN_DIGITS && !isDigit(next)) end = at;
			if (digits === CARD_MAX_DIGITS) break;
			if (isDigit(next)) at++;
			else if (isSeparator(next) && isDigit(s.charCodeAt(at + 1))) at += 2;
			else break;
			digits++;
		}
		if (end < 0) {
			i++;
			continue;
		}
		if (passesLuhn(onlyDigits(s, i, end))) spans.push([i, end]);
		i = end;
	}
	return spans;
}

function onlyDigits(s: string, start: number, end: number): string {
	let digits = '';
	for (let i = start; i < end; i++) if (isDigit(s.charCodeAt(i))) digits += s[i];
	return digits;
}

/** Mainland mobile numbers: an optional +86 / 86 (and a separator), then 1[3-9]\d, then 4 + 4 digits. */
function findMobiles(s: string): Span[] {
	const spans: Span[] = [];
	let i = 0;
	while (i < s.length) {
		if (i > 0 && isDigit(s.charCodeAt(i - 1))) {
			i++;
			continue;
		}
		const end = mobileEnd(s, i);
		if (end < 0) {
			i++;
			continue;
		}
		spans.push([i, end]);
		i = end;
	}
	return spans;
}

function mobileEnd(s: string, at: number): number {
	let prefix = -1;
	if (s.startsWith('+86', at)) prefix = at + 3;
	else if (s.startsWith('86', at)) prefix = at + 2;
	if (prefix >= 0) {
		const end = mobileCoreEnd(s, isSeparator(s.charCodeAt(prefix)) ? prefix + 1 : prefix);
		if (end >= 0) return end;
	}
	return mobileCoreEnd(s, at);
}

function mobileCoreEnd(s: string, at: number): number {
	const second = s.charCodeAt(at + 1);
	if (s.charCodeAt(at) !== 49 || !(second >= 51 && second <= 57) || !isDigit(s.charCodeAt(at + 2))) return -1;
	let i = at + 3;
	for (let group = 0; group < 2; group++) {
		if (isSeparator(s.charCodeAt(i))) i++;
		for (let k = 0; k < 4; k++, i++) if (!isDigit(s.charCodeAt(i))) return -1;
	}
	return isDigit(s.charCodeAt(i)) ? -1 : i;
}

const SCANS: readonly [PiiKind, (s: string) => Span[]][] = [
	['email', findEmails],
	['idNumber', findIdNumbers],
	['cardNumber', findCards],
	['mobile', findMobiles]
];

/** Digits the shortest piece needs (a mobile number's 11). */
const MIN_DIGITS = 11;

/**
 * Replaces mainland mobile numbers, resident ID numbers (GB 11643 checksum), bank card numbers (Luhn) and e-mail
 * addresses in free text with markers such as `[手机号]`, and counts what it replaced. Full-width digits and
 * signs (１３８…, ＠) are read as their ASCII forms and replaced in the original. Numbers that fail their checksum
 * are left as they are (order numbers, amounts and the like). Linear in the text's length, whatever it holds.
 */
export function redactText(text: string): { text: string; counts: RedactionCounts } {
	const counts: RedactionCounts = {};
	// Fast path: nothing to find without an '@' or a run of at least 11 digits, each joined to the next by at most
	// one space or hyphen (every number pattern needs one: a mobile number's 11 digits, a card's 16, an ID's 17).
	// Most property values (ids, UUIDs, versions, names) have neither and cost one pass.
	let run = 0;
	let longest = 0;
	/** The character before was a digit, or a separator right after a digit: a digit here continues the run. */
	let joined = false;
	let afterDigit = false;
	let at = false;
	let wide = false;
	for (let i = 0; i < text.length; i++) {
		let c = text.charCodeAt(i);
		if (c >= 0x3000 && foldCode(c) !== c) {
			wide = true;
			c = foldCode(c);
		}
		if (isDigit(c)) {
			run = joined ? run + 1 : 1;
			if (run > longest) longest = run;
			joined = afterDigit = true;
		} else {
			joined = afterDigit && isSeparator(c);
			afterDigit = false;
			if (c === AT) at = true;
		}
	}
	if (!at && longest < MIN_DIGITS) return { text, counts };
	let original = text;
	let folded = wide ? foldWidth(text) : text;
	for (const [kind, scan] of SCANS) {
		const spans = scan(folded);
		if (!spans.length) continue;
		counts[kind] = spans.length;
		original = replaceSpans(original, spans, PII_MARKERS[kind]);
		folded = wide ? replaceSpans(folded, spans, PII_MARKERS[kind]) : original;
	}
	return { text: original, counts };
}

function replaceSpans(text: string, spans: readonly Span[], marker: string): string {
	let out = '';
	let from = 0;
	for (const [start, end] of spans) {
		out += text.slice(from, start) + marker;
		from = end;
	}
	return out + text.slice(from);
}

/** Pieces redacted, of every kind. */
export function redactionTotal(counts: RedactionCounts): number {
	let total = 0;
	for (const n of Object.values(counts)) total += n ?? 0;
	return total;
}

/** Adds `b` into `a`. */
export function addCounts(a: RedactionCounts, b: RedactionCounts): RedactionCounts {
	for (const [kind, n] of Object.entries(b) as [PiiKind, number][]) a[kind] = (a[kind] ?? 0) + n;
	return a;
}
