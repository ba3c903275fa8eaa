import { describe, expect, it } from 'vitest';
import { openDatabase, storage, useDatabase } from '$lib/server/db';
import type { AuthUser } from '$lib/server/auth/types';
import { listAudit } from '$lib/server/auth/audit';
import * as ledgerRoute from './+server';
import * as settingsRoute from './settings/+server';

useDatabase(openDatabase(':memory:'));

const who = (role: AuthUser['role'], teams: string[] = []): AuthUser => ({
	id: role,
	email: `${role}@example.com`,
	name: role,
	role,
	teams,
	via: 'session'
});

type Handler = (event: never) => Response | Promise<Response>;

async function call(handler: Handler, user: AuthUser, path: string, body?: unknown, method = 'GET') {
	const url = new URL(`http://localhost${path}`);
	try {
		const response = await handler({
			url,
			request: new Request(url, {
				method,
				headers: { 'content-type': 'application/json' },
				body: body === undefined ? undefined : JSON.stringify(body)
			}),
			params: {},
			locals: { user, session: null },
			getClientAddress: () => '10.0.0.9'
		} as never);
		return { status: response.status, body: await response.json() };
	} catch (error) {
		return { status: (error as { status: number }).status, body: null };
	}
}

const rates = {
	agentMinute: { phone: 3 },
	ivrSession: 0.3,
	botSession: 0.1,
	outboundCall: 5,
	valuePerConversion: 300,
	valuePerRetainedCustomer: 1200
};

describe('GET /api/v1/value', () => {
	it('answers the ledger with its formulas', async () => {
		const r = await call(ledgerRoute.GET, who('executive'), '/api/v1/value?from=2025-01-01&to=2025-02-01');
		expect(r.status).toBe(200);
		expect(r.body.costs.total).toMatchObject({ value: 0, formula: expect.any(String) });
		expect(r.body.trend).toHaveLength(1);
	});

	it('names a bad parameter and refuses a manager another team', async () => {
		const bad = await call(ledgerRoute.GET, who('admin'), '/api/v1/value?from=yesterday');
		expect(bad).toMatchObject({ status: 400, body: { error: { details: { parameter: 'from' } } } });
		const other = await call(ledgerRoute.GET, who('manager', ['t1']), '/api/v1/value?team=t2');
		expect(other.status).toBe(403);
	});
});

describe('PUT /api/v1/value/settings', () => {
	it('is for admins, answers 400 naming the field, and audits a change', async () => {
		const put = (user: AuthUser, body: unknown) =>
			call(settingsRoute.PUT, user, '/api/v1/value/settings', body, 'PUT');
		expect((await put(who('executive'), rates)).status).toBe(403);
		const bad = await put(who('admin'), { ...rates, outboundCall: -5 });
		expect(bad).toMatchObject({ status: 400, body: { error: { details: { parameter: 'outboundCall' } } } });
		const ok = await put(who('admin'), { ...rates, effectiveFrom: '2025-01-01' });
		expect(ok.status).toBe(200);
		expect(ok.body.history[0]).toMatchObject({ effectiveFrom: '2025-01-01', rates: { ivrSession: 0.3 } });
		const got = await call(settingsRoute.GET, who('executive'), '/api/v1/value/settings');
		expect(got.body.history).toHaveLength(1);
		expect((await listAudit(storage(), {})).rows[0]).toMatchObject({
			action: 'settings.changed',
			target: 'value_settings'
		});
	});
});
