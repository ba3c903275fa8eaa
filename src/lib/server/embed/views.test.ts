/**
 * The embed views' data on both engines: one SQLite fixture (events through the writer, journeys stitched, rollups
 * rebuilt, follow-up cases), mirrored to PostgreSQL; each view asked the same question on both, and the answers
 * compared to each other and to values counted by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import { followUpCases } from '$lib/server/db/schema';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { rebuildRollups } from '$lib/server/metrics/rollups';
import { contact, DAY, fixtureDb, HOUR, ingest, MIN, step, survey, T0 } from '$lib/server/journeys/testing';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { embedAccess } from './access';
import { KEYED_TYPES } from './token';
import type { EmbedContext } from './guard';
import type { z } from 'zod';
import { claimsSchema } from './token';
import * as dashboards from '$lib/server/dashboards';
import { customerView, journeyView, kpisCsv, trendView, wallboardView } from './views';

const NOW = T0 + 2 * DAY;

/** An embed context as the guard builds it, from claims and the viewer's query. */
function context(
	claims: Omit<z.input<typeof claimsSchema>, 'iss' | 'iat' | 'exp'>,
	query = ''
): EmbedContext {
	const parsed = claimsSchema.parse({ iss: 'emb_test', iat: 0, exp: 1, ...claims });
	const access = embedAccess(
		parsed,
		parsed.res.type,
		KEYED_TYPES.includes(parsed.res.type) ? (parsed.res.key ?? null) : null,
		new URLSearchParams(query)
	);
	if (!access.ok) throw new Error(access.message);
	return {
		claims: parsed,
		integration: {
			id: 'emb_test',
			name: 'Test',
			origins: ['https://portal.example'],
			revokedBefore: 0,
			createdAt: 0,
			createdBy: null
		},
		params: access.params,
		scope: { teams: access.scope.teams },
		token: 'token'
	};
}

/**
 * 40 customers on the fixture journey (a → b → c_ok|c_no → d) on the app, each with a CSAT answer: k00–k29 finish
 * (c_ok, d) and answer 5 (team t1); k30–k39 fail at c_no and answer 2 (team t2). k30 also called (team t1) and has
 * three follow-up cases: an open one of t1, a newer contacted one of t2 and a resolved one of t1, the newest of all.
 */
function fixture(): Db {
	const db = fixtureDb();
	const events: CxEvent[] = [];
	for (let i = 0; i < 40; i++) {
		const id = `k${String(i).padStart(2, '0')}`;
		const t = T0 + i * MIN;
		const ok = i < 30;
		const team = ok ? 't1' : 't2';
		events.push(step(id, 'a', t), step(id, 'b', t + MIN), step(id, ok ? 'c_ok' : 'c_no', t + 2 * MIN));
		if (ok) events.push(step(id, 'd', t + 3 * MIN));
		events.push(
			survey(id, t + 4 * MIN, 'csat', ok ? 5 : 2, {
				teamId: team,
				text: ok ? '非常满意，谢谢' : '服务太差了，等了很久'
			})
		);
	}
	events.push(contact('k30', T0 + HOUR, 'phone', { teamId: 't1', text: '客户来电询问转账失败' }));
	ingest(db, events, NOW);
	const base = {
		reason: 'detractor' as const,
		eventId: 'x',
		metric: 'csat',
		score: 2,
		customerId: 'k30',
		createdAt: T0,
		updatedAt: T0
	};
	db.insert(followUpCases)
		.values([
			{
				...base,
				key: 'fb:k30:1',
				teamId: 't1',
				status: 'open' as const,
				openedAt: T0 + 1000,
				dueAt: T0 + 1000 + DAY
			},
			{
				...base,
				key: 'fb:k30:2',
				teamId: 't2',
				status: 'contacted' as const,
				openedAt: T0 + 2000,
				dueAt: NOW + DAY
			},
			{
				...base,
				key: 'fb:k30:3',
				teamId: 't1',
				status: 'resolved' as const,
				openedAt: T0 + 3000,
				dueAt: NOW + DAY
			},
			{
				...base,
				key: 'fb:k01:1',
				customerId: 'k01',
				teamId: 't1',
				status: 'open' as const,
				openedAt: T0,
				dueAt: NOW
			}
		])
		.run();
	return db;
}

let db: Db;
let pg: TestPostgres;
let engines: [string, Storage][];

beforeAll(async () => {
	db = fixture();
	await rebuildRollups(db);
	pg = await mirrorToPostgres(db);
	engines = [
		['sqlite', sqliteStorage(db)],
		['postgres', postgresStorage(pg.db)]
	];
}, 60_000); // Building and mirroring the fixture: seconds, more on a busy machine.

afterAll(async () => {
	await pg?.close();
	db?.$client.close();
});

/** The view on both engines; expects the same answer and returns it. */
async function both<T>(view: (s: Storage) => Promise<T>): Promise<T> {
	const [lite, postgres] = await Promise.all(engines.map(([, s]) => view(s)));
	expect(postgres).toEqual(lite);
	return lite;
}

describe('embed views on SQLite and PostgreSQL', () => {
	it('kpis and wallboard: the scoped KPIs, the same on both engines', async () => {
		const all = await both((s) =>
			wallboardView(s, context({ res: { type: 'kpis' }, filters: { range: '7d' } }), null, NOW)
		);
		expect(all.snapshot.kpis.csat).toMatchObject({ n: 40, value: 75 });
		const t2 = await both((s) =>
			wallboardView(s, context({ res: { type: 'kpis' }, filters: { range: '7d', team: 't2' } }), null, NOW)
		);
		expect(t2.snapshot.kpis.csat).toMatchObject({ n: 10 });
		const tv = await both((s) =>
			wallboardView(
				s,
				context({ res: { type: 'wallboard' }, filters: { range: '7d', team: 't1' } }),
				{ rotate: 20 },
				NOW
			)
		);
		expect(tv.tv?.rotate).toBe(20);
		expect(tv.tv?.alerts).toEqual({ available: true, alerts: [] });
		const app = tv.tv?.channels.find((c) => c.channel === 'app');
		expect(app).toBeDefined();
		// A "today" board's journeys are those of the last 7 days; a token locking more than the team does not
		// show the center's alerts.
		const channel = await both((s) =>
			wallboardView(
				s,
				context({ res: { type: 'wallboard' }, filters: { range: 'today', channel: 'app' } }),
				{ rotate: 20 },
				NOW
			)
		);
		expect(channel.tv?.journeyDays).toBe(7);
		expect(channel.tv?.alerts).toEqual({ available: false, alerts: [] });
	});

	it('the embed wallboard is the app wallboard (dashboards.wallboardView) for the same query and scope', async () => {
		const params = new URLSearchParams({ range: '7d', team: 't1' });
		const q = dashboards.dashboardQuery(params, { teams: ['t1'] }, NOW, 'today');
		if (!q.ok) throw new Error(q.message);
		const app = await both((s) =>
			dashboards.wallboardView(s, q, { rotate: 30, alerts: { teams: ['t1'] } }, NOW)
		);
		const embed = await both((s) =>
			wallboardView(
				s,
				context({ res: { type: 'wallboard' }, filters: { range: '7d', team: 't1' } }),
				{ rotate: 30 },
				NOW
			)
		);
		expect(embed).toEqual(app);
		expect(app.snapshot.kpis.csat).toMatchObject({ n: 30, value: 100 });
		// Without TV mode there are no boards, and the snapshot is the same.
		const plain = await both((s) => dashboards.wallboardView(s, q, null, NOW));
		expect(plain.tv).toBeNull();
		expect(plain.snapshot).toEqual(app.snapshot);
	});

	it('trend: CSAT by day, the answers on the day of T0', async () => {
		const view = await both((s) =>
			trendView(s, context({ res: { type: 'trend', key: 'csat' }, filters: { range: '7d' } }), NOW)
		);
		expect(view.kpi).toBe('csat');
		expect(view.total).toMatchObject({ value: 75, n: 40 });
		// The watermark a live embed compares snapshots with: 40 × (a, b, c, survey) + 30 × d + 1 call.
		expect(view.seq).toBe(191);
		expect(view.period.live).toBe(true);
		const withData = view.points.filter((p) => p.n > 0);
		expect(withData).toEqual([
			expect.objectContaining({ bucket: '2025-01-06T00:00:00+08:00', n: 40, value: 75 })
		]);
	});

	it('funnel: 40 started, 30 finished, 10 failed at c_no; an unknown journey is a 404', async () => {
		const query = `from=${new Date(T0 - DAY).toISOString()}&to=${new Date(NOW).toISOString()}`;
		const claims = { res: { type: 'funnel' as const, key: 'fixture' }, params: ['from', 'to'] };
		const view = await both((s) => journeyView(s, context(claims, query), NOW));
		expect(view.definition.key).toBe('fixture');
		expect(view.funnel.customers).toBe(40);
		expect(view.seq).toBe(191);
		expect(view.funnel.steps.map((st) => st.customers)).toEqual([40, 40, 40, 30]);
		await expect(
			journeyView(engines[1][1], context({ res: { type: 'funnel', key: 'nope' } }), NOW)
		).rejects.toThrow(/No journey/);
	});

	it('customer card: lanes, scores, texts and the open case within the locked teams', async () => {
		const all = await both((s) => customerView(s, context({ res: { type: 'customer', key: 'k30' } }), NOW));
		expect(all.customer?.id ?? all.customer).toBeTruthy();
		expect(all.scores).toEqual([expect.objectContaining({ metric: 'csat', score: 2, channel: 'app' })]);
		expect(all.texts.map((t) => t.text)).toEqual(['服务太差了，等了很久', '客户来电询问转账失败']);
		expect(all.lanes).toHaveLength(1);
		// No complaint-risk model trained in this fixture: the card shows no score (risk/customer.test.ts has one).
		expect(all.risk).toBeNull();
		// The newest open or contacted case, whatever its team (the resolved one is newer still but not open).
		expect(all.openCase).toEqual({
			id: expect.any(Number),
			reason: 'detractor',
			status: 'contacted' as const,
			openedAt: T0 + 2000,
			dueAt: NOW + DAY,
			overdue: false
		});
		const t1 = await both((s) =>
			customerView(s, context({ res: { type: 'customer', key: 'k30' }, filters: { team: 't1' } }), NOW)
		);
		expect(t1.openCase).toMatchObject({ status: 'open' as const, openedAt: T0 + 1000, overdue: true });
		// Under the t1 lock the t2 answer is hidden; the t1 call remains.
		expect(t1.scores).toEqual([]);
		expect(t1.texts.map((t) => t.text)).toEqual(['客户来电询问转账失败']);
		expect(t1.hidden).toBeGreaterThan(0);
		const t3 = await both((s) =>
			customerView(s, context({ res: { type: 'customer', key: 'k30' }, filters: { team: 't3' } }), NOW)
		);
		expect(t3.openCase).toBeNull();
		await expect(
			customerView(engines[1][1], context({ res: { type: 'customer', key: 'nobody' } }), NOW)
		).rejects.toThrow(/No such customer/);
	});

	it('export: the KPI CSV of the scoped query, the same on both engines', async () => {
		const csv = await both((s) =>
			kpisCsv(s, context({ res: { type: 'kpis' }, filters: { range: '7d', team: 't1' } }), NOW)
		);
		const lines = csv.trim().split('\n');
		expect(lines[0]).toBe('kpi,value,n,ci95_low,ci95_high,from,to,filters');
		const csat = lines.find((l) => l.startsWith('csat,'))?.split(',');
		expect(csat?.slice(0, 3)).toEqual(['csat', '100', '30']);
		expect(csv).toContain('"range=7d&team=t1"');
	});
});
