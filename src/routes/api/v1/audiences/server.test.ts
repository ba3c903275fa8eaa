import { beforeAll, describe, expect, it } from 'vitest';
import { useDatabase } from '$lib/server/db';
import type { AuthUser } from '$lib/server/auth/types';
import { openCases, sourceOf } from '$lib/server/cases';
import { groupOf } from '$lib/server/outreach';
import { parseCsv } from '$lib/components/dashboards/csv';
import { DAY, fixtureDb, ingest, survey } from '$lib/server/journeys/testing';
import * as listRoute from './+server';
import * as oneRoute from './[id]/+server';
import * as membersRoute from './[id]/members/+server';
import * as resultsRoute from './[id]/results/+server';

const now = Date.now();
const db = useDatabase(fixtureDb());
const answers = ['A', 'B', 'C', 'D', 'E', 'F'].map((c, i) =>
	survey(c, now - DAY - i * 60_000, 'nps', 2, { teamId: i < 3 ? 't1' : 't2' })
);
ingest(db, answers, now);
beforeAll(() => openCases(db, answers.map(sourceOf), now));

const who = (role: AuthUser['role'], teams: string[] = [], id = 'u'): AuthUser => ({
	id,
	email: `${id}@example.com`,
	name: id,
	role,
	teams,
	via: 'session'
});
const ADMIN = who('admin', [], 'admin');
const MANAGER = who('manager', ['t1'], 'm1');
const RESEARCHER = who('researcher', [], 'r1');

type Handler = (event: never) => Response | Promise<Response>;

async function call(
	handler: Handler,
	user: AuthUser | null,
	options: { path?: string; params?: Record<string, string>; body?: unknown } = {}
): Promise<{ status: number; body: unknown; text: string; type: string | null }> {
	const url = new URL(`http://localhost${options.path ?? '/'}`);
	const request = new Request(url, {
		method: options.body === undefined ? 'GET' : 'POST',
		headers: { 'content-type': 'application/json' },
		body: options.body === undefined ? undefined : JSON.stringify(options.body)
	});
	try {
		const response = await handler({
			url,
			request,
			params: options.params ?? {},
			locals: { user, session: null },
			getClientAddress: () => '10.0.0.9'
		} as never);
		const text = await response.text();
		const type = response.headers.get('content-type');
		return {
			status: response.status,
			text,
			type,
			body: type?.includes('json') && text ? JSON.parse(text) : null
		};
	} catch (thrown) {
		const e = thrown as { status: number; body: unknown };
		return { status: e.status, body: e.body, text: '', type: null };
	}
}

const body = (extra: Record<string, unknown> = {}) => ({
	name: 'Detractors',
	rule: { kind: 'detractors', days: 7 },
	holdoutPercent: 50,
	outcome: { kind: 'not_detractor', days: 14 },
	...extra
});

describe('audiences API', () => {
	it('creates (201), answers the counts, refuses the holdout, exports the treatment as CSV', async () => {
		const created = await call(listRoute.POST, ADMIN, { body: body() });
		expect(created.status).toBe(201);
		const a = created.body as { id: number; members: number; treatment: number; holdout: number };
		expect(a.members).toBe(6);
		const id = String(a.id);
		const treatment = ['A', 'B', 'C', 'D', 'E', 'F'].filter((c) => groupOf(a.id, c, 50) === 'treatment');
		expect(a.treatment).toBe(treatment.length);

		const one = await call(oneRoute.GET, ADMIN, { params: { id } });
		expect(one.body).toMatchObject({ id: a.id, members: 6, treatment: a.treatment, holdout: a.holdout });

		const holdout = await call(membersRoute.GET, ADMIN, {
			params: { id },
			path: '/x?group=holdout&format=json'
		});
		expect(holdout.status).toBe(403);
		expect(holdout.body).toMatchObject({ error: { code: 'holdout_not_exported' } });

		const csv = await call(membersRoute.GET, MANAGER, {
			params: { id },
			path: '/x?group=treatment&format=csv'
		});
		// The manager did not make it and it covers every team: it reads as missing to them.
		expect(csv.status).toBe(404);
		const adminCsv = await call(membersRoute.GET, ADMIN, { params: { id }, path: '/x?format=csv' });
		expect(adminCsv.type).toContain('text/csv');
		expect(
			parseCsv(adminCsv.text)
				.slice(1)
				.map((r) => r[0])
		).toEqual(treatment);

		const bad = await call(membersRoute.GET, ADMIN, { params: { id }, path: '/x?format=xml' });
		expect(bad).toMatchObject({ status: 400, body: { error: { details: { parameter: 'format' } } } });

		const results = await call(resultsRoute.GET, ADMIN, { params: { id } });
		expect(results.body).toMatchObject({ final: false, treatment: { n: 0 }, holdout: { n: 0 }, lift: null });
	});

	it('limits a manager to their teams, names bad fields, and keeps researchers out', async () => {
		const mine = await call(listRoute.POST, MANAGER, { body: body({ name: 'Mine' }) });
		expect(mine.status).toBe(201);
		expect(mine.body).toMatchObject({ members: 3, teams: ['t1'] });
		const list = await call(listRoute.GET, MANAGER);
		expect((list.body as { audiences: { name: string }[] }).audiences.map((a) => a.name)).toEqual(['Mine']);
		expect((await call(listRoute.POST, MANAGER, { body: body({ teams: ['t2'] }) })).status).toBe(403);

		const noName = await call(listRoute.POST, ADMIN, { body: body({ name: '' }) });
		expect(noName).toMatchObject({ status: 400, body: { error: { details: { parameter: 'name' } } } });
		const badOutcome = await call(listRoute.POST, ADMIN, { body: body({ outcome: { kind: 'sales' } }) });
		expect(badOutcome).toMatchObject({
			status: 400,
			body: { error: { details: { parameter: 'outcome.kind' } } }
		});

		expect((await call(listRoute.POST, RESEARCHER, { body: body() })).status).toBe(403);
		expect((await call(listRoute.GET, RESEARCHER)).status).toBe(403);
		expect((await call(listRoute.GET, null)).status).toBe(401);
	});
});
