import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import * as metrics from '$lib/server/metrics';
import { writeEvents } from '$lib/server/ingest/writer';
import { parseCsv } from '$lib/components/dashboards/csv';
import { closeMirror, onBothEngines } from '$lib/server/metrics/testing';
import {
	EVENT_CSV_COLUMNS,
	eventsCsv,
	KPI_RECORDS,
	listEvents,
	parseEventsQuery,
	recordsSql,
	type EventsQuery
} from './events';

afterAll(closeMirror);

const T0 = Date.parse('2025-03-03T00:00:00+08:00');
const MIN = 60_000;
const ALL = { teams: null };

let counter = 0;
function event(e: Partial<CxEvent> & Pick<CxEvent, 'type' | 'customerId' | 'ts'>): CxEvent {
	return { id: `e${++counter}`, properties: {}, ...e };
}

/** A small center: contacts of every kind, answers linked to contacts, complaints, journey steps. */
function center(): Db {
	const db = openDatabase(':memory:');
	const events: CxEvent[] = [];
	const handlers = ['agent', 'agent', 'agent', 'bot', 'ivr'] as const;
	const outcomes = ['resolved', 'unresolved', 'transferred', 'abandoned', 'resolved'] as const;
	for (let i = 0; i < 120; i++) {
		const customerId = `c${i % 40}`;
		const ts = T0 + i * 7 * MIN;
		const team = i % 3 === 0 ? 't-a' : 't-b';
		const handledBy = handlers[i % 5];
		const outcome = outcomes[(i * 3) % 5];
		const abandoned = outcome === 'abandoned' && handledBy === 'agent';
		events.push(
			event({
				id: `contact-${i}`,
				type: 'contact',
				customerId,
				ts,
				channel: handledBy === 'agent' ? 'phone' : handledBy === 'bot' ? 'chat' : 'ivr',
				handledBy: abandoned ? undefined : handledBy,
				outcome,
				waitS: (i * 7) % 40,
				handleS: handledBy === 'agent' && !abandoned ? 120 + i : undefined,
				teamId: handledBy === 'agent' ? team : undefined,
				agentId: handledBy === 'agent' ? `${team}-ag${i % 4}` : undefined,
				reason: ['lost_card', 'bill', 'loan'][i % 3]
			})
		);
		if (i % 2 === 0)
			events.push(
				event({
					type: 'feedback',
					customerId,
					ts: ts + MIN,
					channel: 'phone',
					metric: (['nps', 'csat', 'ces'] as const)[i % 3],
					score: i % 3 === 0 ? i % 11 : i % 3 === 1 ? 1 + (i % 5) : 1 + (i % 7),
					contactId: `contact-${i}`,
					text: i % 4 === 0 ? `comment ${i}` : undefined
				})
			);
		if (i % 10 === 0)
			events.push(
				event({ type: 'complaint', customerId, ts: ts + 2 * MIN, channel: 'phone', regulator: i % 20 === 0 })
			);
		if (i % 6 === 0) events.push(event({ type: 'journey', customerId, ts: ts - MIN, name: 'loss_reported' }));
	}
	writeEvents(db, events, { sourceId: null });
	return db;
}

function query(params: string): EventsQuery {
	const parsed = parseEventsQuery(new URLSearchParams(params));
	if (!parsed.ok) throw new Error(parsed.message);
	return parsed.query;
}

async function everything(db: Db, params: string, scope: { teams: string[] | null } = ALL) {
	const out = [];
	let cursor: string | null = null;
	do {
		const page = await onBothEngines(db, (t) =>
			listEvents(t, query(`${params}&limit=7${cursor ? `&cursor=${cursor}` : ''}`), scope)
		);
		out.push(...page.events);
		cursor = page.next;
	} while (cursor);
	return out;
}

describe('drill-down records', () => {
	const db = center();
	const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}`;

	it('returns, for each KPI, exactly the records its n counts', async () => {
		const q = metrics.parseCxQuery(new URLSearchParams(range), ALL);
		if (!q.ok) throw new Error('query');
		const answer = await metrics.kpis(db, { ...q.query, compare: null });
		const kpis = answer.rows[0].kpis;
		for (const key of ['nps', 'csat', 'fcr', 'service_level', 'asa_s', 'answer_rate'] as const)
			expect(kpis[key].n).toBeGreaterThan(5);
		for (const key of Object.keys(KPI_RECORDS) as (keyof typeof KPI_RECORDS)[]) {
			if (['complaint_rate', 'containment_rate', 'cx_index', 'sentiment'].includes(key)) continue;
			const records = await everything(db, `${range}&kpi=${key}`);
			expect([key, records.length]).toEqual([key, kpis[key].n]);
		}
		expect((await everything(db, `${range}&kpi=complaint_rate`)).every((e) => e.type === 'complaint')).toBe(
			true
		);
	});

	it('pages newest first on (ts, seq) without gaps or repeats', async () => {
		const paged = await everything(db, range);
		const once = (await onBothEngines(db, (t) => listEvents(t, query(`${range}&limit=500`), ALL))).events;
		expect(paged.map((e) => e.id)).toEqual(once.map((e) => e.id));
		expect(new Set(paged.map((e) => e.id)).size).toBe(paged.length);
		const times = paged.map((e) => Date.parse(e.ts));
		expect([...times].sort((a, b) => b - a)).toEqual(times);
	});

	it('scopes a manager to their teams, inheriting an answer’s team from its contact', async () => {
		const mine = await everything(db, range, { teams: ['t-a'] });
		expect(mine.length).toBeGreaterThan(0);
		expect(mine.every((e) => e.teamId === 't-a')).toBe(true);
		expect(mine.some((e) => e.type === 'feedback')).toBe(true);
		// Asking for a team outside the scope finds nothing (the route answers 403 before that).
		expect(await everything(db, `${range}&team=t-b`, { teams: ['t-a'] })).toEqual([]);
		const agent = await everything(db, `${range}&agent=t-a-ag0`);
		expect(agent.length).toBeGreaterThan(0);
		expect(agent.every((e) => e.agentId === 't-a-ag0')).toBe(true);
	});

	it('finds one customer’s events of every type, and detractor comments', async () => {
		const customer = await everything(db, 'customerId=c0');
		expect(new Set(customer.map((e) => e.type))).toEqual(
			new Set(['contact', 'feedback', 'complaint', 'journey'])
		);
		expect(customer.every((e) => e.customerId === 'c0')).toBe(true);
		const detractors = await everything(db, `${range}&detractor=1&hasText=1`);
		expect(detractors.length).toBeGreaterThan(0);
		for (const e of detractors) {
			expect(e.text).toBeTruthy();
			expect('sentiment' in e).toBe(true);
			expect(e.metric === 'nps' ? (e.score ?? 99) <= 6 : (e.score ?? 99) <= 2).toBe(true);
		}
		const noText = await everything(db, `${range}&type=contact`);
		expect(noText.every((e) => !('sentiment' in e))).toBe(true);
	});

	it('lists answers, complaints and comments through their own indexes, with the same records', async () => {
		// SQLite uses a partial index only when the query states its condition (events_answers_ts, events_texts_ts).
		const plan = (params: string) => {
			const { sql, params: values } = recordsSql(query(params), ALL);
			const rows = db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[];
			return rows.map((r) => r.detail).join('\n');
		};
		expect(plan(`${range}&kpi=csat&agent=t-b-ag0`)).toMatch(
			/SCAN e USING INDEX events_answers_ts|SEARCH e USING INDEX events_answers_ts/
		);
		expect(plan(`${range}&type=complaint&team=t-a`)).toMatch(/USING INDEX events_answers_ts/);
		expect(plan(`${range}&kpi=nps&detractor=1`)).toMatch(/USING INDEX events_answers_ts/);
		expect(plan(`${range}&detractor=1&hasText=1`)).toMatch(/USING INDEX events_texts_ts/);
		expect(plan(`${range}&type=contact`)).not.toMatch(/events_answers_ts|events_texts_ts/);
		expect(plan(`${range}&type=feedback&type=contact`)).not.toMatch(/events_answers_ts/);
		// Every KPI whose records are answers or complaints, and none other, lists them through events_answers_ts.
		for (const kpi of ['nps', 'csat', 'ces', 'complaint_rate', 'regulator_share'])
			expect(plan(`${range}&kpi=${kpi}`), kpi).toMatch(/USING INDEX events_answers_ts/);
		for (const kpi of ['fcr', 'aht_s', 'transfer_rate', 'sentiment', 'cx_index'])
			expect(plan(`${range}&kpi=${kpi}`), kpi).not.toMatch(/events_answers_ts/);
		// The records are those of the whole list, filtered by hand (both engines: `everything` compares them).
		const all = await everything(db, range);
		const ids = (events: { id: string }[]) => events.map((e) => e.id);
		const csatOfAgent = await everything(db, `${range}&kpi=csat&agent=t-b-ag0`);
		expect(csatOfAgent.length).toBeGreaterThan(0);
		expect(ids(csatOfAgent)).toEqual(
			ids(
				all.filter(
					(e) => e.type === 'feedback' && e.metric === 'csat' && e.score !== null && e.agentId === 't-b-ag0'
				)
			)
		);
		const complaints = await everything(db, `${range}&type=complaint`);
		expect(complaints.length).toBeGreaterThan(0);
		expect(ids(complaints)).toEqual(ids(all.filter((e) => e.type === 'complaint')));
		const comments = await everything(db, `${range}&hasText=1`);
		expect(comments.length).toBeGreaterThan(0);
		expect(ids(comments)).toEqual(ids(all.filter((e) => e.text)));
	});

	it('writes the same page as CSV', async () => {
		const page = await onBothEngines(db, (t) => listEvents(t, query(`${range}&type=feedback&limit=20`), ALL));
		const rows = parseCsv(eventsCsv(page.events));
		expect(rows[0]).toEqual([...EVENT_CSV_COLUMNS]);
		expect(rows.length).toBe(21);
		expect(rows.slice(1).map((r) => r[0])).toEqual(page.events.map((e) => e.id));
		const scoreAt = EVENT_CSV_COLUMNS.indexOf('score');
		expect(rows[1][scoreAt]).toBe(String(page.events[0].score));
	});

	it('names the parameter at fault', async () => {
		const bad = (params: string) => {
			const r = parseEventsQuery(new URLSearchParams(params));
			return r.ok ? null : r.parameter;
		};
		expect(bad('limit=0')).toBe('limit');
		expect(bad('limit=501')).toBe('limit');
		expect(bad('limit=5000&format=csv')).toBeNull();
		expect(bad('cursor=abc')).toBe('cursor');
		expect(bad('type=visit')).toBe('type');
		expect(bad('kpi=happiness')).toBe('kpi');
		expect(bad('from=2025-03-02&to=2025-03-01')).toBe('from');
		expect(bad('from=yesterday')).toBe('from');
		expect(bad('channel=phone,chat&team=t-a')).toBeNull();
	});
});
