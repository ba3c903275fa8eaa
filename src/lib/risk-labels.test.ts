import { describe, expect, it } from 'vitest';
import { COUNT_FEATURES } from '$lib/server/risk/features';
import { riskReasonLabel } from './risk-labels';

describe('risk reasons in words', () => {
	it('names every feature of the model in zh-CN and en', () => {
		for (const locale of ['en', 'zh-CN'] as const)
			for (const feature of COUNT_FEATURES) expect(riskReasonLabel(feature, locale)).not.toBe(feature);
		expect(riskReasonLabel('longWaits', 'en')).toBe('Long waits (≥ 3 min)');
		expect(riskReasonLabel('segment:private', 'en')).toBe('Segment: private');
		expect(riskReasonLabel('repeatChains', 'zh-CN')).toBe('48小时内重复来电');
	});
});
