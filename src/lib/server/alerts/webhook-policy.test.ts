/**
 * Webhooks per DESIGN.md: only admins set them (and e-mail recipients); loopback, link-local and unspecified
 * destinations are refused (400 naming the field) unless RESONANCE_WEBHOOK_ALLOW lists the host, at save and again
 * at delivery on the addresses the name resolves to then; URLs and recipients are shown to admins only; redirects
 * are not followed. Through the API's own handlers, on a real in-memory database.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GET as listRules, POST as createRule } from '../../../routes/api/v1/alert-rules/+server';
import { PATCH as patchRule } from '../../../routes/api/v1/alert-rules/[id]/+server';
import { openDatabase, useDatabase, type Db } from '$lib/server/db';
import { alertRules, webhookDeliveries } from '$lib/server/db/schema';
import type { AuthUser } from '$lib/server/auth/types';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliveryProblem, guardedFetch, parseAllowList } from './destinations';
import { deliverDue } from './webhooks';

let db: Db;
beforeAll(async () => {
	db = useDatabase(openDatabase(':memory:'));
});
afterEach(async () => {
	delete process.env.RESONANCE_WEBHOOK_ALLOW;
});

const person = (role: AuthUser['role'], teams: string[] = []): AuthUser => ({
	id: role,
	email: `${role}@bank.example`,
	name: role,
	role,
	teams,
	via: 'session'
});
const admin = person('admin');
const manager = person('manager', ['t-cc1']);

function event(user: AuthUser, body?: unknown, params: Record<string, string> = {}) {
	const url = new URL('http://localhost/api/v1/alert-rules');
	return {
		url,
		params,
		locals: { user, session: null },
		getClientAddress: () => '10.1.2.3',
		request: new Request(url, {
			method: body === undefined ? 'GET' : 'POST',
			...(body === undefined ? {} : { body: JSON.stringify(body) })
		})
	} as never;
}

const rule = (webhookUrl?: string, extra: Record<string, unknown> = {}) => ({
	name: `CSAT low ${Math.random()}`,
	kind: 'threshold',
	kpi: 'csat',
	op: '<',
	value: 80,
	windowMinutes: 60,
	minN: 30,
	...(webhookUrl ? { webhook: { url: webhookUrl, secret: 'a-secret-of-16-chars' } } : {}),
	...extra
});

describe('who sets webhooks, and where they may point', () => {
	it('refuses a manager’s webhook or e-mail recipients (403), even on their own team’s rule', async () => {
		const hook = await createRule(event(manager, rule('https://hooks.bank.example/x', { teams: ['t-cc1'] })));
		expect(hook.status).toBe(403);
		const mail = await createRule(event(manager, rule(undefined, { teams: ['t-cc1'], emails: ['a@b.cn'] })));
		expect(mail.status).toBe(403);
		const plain = await createRule(event(manager, rule(undefined, { teams: ['t-cc1'] })));
		expect(plain.status).toBe(201);
		const id = String((await plain.json()).id);
		const patched = await patchRule(
			event(manager, { webhook: { url: 'https://hooks.bank.example/y' } }, { id }) as never
		);
		expect(patched.status).toBe(403);
	});

	it('refuses loopback, link-local (cloud metadata) and unspecified destinations with 400 naming webhook.url', async () => {
		for (const url of [
			'http://127.0.0.1:8080/hook',
			'http://169.254.169.254/latest/meta-data/',
			'http://[::1]/hook',
			'http://[fe80::1]/hook',
			'http://0.0.0.0/hook',
			'http://localhost:9000/hook',
			'http://[::ffff:127.0.0.1]/hook'
		]) {
			const response = await createRule(event(admin, rule(url)));
			const body = await response.json();
			expect([url, response.status, body.error.details?.[0]?.field]).toEqual([url, 400, 'webhook.url']);
		}
		// Private ranges are a bank's own receivers: allowed.
		expect((await createRule(event(admin, rule('http://10.20.30.40/hook')))).status).toBe(201);
	});

	it('allows a listed host or CIDR (RESONANCE_WEBHOOK_ALLOW)', async () => {
		process.env.RESONANCE_WEBHOOK_ALLOW = 'localhost, 127.0.0.0/8';
		expect((await createRule(event(admin, rule('http://127.0.0.1:8080/hook')))).status).toBe(201);
		expect((await createRule(event(admin, rule('http://localhost:8080/hook')))).status).toBe(201);
		expect((await createRule(event(admin, rule('http://169.254.169.254/')))).status).toBe(400);
	});

	it('shows webhook URLs and recipients to admins only', async () => {
		await createRule(
			event(admin, rule('https://hooks.bank.example/T0KEN?sig=abc', { emails: ['duty@bank.example'] }))
		);
		const seen = async (user: AuthUser) =>
			((await (await listRules(event(user))).json()).rules as { webhook: unknown; emails: string[] }[]).find(
				(r) => r.emails.length || (r.webhook as { url: string | null } | null)?.url !== undefined
			);
		const asAdmin = JSON.stringify((await (await listRules(event(admin))).json()).rules);
		expect(asAdmin).toContain('T0KEN');
		expect(asAdmin).toContain('duty@bank.example');
		for (const user of [manager, person('executive'), person('researcher')]) {
			const text = JSON.stringify((await (await listRules(event(user))).json()).rules);
			expect([user.role, text.includes('T0KEN') || text.includes('duty@bank.example')]).toEqual([
				user.role,
				false
			]);
		}
		expect(await seen(manager)).toBeDefined();
	});
});

describe('the check at delivery', () => {
	it('resolves the host again and refuses a name that now points at loopback or link-local (rebinding)', async () => {
		const allow = parseAllowList('');
		const rebinding = async () => ['203.0.113.9', '169.254.169.254'];
		expect(await deliveryProblem('https://hooks.example/x', allow, rebinding)).toMatch(/169\.254\.169\.254/);
		expect(await deliveryProblem('https://hooks.example/x', allow, async () => ['203.0.113.9'])).toBeNull();
		const listed = parseAllowList('hooks.example');
		expect(await deliveryProblem('https://hooks.example/x', listed, rebinding)).toBeNull();
	});

	it('connects only to the address it checked: a name resolving to loopback is refused at connect time', async () => {
		let hits = 0;
		const receiver = createServer((_req, res) => {
			hits++;
			res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const port = (receiver.address() as AddressInfo).port;
		try {
			const post = { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } };
			// The name resolves to 127.0.0.1 at connect time: refused there, whatever the check before it saw.
			await expect(guardedFetch(`http://localhost:${port}/hook`, post, parseAllowList(''))).rejects.toThrow(
				/refused: localhost resolves to 127\.0\.0\.1/
			);
			expect(hits).toBe(0);
			const allowed = await guardedFetch(
				`http://localhost:${port}/hook`,
				post,
				parseAllowList('127.0.0.0/8')
			);
			// The redirect is the answer; it is not followed.
			expect([allowed.status, hits]).toEqual([302, 1]);
		} finally {
			await new Promise<void>((resolve) => receiver.close(() => resolve()));
		}
	});

	it('never sends to a stored loopback destination, and does not follow redirects', async () => {
		const now = Date.now();
		const [stored] = db
			.insert(alertRules)
			.values({
				name: 'stored before the check existed',
				kind: 'threshold',
				config: {},
				severity: 'warning',
				teams: null,
				perTeam: false,
				enabled: true,
				webhookUrl: 'http://127.0.0.1:9/hook',
				webhookSecret: 'a-secret-of-16-chars',
				createdAt: now,
				updatedAt: now
			})
			.returning()
			.all();
		const [redirecting] = db
			.insert(alertRules)
			.values({
				...stored,
				id: undefined,
				name: 'redirecting receiver',
				webhookUrl: 'http://10.9.9.9/hook'
			})
			.returning()
			.all();
		for (const r of [stored, redirecting])
			db.insert(webhookDeliveries)
				.values({
					ruleId: r.id,
					alertId: null,
					event: 'test',
					url: r.webhookUrl!,
					body: '{}',
					status: 'pending',
					nextAttemptAt: now,
					createdAt: now
				})
				.run();
		const calls: { url: string; redirect: RequestRedirect | undefined }[] = [];
		await deliverDue(db, {
			now,
			fetch: (async (url: string, init?: RequestInit) => {
				calls.push({ url, redirect: init?.redirect });
				return new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/' } });
			}) as typeof fetch
		});
		expect(calls).toEqual([{ url: 'http://10.9.9.9/hook', redirect: 'manual' }]);
		const rows = db.select().from(webhookDeliveries).all();
		const refused = rows.find((d) => d.ruleId === stored.id);
		expect(refused?.status).toBe('failed');
		expect(refused?.attempts[0].error).toMatch(/refused: 127\.0\.0\.1/);
		expect(rows.find((d) => d.ruleId === redirecting.id)?.status).toBe('failed');
	});
});
