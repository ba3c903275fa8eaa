import { describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, useDatabase } from '$lib/server/db';
import { users, userTeams } from '$lib/server/db/schema';
import type { AuthUser } from '$lib/server/auth/types';
import { writeWithRollups } from '$lib/server/metrics/testing';
import { evaluateAll } from '$lib/server/alerts';
import { openCases, sourceOf } from '$lib/server/cases';
import { listAudit } from '$lib/server/auth/audit';
import * as rulesRoute from './+server';
import * as ruleRoute from './[id]/+server';
import * as alertsRoute from '../alerts/+server';
import * as actionRoute from '../alerts/[id]/[action]/+server';
import * as casesRoute from '../cases/+server';
import * as caseRoute from '../cases/[id]/+server';
import * as caseKpisRoute from '../cases/kpis/+server';
import * as incidentRoute from '../demo/incident/+server';

const T0 = Date.now() - 20 * 60_000;
const db = useDatabase(openDatabase(':memory:'));
db.insert(users)
	.values({
		id: 'm1',
		email: 'm1@example.com',
		name: 'M1',
		passwordHash: 'x',
		role: 'manager',
		createdAt: T0
	})
	.run();
db.insert(userTeams).values({ userId: 'm1', teamId: 't1' }).run();

const who = (role: AuthUser['role'], teams: string[] = [], id = 'u'): AuthUser => ({
	id,
	email: `${id}@example.com`,
	name: id,
	role,
	teams,
	via: 'session'
});
const ADMIN = who('admin');
const MANAGER = who('manager', ['t1'], 'm1');

type Handler = (event: never) => Response | Promise<Response>;

async function call(
	handler: Handler,
	user: AuthUser | null,
	options: { path?: string; params?: Record<string, string>; body?: unknown; method?: string } = {}
): Promise<{ status: number; body: unknown }> {
	const url = new URL(`http://localhost${options.path ?? '/'}`);
	const request = new Request(url, {
		method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
		headers: { 'content-type': 'application/json' },
		body: options.body === undefined ? undefined : JSON.stringify(options.body)
	});
	try {
		const response = await handler({
			url,
			request,
			params: options.params ?? {},
			locals: { user, session: null }
		} as never);
		const text = await response.text();
		return { status: response.status, body: text ? JSON.parse(text) : null };
	} catch (thrown) {
		const e = thrown as { status: number; body: unknown };
		return { status: e.status, body: e.body };
	}
}

describe('alert rules API', () => {
	it('creates the DESIGN.md example, never shows the secret, names bad fields', async () => {
		const created = await call(rulesRoute.POST, ADMIN, {
			body: {
				name: 'CSAT low',
				kind: 'threshold',
				kpi: 'csat',
				op: '<',
				value: 80,
				windowMinutes: 60,
				minN: 30,
				filters: { channel: 'phone' },
				webhook: { url: 'https://hooks.example.com/resonance', secret: 'a-secret-of-16-chars' }
			}
		});
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({
			id: expect.any(Number),
			kind: 'threshold',
			filters: { channel: ['phone'] },
			webhook: { url: 'https://hooks.example.com/resonance', hasSecret: true }
		});
		expect(JSON.stringify(created.body)).not.toContain('a-secret-of-16-chars');
		// Audited: the rule, and its webhook (never its secret).
		const target = `alert_rule:${(created.body as { id: number }).id}`;
		expect((await listAudit(db, { action: 'alert_rule.created' })).rows).toEqual([
			expect.objectContaining({
				actorId: 'u',
				actorEmail: 'u@example.com',
				target,
				details: { rule: expect.objectContaining({ name: 'CSAT low', kpi: 'csat' }) }
			})
		]);
		expect((await listAudit(db, { action: 'webhook.changed' })).rows).toEqual([
			expect.objectContaining({
				target,
				details: {
					rule: 'CSAT low',
					from: null,
					to: 'https://hooks.example.com/resonance',
					secretChanged: false
				}
			})
		]);
		expect(JSON.stringify((await listAudit(db)).rows)).not.toContain('a-secret-of-16-chars');
		const bad = await call(rulesRoute.POST, ADMIN, {
			body: { name: 'x', kind: 'threshold', kpi: 'csat', op: '<', value: 80, windowMinutes: 1 }
		});
		expect(bad).toMatchObject({
			status: 400,
			body: { error: { code: 'invalid_rule', details: [{ field: 'windowMinutes' }] } }
		});
		expect((await call(rulesRoute.POST, who('executive'), { body: {} })).status).toBe(403);
		const outside = await call(rulesRoute.POST, MANAGER, {
			body: { name: 'x', kind: 'risk', signal: 'regulator', teams: ['t2'] }
		});
		expect(outside).toMatchObject({ status: 403, body: { error: { code: 'forbidden_team' } } });
		const list = await call(rulesRoute.GET, MANAGER);
		expect((list.body as { rules: { name: string; editable: boolean }[] }).rules).toEqual([
			expect.objectContaining({ name: 'CSAT low', editable: false })
		]);
	});

	it('patches and deletes by id', async () => {
		const { body } = await call(rulesRoute.POST, MANAGER, {
			body: { name: 'Mine', kind: 'risk', signal: 'case_sla' }
		});
		const id = String((body as { id: number }).id);
		const patched = await call(ruleRoute.PATCH, MANAGER, {
			params: { id },
			body: { value: 3 },
			method: 'PATCH'
		});
		expect(patched).toMatchObject({ status: 200, body: { value: 3, teams: ['t1'] } });
		expect((await listAudit(db, { action: 'alert_rule.updated' })).rows[0]).toMatchObject({
			actorEmail: 'm1@example.com',
			target: `alert_rule:${id}`,
			details: { name: 'Mine', changes: { value: { from: 1, to: 3 } } }
		});
		// Only admins set webhooks (DESIGN.md), on a manager's rule too.
		const refused = await call(ruleRoute.PATCH, MANAGER, {
			params: { id },
			body: { webhook: { url: 'https://hooks.example.com/mine', secret: 'first-secret-0123456' } },
			method: 'PATCH'
		});
		expect(refused.status).toBe(403);
		// A new secret alone is a webhook change, not a rule change.
		const hooked = await call(ruleRoute.PATCH, ADMIN, {
			params: { id },
			body: { webhook: { url: 'https://hooks.example.com/mine', secret: 'first-secret-0123456' } },
			method: 'PATCH'
		});
		expect(hooked.status).toBe(200);
		await call(ruleRoute.PATCH, ADMIN, {
			params: { id },
			body: { webhook: { url: 'https://hooks.example.com/mine', secret: 'second-secret-012345' } },
			method: 'PATCH'
		});
		expect(
			(await listAudit(db, { action: 'webhook.changed' })).rows
				.filter((r) => r.target === `alert_rule:${id}`)
				.map((r) => r.details)
		).toEqual([
			{
				rule: 'Mine',
				from: 'https://hooks.example.com/mine',
				to: 'https://hooks.example.com/mine',
				secretChanged: true
			},
			{ rule: 'Mine', from: null, to: 'https://hooks.example.com/mine', secretChanged: false }
		]);
		expect((await listAudit(db, { action: 'alert_rule.updated' })).total).toBe(2);
		expect(
			(await call(ruleRoute.PATCH, MANAGER, { params: { id }, body: { kind: 'anomaly' }, method: 'PATCH' }))
				.status
		).toBe(400);
		expect((await call(ruleRoute.DELETE, MANAGER, { params: { id }, method: 'DELETE' })).status).toBe(204);
		expect((await listAudit(db, { action: 'alert_rule.deleted' })).rows[0]).toMatchObject({
			target: `alert_rule:${id}`,
			details: { rule: expect.objectContaining({ name: 'Mine' }) }
		});
		// Deleting the rule removed its webhook.
		expect((await listAudit(db, { action: 'webhook.changed' })).rows[0].details).toMatchObject({
			from: 'https://hooks.example.com/mine',
			to: null
		});
		expect((await call(ruleRoute.GET, MANAGER, { params: { id } })).status).toBe(404);
	});

	it('takes risk-score rules, names their bad fields and says there is no model yet', async () => {
		const bad = await call(rulesRoute.POST, ADMIN, {
			body: { name: 'VIP at risk', kind: 'risk_score', minScore: 50 }
		});
		expect(bad).toMatchObject({
			status: 400,
			body: { error: { code: 'invalid_rule', details: [{ field: 'minScore' }] } }
		});
		const mine = await call(rulesRoute.POST, MANAGER, {
			body: { name: 'My VIPs at risk', kind: 'risk_score', minScore: 0.4, outcome: 'regulator' }
		});
		expect(mine).toMatchObject({
			status: 201,
			body: { kind: 'risk_score', mode: 'customer', customers: 'vip', outcome: 'regulator', teams: ['t1'] }
		});
		const listed = (await call(rulesRoute.GET, MANAGER)).body as { rules: Record<string, unknown>[] };
		const rule = listed.rules.find((r) => r.name === 'My VIPs at risk');
		expect(rule).toMatchObject({ status: 'no_model', minScore: 0.4, editable: true });
		expect(listed.rules.filter((r) => r.kind !== 'risk_score').every((r) => !('status' in r))).toBe(true);
		const id = String(rule?.id);
		expect(
			await call(ruleRoute.PATCH, MANAGER, { params: { id }, body: { customers: 'any' }, method: 'PATCH' })
		).toMatchObject({ status: 200, body: { customers: 'any' } });
		expect((await call(ruleRoute.DELETE, MANAGER, { params: { id }, method: 'DELETE' })).status).toBe(204);
	});
});

describe('alerts and cases API', () => {
	it('lists alerts by status, scoped, and takes actions', async () => {
		await call(rulesRoute.POST, ADMIN, {
			body: {
				name: 'SL t1',
				kind: 'threshold',
				kpi: 'service_level',
				op: '<',
				value: 70,
				windowMinutes: 30,
				perTeam: true
			}
		});
		writeWithRollups(
			db,
			Array.from({ length: 60 }, (_, i) => ({
				id: `k${i}`,
				type: 'contact' as const,
				ts: T0 + i * 1000,
				customerId: `c${i}`,
				channel: 'phone' as const,
				handledBy: 'agent' as const,
				teamId: i % 2 ? 't1' : 't2',
				waitS: 90,
				outcome: 'resolved' as const,
				properties: {}
			}))
		);
		await evaluateAll(db);
		const mine = await call(alertsRoute.GET, MANAGER, { path: '/api/v1/alerts?status=open' });
		const alerts = (mine.body as { alerts: { id: number; scope: string; openedAt: string }[] }).alerts;
		expect(alerts.map((a) => a.scope)).toEqual(['t1']);
		expect(alerts[0].openedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
		expect((await call(alertsRoute.GET, ADMIN, { path: '/api/v1/alerts?status=open' })).body).toMatchObject({
			counts: { open: 2 }
		});
		expect((await call(alertsRoute.GET, ADMIN, { path: '/api/v1/alerts?status=closed' })).status).toBe(400);
		const ack = await call(actionRoute.POST, MANAGER, {
			params: { id: String(alerts[0].id), action: 'acknowledge' },
			body: {}
		});
		expect(ack).toMatchObject({
			status: 200,
			body: { status: 'acknowledged', acknowledgedBy: 'm1@example.com' }
		});
		const snooze = await call(actionRoute.POST, MANAGER, {
			params: { id: String(alerts[0].id), action: 'snooze' },
			body: { minutes: 60 }
		});
		expect((snooze.body as { snoozedUntil: string }).snoozedUntil).toMatch(/T/);
		expect(
			(
				await call(actionRoute.POST, MANAGER, {
					params: { id: String(alerts[0].id), action: 'explode' },
					body: {}
				})
			).status
		).toBe(404);
		expect(
			(await call(actionRoute.POST, who('executive'), { params: { id: '1', action: 'resolve' }, body: {} }))
				.status
		).toBe(403);
	});

	it('lists a manager’s cases and lets them work one', async () => {
		await openCases(
			db,
			(
				[
					{
						id: 'f1',
						type: 'feedback',
						ts: T0,
						customerId: 'c1',
						metric: 'nps',
						score: 2,
						teamId: 't1',
						properties: {}
					},
					{
						id: 'f2',
						type: 'feedback',
						ts: T0,
						customerId: 'c2',
						metric: 'csat',
						score: 1,
						teamId: 't2',
						properties: {}
					}
				] satisfies CxEvent[]
			).map(sourceOf)
		);
		const list = await call(casesRoute.GET, MANAGER, { path: '/api/v1/cases?status=open' });
		const cases = (
			list.body as {
				cases: { id: number; customerId: string; assignee: { id: string } | null; dueAt: string }[];
			}
		).cases;
		expect(cases).toEqual([
			expect.objectContaining({
				customerId: 'c1',
				reason: 'detractor',
				team: 't1',
				status: 'open',
				assignee: expect.objectContaining({ id: 'm1' })
			})
		]);
		expect(Date.parse(cases[0].dueAt) - T0).toBe(48 * 3_600_000);
		expect((await call(casesRoute.GET, MANAGER, { path: '/api/v1/cases?team=t2' })).status).toBe(403);
		const worked = await call(caseRoute.PATCH, MANAGER, {
			params: { id: String(cases[0].id) },
			body: { status: 'contacted', note: '已回访' },
			method: 'PATCH'
		});
		expect(worked).toMatchObject({
			status: 200,
			body: { status: 'contacted', notes: [{ kind: 'status' }, { kind: 'note', text: '已回访' }] }
		});
		expect(
			(
				await call(caseRoute.PATCH, MANAGER, {
					params: { id: String(cases[0].id) },
					body: { status: 'closed' },
					method: 'PATCH'
				})
			).status
		).toBe(400);
		const kpis = await call(caseKpisRoute.GET, who('executive'), { path: '/api/v1/cases/kpis' });
		expect(kpis.body).toMatchObject({ followUpRate: { n: 1, x: 1, value: null }, cases: 2 });
	});

	it('refuses the incident switch without a running simulator, and to non-admins', async () => {
		expect((await call(incidentRoute.POST, ADMIN, { body: { on: true } })).status).toBe(409);
		expect((await call(incidentRoute.GET, MANAGER)).status).toBe(403);
		expect((await call(incidentRoute.GET, ADMIN)).body).toMatchObject({ running: false, incident: false });
	});
});
