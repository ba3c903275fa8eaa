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

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const ID_NUMBER = /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g;
// 16–19 digits, written solid or in groups separated by one space or hyphen (as agents read them out).
const CARD_NUMBER = /(?<!\d)\d(?:[ -]?\d){15,18}(?!\d)/g;
// An optional +86 / 86 prefix, then 1[3-9] and nine digits, solid or as 3-4-4.
const MOBILE = /(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)/g;

/**
 * Replaces mainland mobile numbers, resident ID numbers (GB 11643 checksum), bank card numbers (Luhn) and e-mail
 * addresses in free text with markers such as `[手机号]`, and counts what it replaced. Numbers that fail their
 * checksum are left as they are (order numbers, amounts and the like).
 */
export function redactText(text: string): { text: string; counts: RedactionCounts } {
	const counts: RedactionCounts = {};
	// Fast path: nothing to find without '@' or a run of digits.
	if (!text.includes('@') && !/\d{4}/.test(text)) return { text, counts };
	const count = (kind: PiiKind) => {
		counts[kind] = (counts[kind] ?? 0) + 1;
		return PII_MARKERS[kind];
	};
	let out = text.replace(EMAIL, () => count('email'));
	out = out.replace(ID_NUMBER, (m) => (isResidentIdNumber(m) ? count('idNumber') : m));
	out = out.replace(CARD_NUMBER, (m) => (passesLuhn(m.replace(/[ -]/g, '')) ? count('cardNumber') : m));
	out = out.replace(MOBILE, () => count('mobile'));
	return { text: out, counts };
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
