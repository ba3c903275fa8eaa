import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, useDatabase } from '$lib/server/db';
import { createWriteKey } from '$lib/server/auth/keys';
import type { AuthUser } from '$lib/server/auth/types';
import { callGet } from '$lib/server/auth/testing';
import { closeIngestion, ingestContext } from '$lib/server/ingest/context';
import { routeIngestion } from '$lib/server/ingest/serve';
import { bearer, post } from '$lib/server/ingest/testing';
import { ingestStatusSchema, type IngestionStatus } from '$lib/server/ingest/status';
import { POST as importCsv } from '../../import/csv/+server';
import { GET } from './+server';

const db = useDatabase(openDatabase(':memory:'));
const { key, sourceId } = await createWriteKey(db, { name: 'contact center app', allowedOrigins: [] });
afterAll(() => closeIngestion(db));

const who = (role: AuthUser['role']): AuthUser => ({
	id: role,
	email: `${role}@example.com`,
	name: role,
	role,
	teams: [],
	via: 'session'
});

const status = (user: AuthUser | null) => callGet(GET, 'http://localhost/api/v1/ingest/status', user);

describe('GET /api/v1/ingest/status', () => {
	it('shows an admin what a source sent, with the rejected field named', async () => {
		const ts = new Date(Date.now() - 1000).toISOString();
		const batch = {
			events: [
				{ id: 'ok-1', type: 'journey', ts, customerId: 'c1', name: 'loss_reported', channel: 'app' },
				{ id: 'bad-1', type: 'feedback', ts, customerId: 'c1', channel: 'app', metric: 'nps', score: 11 }
			]
		};
		const answer = await routeIngestion(
			post('/api/v1/events', JSON.stringify(batch), bearer(key)),
			ingestContext(db)
		);
		expect(answer.status).toBe(200);
		await routeIngestion(
			post('/api/v1/events', '{"events":[]}', bearer('rsn_w_not_a_key')),
			ingestContext(db)
		);

		const r = await status(who('admin'));
		expect(r.status).toBe(200);
		// The answer is what the OpenAPI document says it is.
		const body: IngestionStatus = ingestStatusSchema.parse(r.body);
		const source = body.sources.find((s) => s.sourceId === sourceId);
		expect(source).toMatchObject({
			name: 'contact center app',
			lastHour: { requests: 1, accepted: 1, rejected: 1, failedRequests: 0 },
			sinceStart: { requests: 1, accepted: 1, rejected: 1 }
		});
		// The same hour minute by minute, for the chart: the batch is in the current minute (or the one before,
		// should the minute have turned since), every other minute is 0.
		const minutes = source?.lastHourByMinute;
		expect(minutes?.from).toBe(Math.floor(body.now / 60_000) * 60_000 - 59 * 60_000);
		expect(minutes?.accepted).toHaveLength(60);
		expect(minutes?.accepted.slice(-2).reduce((a, b) => a + b)).toBe(1);
		expect(minutes?.rejected.slice(-2).reduce((a, b) => a + b)).toBe(1);
		expect(minutes?.accepted.slice(0, -2).every((n) => n === 0)).toBe(true);
		expect(minutes?.duplicates.every((n) => n === 0)).toBe(true);
		expect(source?.rejections[0]).toMatchObject({ route: 'native', index: 1 });
		expect(source?.rejections[0].errors.join(' ')).toMatch(/events\[1\]\.score/);
		const unknown = body.sources.find((s) => s.sourceId === null);
		expect(unknown).toMatchObject({
			name: null,
			lastHour: { failedRequests: 1, failedByStatus: { '401': 1 } }
		});
		expect(unknown?.failures[0]).toMatchObject({ status: 401, code: 'unauthorized' });
		expect(body.writer.sinceStart.transactions).toBeGreaterThanOrEqual(1);
		expect(body.writer.lastMinute.events).toBeGreaterThanOrEqual(1);
	});

	it("counts a CSV import once, under the key's source, with its row errors among the rejections", async () => {
		const ts = new Date(Date.now() - 1000).toISOString();
		const csv = [
			'id,ts,customerId,metric,score,channel',
			`csv-1,${ts},c1,csat,4,app`,
			`csv-2,${ts},c2,csat,9,app`
		];
		const before = await status(who('admin'));
		const sinceStart = (body: unknown) =>
			(body as IngestionStatus).sources.find((s) => s.sourceId === sourceId)?.sinceStart;
		const answer = await importCsv({
			url: new URL('http://localhost/api/v1/import/csv?kind=feedback'),
			request: new Request('http://localhost/api/v1/import/csv?kind=feedback', {
				method: 'POST',
				headers: { 'content-type': 'text/csv', ...bearer(key) },
				body: csv.join('\n')
			}),
			locals: {}
		} as never);
		expect(await answer.json()).toMatchObject({ accepted: 1, rejectedCount: 1 });

		const body = ingestStatusSchema.parse((await status(who('admin'))).body);
		const source = body.sources.find((s) => s.sourceId === sourceId);
		const was = sinceStart(before.body);
		expect(source?.sinceStart).toMatchObject({
			requests: (was?.requests ?? 0) + 1,
			accepted: (was?.accepted ?? 0) + 1,
			rejected: (was?.rejected ?? 0) + 1
		});
		expect(source?.rejections[0]).toMatchObject({
			route: 'csv import feedback',
			index: 2,
			errors: ['rows[2].score: must be 1–5 for csat']
		});
	});

	it('is for admins only', async () => {
		expect((await status(who('manager'))).status).toBe(403);
		expect((await status(who('executive'))).status).toBe(403);
		expect((await status(null)).status).toBe(401);
	});
});
