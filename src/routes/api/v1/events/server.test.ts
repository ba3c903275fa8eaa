import { describe, expect, it } from 'vitest';
import { openDatabase, useDatabase } from '$lib/server/db';
import type { AuthUser } from '$lib/server/auth/types';
import { listAudit } from '$lib/server/auth/audit';
import { writeEvents } from '$lib/server/ingest/writer';
import { parseCsv } from '$lib/components/dashboards/csv';
import { GET } from './+server';

const T0 = Date.parse('2025-03-03T00:00:00+08:00');
const db = useDatabase(openDatabase(':memory:'));
writeEvents(
	db,
	Array.from({ length: 40 }, (_, i) => ({
		id: `a${i}`,
		type: 'feedback' as const,
		customerId: `c${i % 7}`,
		ts: T0 + i * 60_000,
		metric: 'nps' as const,
		score: i % 11,
		teamId: i % 2 ? 't1' : 't2',
		text: i % 3 === 0 ? `comment ${i}` : undefined,
		properties: {}
	})),
	{ sourceId: null }
);

const user = (role: AuthUser['role'], teams: string[] = []): AuthUser => ({
	id: 'u',
	email: 'u@example.com',
	name: 'U',
	role,
	teams,
	via: 'session'
});

async function get(query: string, who: AuthUser | null) {
	const url = new URL(`http://localhost/api/v1/events?${query}`);
	try {
		const response = await GET({
			url,
			locals: { user: who, session: null },
			getClientAddress: () => '127.0.0.1'
		} as unknown as Parameters<typeof GET>[0]);
		const type = response.headers.get('content-type') ?? '';
		return {
			status: response.status,
			headers: response.headers,
			body: type.includes('json') ? await response.json() : await response.text()
		};
	} catch (thrown) {
		const e = thrown as { status: number; body: unknown };
		return { status: e.status, headers: new Headers(), body: e.body };
	}
}

describe('GET /api/v1/events', () => {
	it('pages newest first with a cursor, and events with text carry sentiment', async () => {
		const first = await get('limit=15', user('executive'));
		expect(first.status).toBe(200);
		const body = first.body as {
			events: { id: string; text: string | null; sentiment?: number | null }[];
			next: string;
		};
		expect(body.events.map((e) => e.id).slice(0, 3)).toEqual(['a39', 'a38', 'a37']);
		expect(body.next).toMatch(/^\d+_\d+$/);
		for (const e of body.events) expect('sentiment' in e).toBe(e.text !== null);
		const second = await get(`limit=15&cursor=${body.next}`, user('executive'));
		expect((second.body as { events: { id: string }[] }).events[0].id).toBe('a24');
	});

	it('limits a manager to their teams, and refuses another team by name', async () => {
		const mine = await get('limit=100', user('manager', ['t1']));
		const events = (mine.body as { events: { teamId: string }[] }).events;
		expect(events).toHaveLength(20);
		expect(events.every((e) => e.teamId === 't1')).toBe(true);
		expect((await get('team=t2', user('manager', ['t1']))).status).toBe(403);
		expect((await get('', null)).status).toBe(401);
	});

	it('answers 400 naming the parameter', async () => {
		const r = await get('limit=abc', user('executive'));
		expect(r.status).toBe(400);
		expect(r.body).toMatchObject({ error: { code: 'invalid_parameter', details: { parameter: 'limit' } } });
	});

	it('exports the same page as CSV and writes the export to the audit log', async () => {
		const json = await get('customerId=c3&limit=3', user('admin'));
		const csv = await get('customerId=c3&limit=3&format=csv', user('admin'));
		expect(csv.status).toBe(200);
		expect(csv.headers.get('content-type')).toContain('text/csv');
		expect(csv.headers.get('x-next-cursor')).toBe((json.body as { next: string }).next);
		const rows = parseCsv(csv.body as string);
		expect(rows.slice(1).map((r) => r[0])).toEqual(
			(json.body as { events: { id: string }[] }).events.map((e) => e.id)
		);
		const logged = (await listAudit(db, { action: 'data.exported' })).rows;
		expect(logged).toHaveLength(1);
		expect(logged[0]).toMatchObject({ actorEmail: 'u@example.com', target: 'events.csv' });
	});
});
