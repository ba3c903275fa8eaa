import { describe, expect, it } from 'vitest';
import { clockTime, timelineHref } from './format';
import { toAlertItem } from './alerts';

describe('display helpers', () => {
	it('keeps customer ids whole in timeline links', () => {
		expect(timelineHref('c/1 2')).toBe('/customers/c%2F1%202');
	});

	it('shows clock times in China time', () => {
		expect(clockTime(Date.parse('2025-03-05T01:02:03Z'), 'en')).toBe('09:02');
		expect(clockTime(Date.parse('2025-03-05T01:02:03Z'), 'en', true)).toBe('09:02:03');
	});

	it('reads alerts of unknown shape defensively', () => {
		expect(
			toAlertItem({ id: 7, name: 'CSAT low', severity: 'high', openedAt: '2025-03-05T01:00:00Z' })
		).toEqual({
			id: '7',
			title: 'CSAT low',
			severity: 'high',
			kpi: null,
			team: null,
			openedAt: Date.parse('2025-03-05T01:00:00Z'),
			status: null
		});
		expect(
			toAlertItem({
				type: 'opened',
				alert: {
					id: 3,
					ruleName: 'CSAT low',
					summary: 'CSAT 71% < 80%',
					severity: 'warning',
					status: 'open',
					openedAt: 5,
					teams: ['t-a'],
					details: { kpi: 'csat' }
				}
			})
		).toEqual({
			id: '3',
			title: 'CSAT 71% < 80%',
			severity: 'warning',
			kpi: 'csat',
			team: 't-a',
			openedAt: 5,
			status: 'open'
		});
		expect(toAlertItem({ title: 'no id' })).toBeNull();
		expect(toAlertItem('text')).toBeNull();
	});
});
