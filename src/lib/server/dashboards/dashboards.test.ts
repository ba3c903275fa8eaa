import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { writeEvents } from '$lib/server/ingest/writer';
import { WALLBOARD_KPIS } from '$lib/components/dashboards/types';
import { channelBoard, alertsBoard } from './boards';
import { dashboardQuery, parseStreamParams } from './query';
import { agentTable, controlChart, satisfaction, teamTable } from './trends';
import { wallboardSnapshot } from './wallboard';
import { closeMirror, onBothEngines } from '$lib/server/metrics/testing';

afterAll(closeMirror);

const DAY = 86_400_000;
const MIN = 60_000;
const T0 = Date.parse('2025-03-03T00:00:00+08:00');
const NOW = T0 + 4 * DAY + 15 * 3_600_000; // Friday 15:00 China time
const ALL = { teams: null };

/** Four and a half days of a small center: two teams of three agents, answers on every contact. */
function center(): Db {
	const db = openDatabase(':memory:');
	const events: CxEvent[] = [];
	let id = 0;
	for (let day = 0; day <= 4; day++)
		for (let i = 0; i < 150; i++) {
			const ts = T0 + day * DAY + 8 * 3_600_000 + i * 2 * MIN;
			if (ts > NOW) break;
			const team = i % 2 ? 't-a' : 't-b';
			const agent = `${team}-${Math.floor(i / 6) % 3}`;
			const customerId = `c${(day * 150 + i) % 97}`;
			const contactId = `k${++id}`;
			events.push({
				id: contactId,
				type: 'contact',
				ts,
				customerId,
				channel: 'phone',
				handledBy: 'agent',
				outcome: i % 5 === 0 ? 'unresolved' : 'resolved',
				waitS: (i * 13) % 45,
				handleS: 200 + i,
				teamId: team,
				agentId: agent,
				reason: ['bill', 'card'][i % 2],
				properties: {}
			});
			// Agent t-a-0 is far better liked than the rest of t-a.
			const liked = agent === 't-a-0' || i % 8 > 2;
			events.push({
				id: `f${id}`,
				type: 'feedback',
				ts: ts + MIN,
				customerId,
				channel: 'phone',
				metric: i % 3 === 2 ? 'nps' : 'csat',
				score: i % 3 === 2 ? (liked ? 9 : 3) : liked ? 5 : 1,
				contactId,
				properties: {}
			});
			if (i % 40 === 0)
				events.push({
					id: `b${id}`,
					type: 'contact',
					ts,
					customerId,
					channel: 'bot',
					handledBy: 'bot',
					outcome: 'resolved',
					properties: {}
				});
		}
	writeEvents(db, events, { sourceId: null });
	return db;
}

describe('dashboards over a real database', () => {
	const db = center();

	it('turns the filter bar’s URL into the KPI query, naming the parameter at fault', async () => {
		const q = dashboardQuery(new URLSearchParams('range=7d&team=t-a'), ALL, NOW, 'today');
		if (!q.ok) throw new Error(q.message);
		expect(q.query.from).toBe(Date.parse('2025-03-01T00:00:00+08:00'));
		expect(q.query.compare).toEqual({ from: q.query.from - 7 * DAY, to: q.query.to - 7 * DAY });
		expect(q.query.filters).toEqual({ team: ['t-a'] });
		expect(dashboardQuery(new URLSearchParams('range=1y'), ALL, NOW, 'today')).toMatchObject({
			ok: false,
			parameter: 'range'
		});
		expect(dashboardQuery(new URLSearchParams('from=soon'), ALL, NOW, 'today')).toMatchObject({
			ok: false,
			parameter: 'from'
		});
		expect(parseStreamParams(new URLSearchParams('range=week'))).toMatchObject({
			ok: false,
			parameter: 'range'
		});
	});

	it('computes the wallboard snapshot: ten KPIs with n, interval, change and 14-day sparklines', async () => {
		const q = dashboardQuery(new URLSearchParams(), ALL, NOW, 'today');
		if (!q.ok) throw new Error(q.message);
		const s = await onBothEngines(db, (t) => wallboardSnapshot(t, q.query, 'today', NOW));
		expect(Object.keys(s.kpis)).toEqual([...WALLBOARD_KPIS]);
		expect(s.sparkDays).toHaveLength(14);
		expect(s.seq).toBe(Number(db.$client.prepare('SELECT max(seq) FROM events').pluck().get()));
		expect(s.sparkDays.at(-1)).toBe('2025-03-07');
		const csat = s.kpis.csat;
		expect(csat.n).toBeGreaterThan(30);
		expect(csat.value).not.toBeNull();
		expect(csat.ci95?.[0]).toBeLessThan(csat.value as number);
		expect(csat.previous?.n).toBeGreaterThan(30);
		expect(typeof csat.significant).toBe('boolean');
		expect(csat.spark.at(-1)).toBeCloseTo(csat.value as number, 2);
		expect(csat.spark.slice(0, 9)).toEqual(Array(9).fill(null));
		// Under the minimum n: no number (ces has no answers at all).
		expect(s.kpis.ces).toMatchObject({ value: null, n: 0, ci95: null });
		expect(s.cxTrend).toHaveLength(14);
		expect(JSON.stringify(s).length).toBeLessThan(6000);
	});

	it('gives trends by day with n and intervals, a p-chart, and teams', async () => {
		const q = dashboardQuery(new URLSearchParams('range=7d'), ALL, NOW, '30d');
		if (!q.ok) throw new Error(q.message);
		const { tiles, series } = await onBothEngines(db, (t) => satisfaction(t, q.query, 'day'));
		expect(series.map((s) => s.kpi)).toEqual(['csat', 'nps', 'fcr']);
		const csat = series[0];
		expect(csat.points).toHaveLength(7);
		expect(csat.points[0]).toMatchObject({ value: null, n: 0 });
		expect(csat.points[2].n).toBeGreaterThan(30);
		expect(csat.points[2].to - csat.points[2].from).toBe(DAY);
		expect(tiles.csat.n).toBe(csat.points.reduce((s, p) => s + p.n, 0));

		const chart = await onBothEngines(db, (t) => controlChart(t, q.query, 'csat', 'day'));
		expect(chart.points).toHaveLength(7);
		expect(chart.points[2].n).toBe(csat.points[2].n);
		expect(chart.points[2].value).toBeCloseTo(csat.points[2].value as number, 8);
		expect(chart.center).not.toBeNull();
		expect(chart.ranges[2]).toEqual({ from: csat.points[2].from, to: csat.points[2].to });

		const teams = await onBothEngines(db, (t) => teamTable(t, q.query));
		expect(teams.map((t) => t.team)).toEqual(['t-a', 't-b']);
	});

	it('marks the agent who differs, and keeps a manager inside their team', async () => {
		const q = dashboardQuery(new URLSearchParams('range=7d'), { teams: ['t-a'] }, NOW, '30d');
		if (!q.ok) throw new Error(q.message);
		const table = await onBothEngines(db, (t) => agentTable(t, q.query, 'csat'));
		expect(table.rows.map((r) => r.agent).sort()).toEqual(['t-a-0', 't-a-1', 't-a-2']);
		expect(table.rows[0]).toMatchObject({ agent: 't-a-0', mark: 'above' });
		for (const r of table.rows) expect(r.n).toBeGreaterThan(30);
		expect((await onBothEngines(db, (t) => teamTable(t, q.query))).map((t) => t.team)).toEqual(['t-a']);
	});

	it('shows KPIs by channel, and says when there is no alerts module', async () => {
		const q = dashboardQuery(new URLSearchParams('range=7d'), ALL, NOW, 'today');
		if (!q.ok) throw new Error(q.message);
		const rows = await onBothEngines(db, (t) => channelBoard(t, q.query));
		expect(rows.map((r) => r.channel)).toEqual(['phone', 'bot']);
		expect(rows[0].contacts).toBeGreaterThan(500);
		expect(rows[1].kpis.containment_rate.value).toBeNull();
		const alerts = await alertsBoard(db, ALL);
		expect(Array.isArray(alerts.alerts)).toBe(true);
		if (!alerts.available) expect(alerts.alerts).toEqual([]);
	});
});
