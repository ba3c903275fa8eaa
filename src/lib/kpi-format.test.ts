import { describe, expect, it } from 'vitest';
import { formatChange, formatInterval, formatKpiValue } from './kpi-format';

describe('KPI formatting', () => {
	it('formats each unit in both languages', () => {
		expect(formatKpiValue('percent', 82.345, 'en')).toBe('82.3%');
		expect(formatKpiValue('nps', 18.4, 'en')).toBe('+18');
		expect(formatKpiValue('nps', -7.6, 'zh-CN')).toBe('-8');
		expect(formatKpiValue('seconds', 14.25, 'en')).toBe('14.3 s');
		expect(formatKpiValue('seconds', 312.4, 'zh-CN')).toBe('312 秒');
		expect(formatKpiValue('per10k', 3.256, 'zh-CN')).toBe('3.26 /万');
		expect(formatKpiValue('index', 78.44, 'en')).toBe('78.4');
	});

	it('formats intervals and changes', () => {
		expect(formatInterval('percent', [80.12, 84.26], 'en')).toBe('80.1–84.3%');
		expect(formatChange('percent', 2.04, 'en')).toBe('+2.0 pts');
		expect(formatChange('nps', -3.2, 'zh-CN')).toBe('-3 个点');
		expect(formatChange('seconds', -1.5, 'en')).toBe('-1.5 s');
		expect(formatChange('percent', 0, 'en')).toBe('0.0 pts');
	});
});
