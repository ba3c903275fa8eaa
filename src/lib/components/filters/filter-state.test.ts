import { describe, expect, it } from 'vitest';
import {
	apiParams,
	chinaDate,
	chinaMidnight,
	customRange,
	inclusiveDates,
	listParam,
	liveStreamUrl,
	parseInstant,
	periodOf,
	presetPeriod,
	readFilters,
	streamParams,
	writeFilters,
	type Filters
} from './filter-state';

// 2025-03-05 10:20:30 in China time (a Wednesday).
const NOW = Date.parse('2025-03-05T10:20:30+08:00');
const DAY = 86_400_000;

describe('filter URL state', () => {
	it('reads presets, custom periods and repeated or comma-separated filters', () => {
		const f = readFilters(
			new URLSearchParams('range=7d&channel=phone,chat&channel=phone&team=t-cc1'),
			'today'
		);
		expect(f).toEqual({
			range: '7d',
			from: null,
			to: null,
			values: { channel: ['phone', 'chat'], segment: [], team: ['t-cc1'], journey: [], region: [] }
		});
		expect(readFilters(new URLSearchParams('range=bogus'), '30d').range).toBe('30d');
		const custom = readFilters(new URLSearchParams('range=7d&from=2025-02-01&to=2025-02-08'), 'today');
		expect(custom).toMatchObject({ range: 'custom', from: '2025-02-01', to: '2025-02-08' });
		expect(listParam(new URLSearchParams('x=a,,b&x=%20a'), 'x')).toEqual(['a', 'b']);
	});

	it('writes filters back, keeping other parameters, dropping drill-downs and the default range', () => {
		const base = new URLSearchParams('tv=1&rotate=20&range=30d&channel=app&drill=nps&drillTeam=t-1');
		const f: Filters = readFilters(base, 'today');
		f.values.segment = ['private'];
		expect(writeFilters(f, base, 'today').toString()).toBe(
			'tv=1&rotate=20&range=30d&channel=app&segment=private'
		);
		expect(writeFilters({ ...f, range: 'today' }, base, 'today').toString()).toBe(
			'tv=1&rotate=20&channel=app&segment=private'
		);
		const custom: Filters = { ...f, range: 'custom', from: '2025-01-01', to: '2025-01-08' };
		expect(writeFilters(custom, new URLSearchParams(), 'today').get('from')).toBe('2025-01-01');
		// A round trip gives the same state.
		expect(readFilters(writeFilters(custom, new URLSearchParams(), 'today'), 'today')).toEqual(custom);
	});

	it('resolves presets to whole China-time days ending now, compared with the same stretch before', () => {
		const today = presetPeriod('today', NOW);
		expect(new Date(today.from).toISOString()).toBe('2025-03-04T16:00:00.000Z');
		expect(today.to).toBe(Date.parse('2025-03-05T10:21:00+08:00'));
		expect(today.compare).toEqual({ from: today.from - DAY, to: today.to - DAY });
		const week = presetPeriod('7d', NOW);
		expect(week.from).toBe(Date.parse('2025-02-27T00:00:00+08:00'));
		expect(week.compare?.from).toBe(week.from - 7 * DAY);
		expect(week.live).toBe(true);
	});

	it('resolves custom periods as the API does, and falls back when they do not parse', () => {
		const custom = periodOf(
			{ ...readFilters(new URLSearchParams('from=2025-02-01&to=2025-02-08'), 'today') },
			NOW
		);
		expect(custom).toEqual({
			from: Date.parse('2025-02-01T00:00:00+08:00'),
			to: Date.parse('2025-02-08T00:00:00+08:00'),
			compare: null,
			live: false
		});
		const open = periodOf(readFilters(new URLSearchParams('from=2025-03-01T00:00:00Z'), 'today'), NOW);
		expect(open.to).toBe(Date.parse('2025-03-05T10:21:00+08:00'));
		const broken = periodOf(readFilters(new URLSearchParams('from=yesterday'), 'today'), NOW, '7d');
		expect(broken.from).toBe(presetPeriod('7d', NOW).from);
		expect(parseInstant('2025-13-45')).toBeNull();
	});

	it('builds API and stream query strings with the same parameter names', () => {
		const f = readFilters(new URLSearchParams('range=7d&team=t-cc1&region=guangdong'), 'today');
		const api = apiParams(f, NOW);
		expect(api.get('from')).toBe('2025-02-26T16:00:00.000Z');
		expect(api.get('compareTo')).toBe(
			new Date(Date.parse('2025-03-05T10:21:00+08:00') - 7 * DAY).toISOString()
		);
		expect(api.getAll('team')).toEqual(['t-cc1']);
		expect(streamParams(f).toString()).toBe('range=7d&team=t-cc1&region=guangdong');
		expect(liveStreamUrl(f, { live: true })).toBe('/api/v1/stream?range=7d&team=t-cc1&region=guangdong');
		expect(liveStreamUrl(f, { live: false })).toBeNull();
	});

	it('converts between date inputs (inclusive) and API bounds (to exclusive)', () => {
		expect(customRange('2025-02-01', '2025-02-07')).toEqual({ from: '2025-02-01', to: '2025-02-08' });
		expect(customRange('2025-02-07', '2025-02-01')).toBeNull();
		expect(customRange('', '2025-02-01')).toBeNull();
		const period = periodOf(readFilters(new URLSearchParams('from=2025-02-01&to=2025-02-08'), 'today'), NOW);
		expect(inclusiveDates(period)).toEqual({ first: '2025-02-01', last: '2025-02-07' });
		expect(chinaDate(Date.parse('2025-03-04T16:30:00Z'))).toBe('2025-03-05');
		expect(chinaMidnight(NOW)).toBe(Date.parse('2025-03-05T00:00:00+08:00'));
	});
});
