import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { useStorage } from '$lib/server/db';
import { users, userTeams } from '$lib/server/db/schema';
import { pgSchema } from '$lib/server/db/postgres';
import type { Storage } from '$lib/server/db/storage';
import type { AuthUser } from '$lib/server/auth/types';
import { testEngines } from '$lib/server/testing/postgres';
import { openCases, sourceOf } from '$lib/server/cases';
import * as casesRoute from './+server';
import * as caseRoute from './[id]/+server';
import * as kpisRoute from './kpis/+server';
import * as queuePage from '../../../(app)/cases/+page.server';
import * as casePage from '../../../(app)/cases/[id]/+page.server';
import * as alertsAdminPage from '../../../(app)/admin/alerts/+page.server';

const DAY = 86_400_000;
const who = (role: AuthUser['role'], teams: string[] = [], id = 'u'): AuthUser => ({
	id,
	email: `${id}@example.com`,
	name: id,
	role,
	teams,
	via: 'session'
});
const ADMIN = who('admin', [], 'a1');
const MANAGER = who('manager', ['t1'], 'm1');

type Handler = (event: never) => unknown;

async function call(
	handler: Handler,
	user: AuthUser,
	options: {
		path?: string;
		params?: Record<string, string>;
		body?: unknown;
		form?: Record<string, string>;
	} = {}
): Promise<{ status: number; body: unknown }> {
	const url = new URL(`http://localhost${options.path ?? '/'}`);
	const request = options.form
		? new Request(url, { method: 'POST', body: new URLSearchParams(options.form) })
		: new Request(url, {
				method: options.body === undefined ? 'GET' : 'PATCH',
				headers: { 'content-type': 'application/json' },
				body: options.body === undefined ? undefined : JSON.stringify(options.body)
			});
	try {
		const answer = await handler({
			url,
			request,
			params: options.params ?? {},
			locals: { user, session: null }
		} as never);
		if (answer instanceof Response) {
			const text = await answer.text();
			return { status: answer.status, body: text ? JSON.parse(text) : null };
		}
		return { status: 200, body: answer };
	} catch (thrown) {
		const e = thrown as { status: number; body: unknown };
		return { status: e.status, body: e.body };
	}
}

async function addStaff(s: Storage) {
	const rows = [
		{
			id: 'm1',
			email: 'm1@example.com',
			name: 'M1',
			passwordHash: 'x',
			role: 'manager' as const,
			createdAt: 0
		},
		{ id: 'a1', email: 'a1@example.com', name: 'A1', passwordHash: 'x', role: 'admin' as const, createdAt: 0 }
	];
	if (s.engine === 'sqlite') {
		s.db.insert(users).values(rows).run();
		s.db.insert(userTeams).values({ userId: 'm1', teamId: 't1' }).run();
	} else {
		await s.db.insert(pgSchema.users).values(rows);
		await s.db.insert(pgSchema.userTeams).values({ userId: 'm1', teamId: 't1' });
	}
}

describe.each(testEngines)('the cases pages and API on $engine', ({ open }) => {
	let close: () => Promise<void> = async () => {};
	const now = Date.now();
	let t1Case = 0;

	beforeAll(async () => {
		const opened = await open();
		close = opened.close;
		useStorage(opened.storage);
		await addStaff(opened.storage);
		const events: CxEvent[] = [
			{
				id: 'f1',
				type: 'feedback',
				ts: now - DAY,
				customerId: 'c1',
				metric: 'nps',
				score: 2,
				teamId: 't1',
				properties: {}
			},
			{
				id: 'f2',
				type: 'feedback',
				ts: now - 3 * DAY,
				customerId: 'c2',
				metric: 'csat',
				score: 1,
				teamId: 't2',
				properties: {}
			}
		];
		const cases = await openCases(opened.storage, events.map(sourceOf), now);
		t1Case = cases[0].id;
	});
	afterAll(() => close());

	it('lists a manager’s cases, shows and works one, and rates them', async () => {
		const list = await call(casesRoute.GET, MANAGER, { path: '/api/v1/cases?status=open' });
		expect(list.status).toBe(200);
		expect(list.body).toMatchObject({
			cases: [
				{
					id: t1Case,
					customerId: 'c1',
					assignee: { id: 'm1' },
					dueAt: new Date(now - DAY + 2 * DAY).toISOString()
				}
			],
			next: null,
			total: 1
		});
		expect((await call(casesRoute.GET, MANAGER, { path: '/api/v1/cases?team=t2' })).status).toBe(403);
		expect((await call(casesRoute.GET, ADMIN, { path: '/api/v1/cases?overdue=1' })).body).toMatchObject({
			cases: [{ customerId: 'c2', overdue: true }],
			total: 1
		});
		const worked = await call(caseRoute.PATCH, MANAGER, {
			params: { id: String(t1Case) },
			body: { status: 'contacted', note: '已回访' }
		});
		expect(worked).toMatchObject({
			status: 200,
			body: { status: 'contacted', notes: [{ kind: 'status' }, { kind: 'note', text: '已回访' }] }
		});
		const bad = await call(caseRoute.PATCH, MANAGER, {
			params: { id: String(t1Case) },
			body: { status: 'bogus' }
		});
		expect(bad.status).toBe(400);
		const shown = await call(caseRoute.GET, MANAGER, { params: { id: String(t1Case) } });
		expect(shown.body).toMatchObject({ customerId: 'c1', status: 'contacted' });
		expect((await call(caseRoute.GET, MANAGER, { params: { id: String(t1Case + 1) } })).status).toBe(404);
		const kpis = await call(kpisRoute.GET, ADMIN, { path: '/api/v1/cases/kpis' });
		// Due or followed up: the contacted t1 case and the overdue t2 case.
		expect(kpis.body).toMatchObject({
			followUpRate: { n: 2, x: 1, value: null },
			cases: 2,
			open: 1,
			overdue: 1
		});
	});

	it('loads the queue and a case page, takes a note and the SLA setting', async () => {
		const queue = (await call(queuePage.load as Handler, MANAGER, { path: '/cases' })).body as {
			page: { total: number };
			counts: { open: number; contacted: number };
			kpis: { cases: number };
			slaHours: number;
		};
		expect(queue).toMatchObject({
			page: { total: 1 },
			counts: { open: 0, contacted: 1 },
			kpis: { cases: 1 },
			slaHours: 48
		});
		const page = (await call(casePage.load as Handler, ADMIN, { params: { id: String(t1Case) } })).body as {
			assignees: { id: string }[];
		};
		expect(page.assignees.map((u) => u.id)).toEqual(['a1', 'm1']);
		const noted = await call(casePage.actions.note as Handler, MANAGER, {
			params: { id: String(t1Case) },
			form: { note: '客户满意' }
		});
		expect(noted.body).toEqual({ done: 'note' });
		await call(alertsAdminPage.actions.sla as Handler, ADMIN, { form: { hours: '24' } });
		expect(((await call(alertsAdminPage.load as Handler, ADMIN)).body as { slaHours: number }).slaHours).toBe(
			24
		);
	});
});
