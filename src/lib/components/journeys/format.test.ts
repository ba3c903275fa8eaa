import { describe, expect, it } from 'vitest';
import { formatDuration, formatNps, parseTokenParts, queryString, stepName } from './format';

describe('journey display helpers', () => {
	it('formats durations, NPS and step names', () => {
		expect(formatDuration(45, 'en')).toBe('45 s');
		expect(formatDuration(900, 'en')).toBe('15 min');
		expect(formatDuration(3 * 3600, 'zh')).toBe('3 小时');
		expect(formatDuration(4.25 * 86400, 'en')).toBe('4.3 d');
		expect(formatDuration(null, 'en')).toBe('—');
		expect(formatNps(12.4)).toBe('+12');
		expect(formatNps(-3.6)).toBe('-4');
		expect(stepName({ approved: { zh: '通过', en: 'Approved' } }, 'approved|declined', 'zh')).toBe(
			'通过 | declined'
		);
		expect(parseTokenParts('back_office:credit_decided')).toEqual({
			channel: null,
			what: 'credit_decided',
			failed: false
		});
		expect(parseTokenParts('app:face_liveness:failed')).toEqual({
			channel: 'app',
			what: 'face_liveness',
			failed: true
		});
	});

	it('changes URL parameters for links', () => {
		const current = new URLSearchParams('days=90&drill=drop:1&offset=25');
		expect(queryString(current, { drill: 'lost:2', offset: null })).toBe('?days=90&drill=lost%3A2');
		expect(queryString(new URLSearchParams(''), {})).toBe('');
	});
});
