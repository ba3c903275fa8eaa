import { describe, expect, it } from 'vitest';
import { REASONS } from './catalog';
import {
	bankCardNumber,
	isLuhnValid,
	isValidResidentId,
	luhnCheckDigit,
	mobileNumber,
	residentIdCheckChar,
	residentIdNumber,
	writeComment,
	writeTranscript,
	type Sentiment
} from './comments';
import { createRandom } from './random';

describe('PII generators', () => {
	it('knows the published check values', () => {
		// GB 11643 worked example and the classic Luhn test number.
		expect(residentIdCheckChar('11010519491231002')).toBe('X');
		expect(luhnCheckDigit('7992739871')).toBe('3');
		expect(isLuhnValid('4111111111111111')).toBe(true);
		expect(isLuhnValid('4111111111111112')).toBe(false);
	});

	it('makes valid mobile numbers, resident IDs and card numbers', () => {
		const rng = createRandom(9);
		for (let i = 0; i < 500; i++) {
			expect(mobileNumber(rng)).toMatch(/^1[3-9]\d{9}$/);
			const id = residentIdNumber(rng);
			expect(isValidResidentId(id)).toBe(true);
			const year = Number(id.slice(6, 10));
			expect(year).toBeGreaterThanOrEqual(1950);
			expect(year).toBeLessThanOrEqual(2004);
			const debit = bankCardNumber(rng, 'debit');
			const credit = bankCardNumber(rng, 'credit');
			expect(debit).toHaveLength(19);
			expect(credit).toHaveLength(16);
			expect(isLuhnValid(debit) && isLuhnValid(credit)).toBe(true);
		}
	});
});

describe('comments', () => {
	const rng = createRandom(5);
	const sentiments: Sentiment[] = ['positive', 'neutral', 'negative'];
	const comments = Array.from({ length: 6000 }, (_, i) =>
		writeComment(rng, {
			sentiment: sentiments[i % 3],
			reason: REASONS[i % REASONS.length].id,
			channel: i % 5 === 0 ? 'ivr' : 'phone',
			handledBy: i % 5 === 0 ? 'ivr' : 'agent',
			waitS: (i % 7) * 40,
			outcome: i % 4 === 0 ? 'unresolved' : 'resolved',
			attempt: 1 + (i % 3),
			agentId: 'a-0012'
		})
	);

	it('varies: thousands of distinct texts, mostly Chinese, about one in ten English', () => {
		expect(new Set(comments).size).toBeGreaterThan(3000);
		const english = comments.filter((c) => !/[\u4e00-\u9fff]/.test(c));
		expect(english.length / comments.length).toBeGreaterThan(0.06);
		expect(english.length / comments.length).toBeLessThan(0.15);
		for (const c of comments) expect(c.length).toBeLessThan(200);
	});

	it('carries PII, risk words, suggestions and sales leads in some comments', () => {
		const has = (re: RegExp) => comments.filter((c) => re.test(c)).length;
		expect(has(/(?<!\d)1[3-9]\d{9}(?!\d)/)).toBeGreaterThan(50);
		expect(has(/(?<!\d)\d{17}[\dX](?![\dX])/)).toBeGreaterThan(20);
		expect(has(/(?<!\d)\d{16,19}(?!\d)/)).toBeGreaterThan(20);
		expect(has(/12378|银保监|金融监管总局|媒体曝光|律师/)).toBeGreaterThan(20);
		expect(has(/建议/)).toBeGreaterThan(100);
		expect(has(/理财|白金卡|贷款/)).toBeGreaterThan(50);
	});

	it('follows the sentiment', () => {
		const negatives = comments.filter((_, i) => i % 3 === 2);
		const positives = comments.filter((_, i) => i % 3 === 0);
		const bad =
			/慢|差|没解决|无语|失望|太难|麻烦|不耐烦|敷衍|久|too long|not resolved|rude|fail|maze|crash|折腾|失败/;
		expect(negatives.filter((c) => bad.test(c)).length / negatives.length).toBeGreaterThan(0.5);
		expect(positives.filter((c) => bad.test(c)).length / positives.length).toBeLessThan(0.15);
	});

	it('writes short speaker-prefixed transcripts', () => {
		const t = writeTranscript(createRandom(1), {
			reason: 'lost_card',
			outcome: 'resolved',
			channel: 'phone'
		});
		const lines = t.split('\n');
		expect(lines.length).toBeGreaterThanOrEqual(5);
		for (const line of lines) expect(line).toMatch(/^(客户|坐席)：/);
	});
});
