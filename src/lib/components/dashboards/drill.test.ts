import { describe, expect, it } from 'vitest';
import { readFilters } from '$lib/components/filters/filter-state';
import { drillEventsParams, drillSpec, readDrill, withDrill, withoutDrill } from './drill';

const NOW = Date.parse('2025-03-05T10:20:30+08:00');

describe('drill-down URL state', () => {
	it('round-trips a drill through the URL, on top of the page’s own parameters', () => {
		const base = new URLSearchParams('range=7d&team=t-a&by=week');
		const spec = drillSpec({
			kpi: 'csat',
			from: Date.parse('2025-03-03T00:00:00+08:00'),
			to: Date.parse('2025-03-04T00:00:00+08:00'),
			dims: { agent: 'ag-7' },
			label: 'CSAT · 3 Mar'
		});
		const url = withDrill(base, spec);
		expect(url.get('range')).toBe('7d');
		expect(url.get('drill')).toBe('csat');
		expect(readDrill(url)).toEqual(spec);
		expect(withoutDrill(url).toString()).toBe(base.toString());
		expect(readDrill(base)).toBeNull();
		expect(readDrill(withDrill(base, drillSpec({ detractor: true })))).toMatchObject({
			kpi: null,
			detractor: true
		});
	});

	it('asks the events API for the view’s period and filters, narrowed by the drill', () => {
		const filters = readFilters(new URLSearchParams('range=7d&team=t-a&channel=phone,chat'), 'today');
		const all = drillEventsParams(drillSpec({ kpi: 'nps' }), filters, NOW, 'today');
		expect(all.get('kpi')).toBe('nps');
		expect(all.get('from')).toBe(new Date(Date.parse('2025-02-27T00:00:00+08:00')).toISOString());
		expect(all.getAll('channel')).toEqual(['phone', 'chat']);
		expect(all.getAll('team')).toEqual(['t-a']);
		expect(all.get('limit')).toBe('50');
		const point = drillEventsParams(
			drillSpec({ kpi: 'fcr', from: 1, to: 2, dims: { team: 't-b', agent: 'x' } }),
			filters,
			NOW,
			'today',
			20
		);
		expect(point.get('from')).toBe(new Date(1).toISOString());
		expect(point.getAll('team')).toEqual(['t-b']);
		expect(point.get('agent')).toBe('x');
		const detractors = drillEventsParams(drillSpec({ detractor: true }), filters, NOW, 'today');
		expect(detractors.get('detractor')).toBe('1');
		expect(detractors.get('hasText')).toBe('1');
		expect(detractors.has('kpi')).toBe(false);
	});
});
