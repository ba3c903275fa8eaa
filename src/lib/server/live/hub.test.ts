import { describe, expect, it } from 'vitest';
import { alertAudience, filterKey, parseFilterKey } from './hub';

describe('live filter keys', () => {
	it('puts every link to the same view under one key, whatever order and extras it has', () => {
		const a = filterKey(
			{ teams: null },
			new URLSearchParams('tv=1&rotate=20&channel=phone,chat&segment=private')
		);
		const b = filterKey(
			{ teams: null },
			new URLSearchParams('segment=private&channel=chat&channel=phone&range=today')
		);
		expect(a).toBe(b);
		expect(a).toBe('*|range=today&channel=chat&channel=phone&segment=private');
		expect(filterKey({ teams: ['t-a'] }, new URLSearchParams('range=7d'))).toBe('t-a|range=7d');
		expect(parseFilterKey('t-a,t-b|range=7d&team=t-a')).toEqual({
			scope: { teams: ['t-a', 't-b'] },
			params: new URLSearchParams('range=7d&team=t-a')
		});
		expect(parseFilterKey('|range=today').scope).toEqual({ teams: [] });
	});

	it('sends an alert about a team only to viewers who may see that team', () => {
		const toTeam = alertAudience('t-a');
		expect(toTeam('*|range=today')).toBe(true);
		expect(toTeam('t-a,t-b|range=today')).toBe(true);
		expect(toTeam('t-c|range=today')).toBe(false);
		expect(alertAudience(null)('t-c|range=today')).toBe(true);
	});
});
