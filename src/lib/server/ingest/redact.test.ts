import { describe, expect, it } from 'vitest';
import {
	foldWidth,
	isResidentIdNumber,
	passesLuhn,
	PII_MARKERS,
	redactText,
	type PiiKind,
	type RedactionCounts
} from './redact';

describe('redactText', () => {
	it.each([
		['请回电 13812345678 谢谢', '请回电 [手机号] 谢谢', { mobile: 1 }],
		['手机+86 139-1234-5678', '手机[手机号]', { mobile: 1 }],
		['号码19912345678。', '号码[手机号]。', { mobile: 1 }],
		['身份证11010519491231002X办理', '身份证[身份证号]办理', { idNumber: 1 }],
		['id 11010519491231002x', 'id [身份证号]', { idNumber: 1 }],
		['证件310115198511202341', '证件[身份证号]', { idNumber: 1 }],
		['卡号6222021234567890128被盗', '卡号[卡号]被盗', { cardNumber: 1 }],
		['card 6217 0012 3456 7893 lost', 'card [卡号] lost', { cardNumber: 1 }],
		['卡 4111-1111-1111-1111', '卡 [卡号]', { cardNumber: 1 }],
		['mail zhang.san@example.com.cn ok', 'mail [邮箱] ok', { email: 1 }],
		['13812345678@163.com', '[邮箱]', { email: 1 }],
		['两个 13812345678 和 15912345678', '两个 [手机号] 和 [手机号]', { mobile: 2 }]
	])('redacts %s', (input, output, counts) => {
		expect(redactText(input)).toEqual({ text: output, counts });
	});

	it.each([
		['wrong ID checksum', '身份证110105194912310021'],
		['wrong card Luhn', '卡号6222021234567890123'],
		['12 digits are no mobile', '订单138123456789'],
		['10 digits are no mobile', '订单1381234567'],
		['a mobile must start with 1[3-9]', '号码12812345678'],
		['20 digits are neither card nor ID', '流水号62220212345678901280'],
		['amounts and dates', '金额 12,000.50 元，日期 2025-03-01'],
		['plain Chinese', '客服态度很好']
	])('leaves %s alone', (_why, input) => {
		expect(redactText(input)).toEqual({ text: input, counts: {} });
	});

	it('checks GB 11643 and Luhn', () => {
		expect(isResidentIdNumber('11010519491231002X')).toBe(true);
		expect(isResidentIdNumber('110105194912310021')).toBe(false);
		expect(passesLuhn('4111111111111111')).toBe(true);
		expect(passesLuhn('4111111111111112')).toBe(false);
	});
});

describe('redactText on full-width text', () => {
	it.each([
		['请回电１３８１２３４５６７８谢谢', '请回电[手机号]谢谢', { mobile: 1 }],
		['手机＋８６　１３９－１２３４－５６７８', '手机[手机号]', { mobile: 1 }],
		['号码1３８1２３４5６７８', '号码[手机号]', { mobile: 1 }],
		['身份证１１０１０５１９４９１２３１００２Ｘ办理', '身份证[身份证号]办理', { idNumber: 1 }],
		['卡号６２２２　０２１２　３４５６　７８９０　１２８', '卡号[卡号]', { cardNumber: 1 }],
		['邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ。', '邮箱[邮箱]。', { email: 1 }]
	])('redacts %s', (input, output, counts) => {
		expect(redactText(input)).toEqual({ text: output, counts });
	});

	it('leaves full-width numbers that fail their checks alone', () => {
		for (const text of ['订单１３８１２３４５６７８９', '卡号６２２２０２１２３４５６７８９０１２３'])
			expect(redactText(text)).toEqual({ text, counts: {} });
	});
});

/**
 * The patterns redaction used to run (backtracking regular expressions, quadratic on hostile text), applied the
 * same way: one kind after the other, each over the text the kinds before left, read on the width-folded text and
 * replaced in the original. Fine on short text: the reference for the scanner.
 */
function referenceRedact(text: string): { text: string; counts: RedactionCounts } {
	const counts: RedactionCounts = {};
	let original = text;
	let folded = foldWidth(text);
	const pass = (pattern: RegExp, kind: PiiKind, valid: (m: string) => boolean = () => true) => {
		let o = '';
		let f = '';
		let from = 0;
		for (const m of folded.matchAll(pattern)) {
			if (!valid(m[0])) continue;
			o += original.slice(from, m.index) + PII_MARKERS[kind];
			f += folded.slice(from, m.index) + PII_MARKERS[kind];
			from = m.index + m[0].length;
			counts[kind] = (counts[kind] ?? 0) + 1;
		}
		original = o + original.slice(from);
		folded = f + folded.slice(from);
	};
	pass(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, 'email');
	pass(/(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g, 'idNumber', isResidentIdNumber);
	pass(/(?<!\d)\d(?:[ -]?\d){15,18}(?!\d)/g, 'cardNumber', (m) => passesLuhn(m.replace(/[ -]/g, '')));
	pass(/(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)/g, 'mobile');
	return { text: original, counts };
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const wide = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

function validIdNumber(rand: () => number): string {
	let body = '';
	for (let i = 0; i < 17; i++) body += Math.floor(rand() * 10);
	for (const check of '0123456789X') if (isResidentIdNumber(body + check)) return body + check;
	throw new Error('no check character');
}

function validCard(rand: () => number, length: number): string {
	let body = '62';
	while (body.length < length - 1) body += Math.floor(rand() * 10);
	for (let d = 0; d < 10; d++) if (passesLuhn(body + d)) return body + d;
	throw new Error('no check digit');
}

describe('redactText fuzzed against the old patterns', () => {
	const ALPHABET = [
		...'0123456789',
		...'13869X',
		...'１３８６９',
		' ',
		'-',
		'　',
		'－',
		'@',
		'＠',
		'.',
		'．',
		'+',
		'＋',
		'_',
		'%',
		...'abcxyzCOM',
		'中',
		'，',
		'\n'
	];
	/** Personal data of every kind, in every spelling, dropped into the noise. */
	const pieces = (rand: () => number): string[] => {
		const mobile = `1${3 + Math.floor(rand() * 7)}${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`;
		const card = validCard(rand, 16 + Math.floor(rand() * 4));
		const grouped = card.replace(/(\d{4})(?=\d)/g, rand() < 0.5 ? '$1 ' : '$1-');
		return [
			mobile,
			`+86 ${mobile.slice(0, 3)}-${mobile.slice(3, 7)}-${mobile.slice(7)}`,
			`86${mobile}`,
			validIdNumber(rand),
			card,
			grouped,
			'zhang.san@example.com.cn',
			'a@b.co-uk',
			'x@y..com'
		].map((p) => (rand() < 0.3 ? wide(p) : p));
	};

	it('finds what they found, on 20,000 random texts', () => {
		const rand = random(16);
		for (let n = 0; n < 20_000; n++) {
			let text = '';
			const length = Math.floor(rand() * 80);
			while (text.length < length) {
				if (rand() < 0.08) {
					const p = pieces(rand);
					text += p[Math.floor(rand() * p.length)];
				} else text += ALPHABET[Math.floor(rand() * ALPHABET.length)];
			}
			const expected = referenceRedact(text);
			const actual = redactText(text);
			if (actual.text !== expected.text || JSON.stringify(actual.counts) !== JSON.stringify(expected.counts))
				expect({ input: text, ...actual }).toEqual({ input: text, ...expected });
		}
	});

	it('finds what they found on adversarial texts', () => {
		const texts = [
			'a'.repeat(300) + '@',
			'a@'.repeat(100),
			'a@b.' + 'c.'.repeat(100),
			'1'.repeat(300),
			'1 '.repeat(200),
			'1-'.repeat(200),
			'1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 2',
			'+86'.repeat(100),
			'86 '.repeat(100),
			'１'.repeat(100),
			'13812345678'.repeat(20),
			'1381234567 '.repeat(20),
			'.@.'.repeat(100),
			'x@' + '-'.repeat(100) + '.com'
		];
		for (const text of texts) expect(redactText(text), text).toEqual(referenceRedact(text));
	});
});

describe('redactText in linear time', () => {
	/** Each of these made the old patterns backtrack: quadratic or worse in the text's length. */
	const HOSTILE: Record<string, (n: number) => string> = {
		'letters then @': (n) => 'a'.repeat(n - 1) + '@',
		'local parts and @': (n) => 'a.b_c%d+e-'.repeat(n / 10),
		'@ and dots': (n) => ('a@' + 'b.'.repeat(20)).repeat(n / 42),
		digits: (n) => '1'.repeat(n),
		'digits and spaces': (n) => '1 '.repeat(n / 2),
		'digits and hyphens': (n) => '12-'.repeat(n / 3),
		'+86 repeated': (n) => '+86 '.repeat(n / 4),
		'full-width digits': (n) => '１'.repeat(n),
		'mixed widths': (n) => '1１ 　-－@＠.．a'.repeat(n / 12),
		'real data': (n) =>
			'请回电 13812345678 卡号6222021234567890128 邮箱 zhang.san@example.com.cn '.repeat(n / 64)
	};
	/**
	 * CPU time in ms (the process's, not the wall clock's: on a loaded machine waiting for a core is not work), the
	 * best of a few runs.
	 */
	const best = (text: string) => {
		let min = Infinity;
		for (let run = 0; run < 3; run++) {
			const started = process.cpuUsage();
			redactText(text);
			const used = process.cpuUsage(started);
			min = Math.min(min, (used.user + used.system) / 1000);
		}
		return min;
	};

	it.each(Object.keys(HOSTILE))('%s: 8× the text costs about 8× the time, not 64×', (name) => {
		const generate = HOSTILE[name];
		best(generate(4_000)); // warm up the JIT
		const small = best(generate(16_000));
		const large = best(generate(128_000));
		// Linear is 8×; quadratic would be 64×. The slack absorbs a loaded machine.
		expect(large).toBeLessThan(Math.max(small, 0.5) * 24);
		// And in absolute terms (the old patterns took 1.6 s on 29,000 letters and an '@').
		expect(large).toBeLessThan(200);
	});
});
