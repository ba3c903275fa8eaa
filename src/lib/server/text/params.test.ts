import { describe, expect, it } from 'vitest';
import { parseTextParams } from './params';

const DAY = 86_400_000;
/** 11:00 on 2 June 2025 in Beijing. */
const NOW = Date.UTC(2025, 5, 2, 3);
const parse = (search: string) => parseTextParams(new URLSearchParams(search), NOW);

describe('parseTextParams', () => {
	it('defaults to the last 30 whole days in UTC+8, or the last `days`', () => {
		const r = parse('');
		expect(r.ok && r.query.to).toBe(Date.UTC(2025, 5, 2, 16));
		expect(r.ok && r.query.to - r.query.from).toBe(30 * DAY);
		const week = parse('days=7');
		expect(week.ok && week.query.to - week.query.from).toBe(7 * DAY);
	});

	it('reads dates as China midnight, ISO instants as given, and filters', () => {
		const r = parse(
			'from=2025-05-01&to=2025-05-08&channel=phone&segment=affluent&tag=risk&smax=-0.3&team=a,b&team=c'
		);
		expect(r).toMatchObject({
			ok: true,
			query: {
				from: Date.parse('2025-05-01T00:00:00+08:00'),
				to: Date.parse('2025-05-08T00:00:00+08:00'),
				channel: 'phone',
				segment: 'affluent',
				tag: 'risk',
				sentimentMax: -0.3,
				sentimentMin: null,
				requestedTeams: ['a', 'b', 'c'],
				limit: 50
			}
		});
		expect(parse('from=2025-05-01T08:00:00Z&to=2025-05-02T08:00:00Z')).toMatchObject({
			ok: true,
			query: { from: Date.UTC(2025, 4, 1, 8), to: Date.UTC(2025, 4, 2, 8) }
		});
	});

	it('treats empty values as absent (a cleared form field)', () => {
		expect(parse('channel=&segment=&term=')).toMatchObject({
			ok: true,
			query: { channel: null, segment: null, term: null }
		});
	});

	it('names the bad parameter', () => {
		expect(parse('channel=fax')).toMatchObject({ ok: false, parameter: 'channel' });
		expect(parse('from=yesterday')).toMatchObject({ ok: false, parameter: 'from' });
		expect(parse('from=2025-05-08&to=2025-05-01')).toMatchObject({ ok: false, parameter: 'from' });
		expect(parse('from=2020-01-01&to=2025-05-01')).toMatchObject({ ok: false, parameter: 'from' });
		expect(parse('smin=0.5&smax=-0.5')).toMatchObject({ ok: false, parameter: 'smin' });
		expect(parse('smin=2')).toMatchObject({ ok: false, parameter: 'smin' });
		expect(parse('cursor=abc')).toMatchObject({ ok: false, parameter: 'cursor' });
		expect(parse('tag=gossip')).toMatchObject({ ok: false, parameter: 'tag' });
	});
});
