import { describe, expect, it } from 'vitest';
import { cxQueryToParams, parseCxQuery, type CxQuery } from './query';

const NOW = Date.parse('2025-03-05T10:17:00+08:00');
const ALL = { teams: null };

function roundTrip(q: CxQuery): CxQuery {
	const parsed = parseCxQuery(new URLSearchParams(cxQueryToParams(q).toString()), q.scope, NOW);
	if (!parsed.ok) throw new Error(parsed.error.message);
	return parsed.query;
}

function error(query: string): { parameter: string; message: string } | null {
	const r = parseCxQuery(new URLSearchParams(query), ALL, NOW);
	return r.ok ? null : r.error;
}

describe('URL ⇄ CxQuery', () => {
	const from = Date.parse('2025-03-01T00:00:00+08:00');
	const to = Date.parse('2025-03-05T00:00:00+08:00');
	const cases: CxQuery[] = [
		{
			from,
			to,
			by: null,
			grain: null,
			filters: {},
			compare: { from: from - (to - from), to: from },
			standardise: false,
			scope: ALL
		},
		{
			from,
			to,
			by: 'channel',
			grain: 'day',
			filters: { team: ['t1', 't2'], reason: ['挂失'] },
			compare: null,
			standardise: true,
			scope: { teams: ['t1', 't2'] }
		},
		{
			from,
			to: from + 3_600_000 + 17,
			by: 'hour',
			grain: null,
			filters: { agent: ['a 1'], segment: ['private'] },
			compare: { from: 0, to: 1_000 },
			standardise: false,
			scope: ALL
		},
		{
			from,
			to,
			by: 'week',
			grain: null,
			filters: { journey: ['lost_card'], region: ['广东'], channel: ['phone', 'chat'] },
			compare: null,
			standardise: false,
			scope: ALL
		}
	];
	it.each(cases.map((c, i) => [i, c] as const))('round trip %i', (_, q) => {
		expect(roundTrip(q)).toEqual(q);
	});

	it('defaults: today (China time) until now, compared with the period before', () => {
		const r = parseCxQuery(new URLSearchParams(''), ALL, NOW);
		expect(r.ok && r.query).toMatchObject({
			from: Date.parse('2025-03-05T00:00:00+08:00'),
			to: NOW,
			by: null,
			compare: { from: Date.parse('2025-03-04T13:43:00+08:00'), to: Date.parse('2025-03-05T00:00:00+08:00') }
		});
	});

	it('dates, offsets, repeated and comma-separated filters', () => {
		const r = parseCxQuery(
			new URLSearchParams(
				'from=2025-03-01&to=2025-03-02T12:00:00Z&channel=phone,chat&channel=bot&compare=none'
			),
			ALL,
			NOW
		);
		expect(r.ok && r.query).toMatchObject({
			from: Date.parse('2025-03-01T00:00:00+08:00'),
			to: Date.parse('2025-03-02T12:00:00Z'),
			filters: { channel: ['phone', 'chat', 'bot'] },
			compare: null
		});
	});

	it('errors name the parameter', () => {
		expect(error('from=yesterday')?.parameter).toBe('from');
		expect(error('from=2025-03-01T00:00:00')?.parameter).toBe('from'); // no time zone
		expect(error('by=colour')?.parameter).toBe('by');
		expect(error('grain=minute')?.parameter).toBe('grain');
		expect(error('by=day&grain=hour')?.parameter).toBe('grain');
		expect(error('from=2025-03-05&to=2025-03-01')?.parameter).toBe('from');
		expect(error('from=2023-01-01&to=2025-03-01')?.parameter).toBe('to');
		expect(error('from=2025-01-01&to=2025-03-31&by=hour')?.parameter).toBe('by');
		expect(error('compareFrom=2025-03-01')?.parameter).toBe('compareTo');
		expect(error('compare=none&compareFrom=2025-03-01&compareTo=2025-03-02')?.parameter).toBe('compare');
		expect(error('standardise=maybe')?.parameter).toBe('standardise');
		expect(error(`team=${'x'.repeat(300)}`)?.parameter).toBe('team');
		expect(error('by=colour')?.message).toMatch(/^by: /);
	});
});
