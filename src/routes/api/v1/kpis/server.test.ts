import { describe, expect, it } from 'vitest';
import { openDatabase, useDatabase } from '$lib/server/db';
import type { AuthUser } from '$lib/server/auth/types';
import { callGet } from '$lib/server/auth/testing';
import { writeWithRollups } from '$lib/server/metrics/testing';
import { GET } from './+server';

const T0 = Date.parse('2025-03-03T00:00:00+08:00');
const db = useDatabase(openDatabase(':memory:'));
writeWithRollups(
	db,
	Array.from({ length: 40 }, (_, i) => ({
		id: `a${i}`,
		type: 'feedback' as const,
		customerId: `c${i}`,
		ts: T0 + i * 60_000,
		metric: 'csat' as const,
		score: i < 30 ? 5 : 2,
		teamId: i % 2 ? 't1' : 't2',
		properties: {}
	}))
);

const user = (role: AuthUser['role'], teams: string[] = []): AuthUser => ({
	id: 'u',
	email: 'u@example.com',
	name: 'U',
	role,
	teams,
	via: 'session'
});

const get = (query: string, who: AuthUser | null) =>
	callGet(GET, `http://localhost/api/v1/kpis?${query}`, who);

describe('GET /api/v1/kpis', () => {
	it('answers the DESIGN.md shape', async () => {
		const r = await get('from=2025-03-03&to=2025-03-04', user('executive'));
		expect(r.status).toBe(200);
		const body = r.body as {
			from: string;
			to: string;
			by: null;
			path: string;
			rows: { group: null; kpis: Record<string, unknown> }[];
		};
		expect(body).toMatchObject({
			from: '2025-03-02T16:00:00.000Z',
			to: '2025-03-03T16:00:00.000Z',
			by: null
		});
		expect(body.rows[0].kpis.csat).toMatchObject({ value: 75, n: 40 });
		expect(Object.keys(body.rows[0].kpis)).toHaveLength(16);
	});

	it('400 names the parameter', async () => {
		const r = await get('from=2025-03-03&by=colour', user('executive'));
		expect(r.status).toBe(400);
		expect(r.body).toMatchObject({ error: { code: 'invalid_parameter', details: { parameter: 'by' } } });
		expect((r.body as { error: { message: string } }).error.message).toMatch(/^by:/);
	});

	it('401 without a user; a manager sees their teams and gets 403 for another team', async () => {
		expect((await get('from=2025-03-03', null)).status).toBe(401);
		const mine = await get('from=2025-03-03&to=2025-03-04&by=team', user('manager', ['t1']));
		expect((mine.body as { rows: { group: string }[] }).rows.map((r) => r.group)).toEqual(['t1']);
		expect((await get('from=2025-03-03&to=2025-03-04&team=t2', user('manager', ['t1']))).status).toBe(403);
	});
});
