import { afterEach, describe, expect, it } from 'vitest';
import { baseLocale, overwriteGetLocale, type Locale } from '$lib/paraglide/runtime';
import { describeAlert, describeRule, incidentSince, kindLabel } from './alert-text';

let locale: Locale = baseLocale;
overwriteGetLocale(() => locale);
afterEach(() => {
	locale = baseLocale;
});

const customer = {
	kind: 'risk_score',
	summary: '…',
	details: {
		kind: 'risk_score',
		mode: 'customer',
		outcome: 'complaint',
		customers: 'vip',
		customerId: 'C-17',
		team: 't-vip',
		score: 0.625,
		minScore: 0.5,
		reasons: [{ feature: 'longWaits' }, { feature: 'repeatChains' }]
	}
};
const count = {
	kind: 'risk_score',
	summary: '…',
	details: {
		kind: 'risk_score',
		mode: 'count',
		outcome: 'regulator',
		customers: 'any',
		count: 30,
		expected: 10,
		pValue: 2.5e-7,
		minScore: 0.2
	}
};

describe('risk-score alerts in words', () => {
	it('names the customer, the score and the reasons, and the count against its usual level (en)', () => {
		locale = 'en';
		expect(kindLabel('risk_score')).toBe('Risk score');
		expect(describeAlert(customer, {}, 'en')).toBe(
			'VIP customer(s) C-17 (team t-vip): probability of a complaint in the next 14 days 62.5% (level 50%). ' +
				'Top reasons: Long waits (≥ 3 min), Repeat contacts within 48 h.'
		);
		expect(describeAlert(count, {}, 'en')).toBe(
			'30 customer(s) over 20% for a regulator (12378) complaint in the next 14 days, usually 10 (p = 2.5e-7).'
		);
		expect(describeAlert({ ...count, details: { kind: 'risk_score', status: 'no_model' } }, {}, 'en')).toBe(
			'No risk model yet: the rule cannot fire.'
		);
		expect(
			describeRule({ kind: 'risk_score', mode: 'customer', customers: 'vip', minScore: 0.5 }, {}, 'en')
		).toBe('VIP customer(s): probability of a complaint in the next 14 days at or above 50%');
	});

	it('says the same in Chinese', () => {
		locale = 'zh-CN';
		expect(describeAlert(customer, {}, 'zh-CN')).toBe(
			'贵宾客户C-17（团队 t-vip）：未来14天投诉概率 62.5%（阈值 50%）。主要原因：' +
				'长时间等待（≥3分钟）、48小时内重复来电。'
		);
		expect(describeAlert(count, {}, 'zh-CN')).toMatch(
			/^30名客户的未来14天监管（12378）投诉概率超过 20%，常规约 10/
		);
	});
});

describe('the demo incident switch in words', () => {
	// 2026-03-05 06:07 UTC is 14:07 in China, the time the center works in.
	const since = Date.UTC(2026, 2, 5, 6, 7, 30);

	it('says since when and by whom it is on, in English', () => {
		locale = 'en';
		expect(incidentSince({ incident: true, since, by: 'ops@bank.cn' }, 'en')).toBe(
			'on since 14:07 by ops@bank.cn'
		);
		expect(incidentSince({ incident: true, since, by: null }, 'en')).toBe('on since 14:07');
	});

	it('says the same in Chinese', () => {
		locale = 'zh-CN';
		expect(incidentSince({ incident: true, since, by: 'ops@bank.cn' }, 'zh-CN')).toBe(
			'14:07 起开启，操作人 ops@bank.cn'
		);
		expect(incidentSince({ incident: true, since, by: null }, 'zh-CN')).toBe('14:07 起开启');
	});

	it('says nothing more when the switch is off or was never pressed', () => {
		locale = 'en';
		expect(incidentSince({ incident: false, since, by: 'ops@bank.cn' }, 'en')).toBeNull();
		expect(incidentSince({ incident: true, since: null, by: null }, 'en')).toBeNull();
	});
});
