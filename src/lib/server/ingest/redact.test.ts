import { describe, expect, it } from 'vitest';
import { isResidentIdNumber, passesLuhn, redactText } from './redact';

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
