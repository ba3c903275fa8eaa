import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { users, userTeams } from '$lib/server/db/schema';
import { pgSchema } from '$lib/server/db/postgres';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import {
	freshStorage,
	mirrorToPostgres,
	testEngines,
	testPostgres,
	type TestPostgres
} from '$lib/server/testing/postgres';
import { publishAccepted } from '$lib/server/live/bus';
import { startAlerts, type AlertsRuntime } from '$lib/server/alerts/scheduler';
import { rawRows } from '$lib/server/auth/testing';
import { writeWithRollups } from '$lib/server/metrics/testing';
import { postgresWriter } from '$lib/server/ingest/postgres-writer';
import { evaluateAll } from '$lib/server/alerts/engine';
import { createRule } from '$lib/server/alerts/rules';
import { listAlerts } from '$lib/server/alerts/store';
import {
	backfillCases,
	caseCounts,
	caseKpis,
	caseFilterSchema,
	customerOpenCase,
	getCase,
	getSlaHours,
	listCases,
	openCases,
	setSlaHours,
	sourceOf,
	updateCase,
	assignees
} from '.';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-03-04T10:00:00+08:00');

type Role = 'manager' | 'admin' | 'executive';

async function addUser(s: Storage, id: string, role: Role, teams: string[] = [], disabled = false) {
	const user = {
		id,
		email: `${id}@example.com`,
		name: id,
		passwordHash: 'x',
		role,
		disabled,
		createdAt: T0
	};
	const bindings = teams.map((teamId) => ({ userId: id, teamId }));
	if (s.engine === 'sqlite') {
		s.db.insert(users).values(user).run();
		if (bindings.length) s.db.insert(userTeams).values(bindings).run();
	} else {
		await s.db.insert(pgSchema.users).values(user);
		if (bindings.length) await s.db.insert(pgSchema.userTeams).values(bindings);
	}
}

async function addStaff(s: Storage) {
	await addUser(s, 'mgr1', 'manager', ['t1']);
	await addUser(s, 'mgr1b', 'manager', ['t1']);
	// A disabled manager of t1 gets nothing (and sorts first by e-mail, so a test would see it).
	await addUser(s, 'mgr0', 'manager', ['t1'], true);
	await addUser(s, 'mgr2', 'manager', ['t2']);
	await addUser(s, 'boss', 'admin');
}

/** Writes events the way ingestion does on this engine (the cases only need the events table). */
async function write(s: Storage, events: readonly CxEvent[]) {
	if (s.engine === 'sqlite') writeWithRollups(s.db, events);
	else await postgresWriter(s.db).writeEvents(events, { sourceId: null });
}

const contact = (id: string, customerId: string, teamId: string, ts: number): CxEvent => ({
	id,
	type: 'contact',
	ts,
	customerId,
	channel: 'phone',
	handledBy: 'agent',
	teamId,
	agentId: `${teamId}-a1`,
	waitS: 10,
	handleS: 100,
	outcome: 'unresolved',
	reason: 'bill_inquiry',
	properties: {}
});

const answer = (
	id: string,
	customerId: string,
	metric: 'nps' | 'csat' | 'ces',
	score: number,
	ts: number,
	extra: Partial<CxEvent> = {}
): CxEvent => ({
	id,
	type: 'feedback',
	ts,
	customerId,
	metric,
	score,
	properties: { surveyId: `s-${id}` },
	...extra
});

const complaint = (id: string, customerId: string, ts: number, extra: Partial<CxEvent> = {}): CxEvent => ({
	id,
	type: 'complaint',
	ts,
	customerId,
	regulator: true,
	properties: {},
	...extra
});

const MGR1 = { id: 'mgr1', name: 'mgr1', email: 'mgr1@example.com', scope: { teams: ['t1'] } };
const BOSS = { id: 'boss', name: 'boss', email: 'boss@example.com', scope: { teams: null } };
const all = caseFilterSchema.parse({});

describe.each(testEngines)('follow-up cases on $engine', ({ open }) => {
	const fresh = freshStorage(open);

	async function setup(): Promise<Storage> {
		const storage = await fresh();
		await addStaff(storage);
		return storage;
	}

	it('opens a case for a detractor, assigned to the manager of the agent’s team, due in 48 h', async () => {
		const s = await setup();
		await write(s, [contact('k1', 'c1', 't1', T0)]);
		const opened = await openCases(
			s,
			[
				answer('f1', 'c1', 'nps', 3, T0 + 60_000, { contactId: 'k1', text: '等了太久' }),
				answer('f2', 'c2', 'nps', 9, T0 + 60_000),
				answer('f3', 'c3', 'csat', 3, T0 + 60_000),
				answer('f4', 'c4', 'ces', 3, T0 + 60_000, { teamId: 't2' })
			].map(sourceOf),
			T0 + 120_000
		);
		expect(opened.map((c) => [c.customerId, c.reason, c.teamId, c.agentId, c.assigneeId])).toEqual([
			['c1', 'detractor', 't1', 't1-a1', 'mgr1'],
			['c4', 'detractor', 't2', null, 'mgr2']
		]);
		expect(opened[0]).toMatchObject({
			key: 'fb:c1:s-f1',
			status: 'open',
			metric: 'nps',
			score: 3,
			openedAt: T0 + 60_000,
			dueAt: T0 + 60_000 + 48 * HOUR,
			comment: '等了太久',
			createdAt: T0 + 120_000
		});
		// The same answer again (a replay) and the survey's other detractor answer open nothing new.
		expect(
			await openCases(s, [answer('f1', 'c1', 'nps', 3, T0 + 60_000, { contactId: 'k1' })].map(sourceOf))
		).toEqual([]);
		const sameSurvey = { ...answer('f1b', 'c1', 'csat', 1, T0 + 61_000), properties: { surveyId: 's-f1' } };
		expect(await openCases(s, [sourceOf(sameSurvey)])).toEqual([]);
		// A regulator complaint opens a case of its own; a team without a manager leaves it unassigned.
		const [rc] = await openCases(s, [
			sourceOf(complaint('r1', 'c9', T0, { teamId: 't9', category: 'fees' }))
		]);
		expect(rc).toMatchObject({
			key: 'rc:r1',
			reason: 'regulator_complaint',
			teamId: 't9',
			assigneeId: null,
			metric: null,
			comment: 'fees'
		});
		expect((await rawRows(s, 'SELECT count(*) AS n FROM follow_up_cases'))[0].n).toBe(3);
	});

	it('spreads a team’s cases over its managers and honours a configured SLA', async () => {
		const s = await setup();
		expect(await getSlaHours(s)).toBe(48);
		expect(await setSlaHours(s, 24)).toBe(24);
		expect(await getSlaHours(s)).toBe(24);
		await expect(setSlaHours(s, 0)).rejects.toThrow();
		const opened = await openCases(
			s,
			['a', 'b', 'c', 'd'].map((id) => sourceOf(answer(id, `c-${id}`, 'nps', 0, T0, { teamId: 't1' })))
		);
		expect(opened.map((c) => c.assigneeId)).toEqual(['mgr1', 'mgr1b', 'mgr1', 'mgr1b']);
		expect(opened[0].dueAt).toBe(T0 + 24 * HOUR);
		// The next batch sees the stored loads: mgr1 closes one of theirs, so mgr1 is the least loaded.
		await updateCase(s, opened[0].id, { status: 'resolved' }, MGR1, T0 + HOUR);
		const [next] = await openCases(s, [sourceOf(answer('e', 'c-e', 'nps', 0, T0, { teamId: 't1' }))]);
		expect(next.assigneeId).toBe('mgr1');
	});

	it('backfills from stored events once, with the same keys as live events', async () => {
		const s = await setup();
		const stored = [
			contact('k3', 'c3', 't2', T0 - 3 * HOUR),
			answer('b1', 'c1', 'nps', 2, T0 - 30 * HOUR, { teamId: 't1' }),
			answer('b2', 'c2', 'csat', 5, T0 - 20 * HOUR, { teamId: 't1' }),
			answer('b4', 'c3', 'ces', 2, T0 - 2 * HOUR, { contactId: 'k3' }),
			complaint('b3', 'c3', T0 - 2 * HOUR + 1000),
			complaint('b5', 'c5', T0 - HOUR, { regulator: false }),
			answer('old', 'c4', 'nps', 0, T0 - 30 * 24 * HOUR, { teamId: 't1' })
		];
		await write(s, stored);
		expect(await backfillCases(s, { days: 7, now: T0 })).toEqual({ scanned: 3, opened: 3 });
		expect(await backfillCases(s, { days: 7, now: T0 })).toEqual({ scanned: 3, opened: 0 });
		// Live delivery of the same events (a replay) finds their cases: the survey id read back from the stored
		// properties gives the key a live event gives.
		expect(await openCases(s, stored.filter((e) => e.id !== 'old').map(sourceOf))).toEqual([]);
		const page = await listCases(s, { teams: null }, all, { id: 'boss' }, T0);
		expect(page.cases.map((c) => [c.customerId, c.reason, c.team, c.agent, c.assignee?.id ?? null])).toEqual([
			// Open ones by due time.
			['c1', 'detractor', 't1', null, 'mgr1'],
			['c3', 'detractor', 't2', 't2-a1', 'mgr2'],
			['c3', 'regulator_complaint', null, null, null]
		]);
		const keys = await rawRows(s, 'SELECT key FROM follow_up_cases ORDER BY key');
		expect(keys.map((r) => r.key)).toEqual(['fb:c1:s-b1', 'fb:c3:s-b4', 'rc:b3']);
	});

	it('opens each case once when two batches race (several processes)', async () => {
		const s = await setup();
		const batch = Array.from({ length: 20 }, (_, i) =>
			sourceOf(answer(`r${i}`, `c${i}`, 'nps', 1, T0 + i, { teamId: i % 2 ? 't1' : 't2' }))
		);
		const [a, b, c] = await Promise.all([openCases(s, batch), openCases(s, batch), openCases(s, batch)]);
		expect(a.length + b.length + c.length).toBe(20);
		expect(new Set([...a, ...b, ...c].map((x) => x.key)).size).toBe(20);
		expect((await listCases(s, { teams: null }, all, { id: 'boss' })).total).toBe(20);
	});

	async function queue(s: Storage) {
		return openCases(
			s,
			[
				answer('q1', 'c1', 'nps', 1, T0, { teamId: 't1' }),
				answer('q2', 'c2', 'nps', 1, T0 + HOUR, { teamId: 't2' }),
				answer('q3', 'c3', 'csat', 1, T0 + 2 * HOUR, { teamId: 't1' })
			].map(sourceOf)
		);
	}

	it('shows a manager their own teams’ cases only; an admin sees all', async () => {
		const s = await setup();
		await queue(s);
		const names = async (teams: string[] | null, filter = all, who = 'mgr1') =>
			(await listCases(s, { teams }, filter, { id: who }, T0)).cases.map((c) => c.customerId);
		expect(await names(['t1'])).toEqual(['c1', 'c3']);
		expect(await names(['t2'], all, 'mgr2')).toEqual(['c2']);
		expect(await names([])).toEqual([]);
		expect((await listCases(s, { teams: null }, all, { id: 'boss' })).total).toBe(3);
		const id = (await listCases(s, { teams: ['t2'] }, all, { id: 'mgr2' })).cases[0].id;
		expect(await getCase(s, id, { teams: ['t1'] })).toBeUndefined();
		expect(await getCase(s, id, { teams: ['t2'] })).toMatchObject({ customerId: 'c2', notes: [] });
		await expect(updateCase(s, id, { note: 'hi' }, MGR1)).rejects.toThrow(/No case/);
		await expect(updateCase(s, 9999, { note: 'hi' }, BOSS)).rejects.toThrow(/No case/);
		expect(
			(await listCases(s, { teams: null }, caseFilterSchema.parse({ assignee: 'me' }), { id: 'mgr2' })).total
		).toBe(1);
		expect(await names(null, caseFilterSchema.parse({ assignee: 'none' }))).toEqual([]);
		expect(await names(null, caseFilterSchema.parse({ team: 't2' }))).toEqual(['c2']);
		expect(await names(null, caseFilterSchema.parse({ reason: 'regulator_complaint' }))).toEqual([]);
		// Paging: two at a time, the cursor continues where the page ended.
		const first = await listCases(s, { teams: null }, caseFilterSchema.parse({ limit: 2 }), { id: 'boss' });
		expect([first.cases.map((c) => c.customerId), first.next, first.total]).toEqual([['c1', 'c2'], 2, 3]);
		const second = await listCases(s, { teams: null }, caseFilterSchema.parse({ limit: 2, cursor: 2 }), {
			id: 'boss'
		});
		expect([second.cases.map((c) => c.customerId), second.next]).toEqual([['c3'], null]);
		// Who a t1 case can go to: its team's enabled managers and the admins, by e-mail.
		expect((await assignees(s, 't1')).map((u) => [u.id, u.role])).toEqual([
			['boss', 'admin'],
			['mgr1', 'manager'],
			['mgr1b', 'manager']
		]);
		expect((await assignees(s, null)).map((u) => u.id)).toEqual(['boss']);
	});

	it('works a case: contacted → resolved, notes and reassignment recorded; counts and the customer card follow', async () => {
		const s = await setup();
		await queue(s);
		expect(await caseCounts(s, { teams: ['t1'] }, T0 + 3 * HOUR)).toEqual({
			open: 2,
			contacted: 0,
			overdue: 0
		});
		const id = (await listCases(s, { teams: ['t1'] }, all, { id: 'mgr1' })).cases[0].id;
		await updateCase(s, id, { status: 'contacted', note: '已电话回访，客户表示理解' }, MGR1, T0 + 3 * HOUR);
		expect(await caseCounts(s, { teams: ['t1'] }, T0 + 49 * HOUR)).toEqual({
			open: 1,
			contacted: 1,
			overdue: 0
		});
		expect(await caseCounts(s, { teams: null }, T0 + 51 * HOUR)).toEqual({
			open: 2,
			contacted: 1,
			overdue: 2
		});
		expect((await customerOpenCase(s, 'c1', ['t1']))?.status).toBe('contacted');
		expect(await customerOpenCase(s, 'c1', ['t2'])).toBeUndefined();
		await updateCase(s, id, { assigneeId: 'mgr1b' }, MGR1, T0 + 4 * HOUR);
		await expect(updateCase(s, id, { assigneeId: 'mgr2' }, MGR1)).rejects.toThrow(/assigneeId/);
		await expect(updateCase(s, id, { assigneeId: 'mgr0' }, MGR1)).rejects.toThrow(/assigneeId/);
		const done = await updateCase(s, id, { status: 'resolved' }, MGR1, T0 + 5 * HOUR);
		expect(done).toMatchObject({
			status: 'resolved',
			contactedAt: T0 + 3 * HOUR,
			closedAt: T0 + 5 * HOUR,
			closedBy: 'mgr1@example.com',
			assignee: { id: 'mgr1b', name: 'mgr1b', email: 'mgr1b@example.com' }
		});
		expect(done?.notes.map((n) => [n.kind, n.text, n.author])).toEqual([
			['status', 'contacted', 'mgr1'],
			['note', '已电话回访，客户表示理解', 'mgr1'],
			['assign', 'mgr1b', 'mgr1'],
			['status', 'resolved', 'mgr1']
		]);
		await expect(updateCase(s, id, { status: 'unreachable' }, MGR1)).rejects.toThrow(/cannot go/);
		// A refused change wrote nothing.
		expect((await getCase(s, id, MGR1.scope))?.notes).toHaveLength(4);
		expect(await customerOpenCase(s, 'c1', null)).toBeUndefined();
		// Reopened: closed fields cleared, first contact kept; unassigning is allowed.
		const reopened = await updateCase(s, id, { status: 'open', assigneeId: null }, BOSS, T0 + 6 * HOUR);
		expect(reopened).toMatchObject({
			status: 'open',
			contactedAt: T0 + 3 * HOUR,
			closedAt: null,
			assignee: null
		});
	});

	it('raises an alert per team for cases past their SLA, and clears it once they are followed up', async () => {
		const s = await setup();
		await queue(s);
		await createRule(
			s,
			{ name: 'Overdue', kind: 'risk', signal: 'case_sla', value: 1, perTeam: true, resolveAfterMinutes: 0 },
			null
		);
		expect((await evaluateAll(s, T0 + 10 * HOUR)).changes).toEqual([]);
		const late = (await evaluateAll(s, T0 + 51 * HOUR)).changes;
		expect(late.map((c) => [c.type, c.alert.scope, c.alert.value]).sort()).toEqual([
			['opened', 't1', 2],
			['opened', 't2', 1]
		]);
		expect((await listAlerts(s, { teams: ['t1'] })).map((a) => a.scope)).toEqual(['t1']);
		const overdue = await listCases(
			s,
			{ teams: ['t1'] },
			caseFilterSchema.parse({ overdue: '1' }),
			{ id: 'mgr1' },
			T0 + 51 * HOUR
		);
		expect(overdue.cases.map((c) => [c.customerId, c.overdue])).toEqual([
			['c1', true],
			['c3', true]
		]);
		for (const c of overdue.cases) await updateCase(s, c.id, { status: 'unreachable' }, MGR1, T0 + 52 * HOUR);
		expect((await evaluateAll(s, T0 + 53 * HOUR)).changes.map((c) => [c.type, c.alert.scope])).toEqual([
			['resolved', 't1']
		]);
	});

	it('computes follow-up, within-SLA and recovery rates with n and Wilson intervals', async () => {
		const s = await setup();
		const events: CxEvent[] = [];
		for (let i = 0; i < 40; i++)
			events.push(answer(`d${i}`, `c${i}`, 'nps', 4, T0 + i * 1000, { teamId: 't1' }));
		await write(s, events);
		const opened = await openCases(s, events.map(sourceOf));
		// 30 followed up: 20 in time, 10 late; 10 never.
		for (const [i, c] of opened.slice(0, 30).entries())
			await updateCase(s, c.id, { status: 'contacted' }, MGR1, c.openedAt + (i < 20 ? 10 : 60) * HOUR);
		// Later answers: 12 of the followed-up customers answer again, 9 better than before.
		await write(
			s,
			opened.slice(0, 12).map((c, i) => answer(`n${i}`, c.customerId, 'nps', i < 9 ? 8 : 3, T0 + 100 * HOUR))
		);
		const k = await caseKpis(
			s,
			{ from: T0 - HOUR, to: T0 + HOUR, filters: {}, scope: { teams: ['t1'] } },
			T0 + 200 * HOUR
		);
		expect(k.followUpRate).toMatchObject({ value: 75, n: 40, x: 30 });
		expect(k.withinSlaRate).toMatchObject({ value: 50, n: 40, x: 20 });
		expect(k.followUpRate.ci95?.[0]).toBeCloseTo(59.8, 0);
		expect(k.recoveryRate).toMatchObject({ value: null, n: 12, x: 9, ci95: null });
		expect(k).toMatchObject({ cases: 40, open: 10, overdue: 10 });
		// Before the due time nothing counts against the team: only the 30 followed up are due-or-done.
		const early = await caseKpis(
			s,
			{ from: T0 - HOUR, to: T0 + HOUR, filters: {}, scope: { teams: null } },
			T0 + 20 * HOUR
		);
		// Attempts count once recorded; the 10 never contacted are not due yet.
		expect([
			early.followUpRate.n,
			early.followUpRate.x,
			early.withinSlaRate.x,
			early.open,
			early.overdue
		]).toEqual([30, 30, 20, 10, 0]);
		const other = await caseKpis(s, {
			from: T0 - HOUR,
			to: T0 + HOUR,
			filters: {},
			scope: { teams: ['t2'] }
		});
		expect(other.cases).toBe(0);
		// A team filter outside a manager's teams leaves nothing; an admin's filter limits to it.
		const outside = await caseKpis(s, {
			from: T0 - HOUR,
			to: T0 + HOUR,
			filters: { team: ['t2'] },
			scope: { teams: ['t1'] }
		});
		expect(outside.cases).toBe(0);
		const filtered = await caseKpis(s, {
			from: T0 - HOUR,
			to: T0 + HOUR,
			filters: { team: ['t1', 't2'] },
			scope: { teams: null }
		});
		expect(filtered.cases).toBe(40);
	});

	it('counts a recovery only for a non-detractor answer after the follow-up, on the same metric', async () => {
		const s = await setup();
		const events: CxEvent[] = [];
		// 34 NPS detractors (score 2) and 2 regulator complaints, all in t1, all followed up one hour after.
		for (let i = 0; i < 34; i++)
			events.push(answer(`d${i}`, `c${i}`, 'nps', 2, T0 + i * 1000, { teamId: 't1' }));
		events.push(complaint('x0', 'cx0', T0, { teamId: 't1' }), complaint('x1', 'cx1', T0, { teamId: 't1' }));
		await write(s, events);
		const opened = await openCases(s, events.map(sourceOf));
		expect(opened).toHaveLength(36);
		for (const c of opened) await updateCase(s, c.id, { status: 'contacted' }, MGR1, c.openedAt + HOUR);
		const later: CxEvent[] = [];
		// c0–c24: a later NPS answer, not a detractor (7+) for c0–c19, a detractor (0–2) for c20–c24.
		for (let i = 0; i < 25; i++)
			later.push(answer(`n${i}`, `c${i}`, 'nps', i < 20 ? 7 + (i % 4) : i % 3, T0 + 50 * HOUR));
		// c25–c29: a non-detractor NPS answer, but before the follow-up (does not count, nor hide a later one).
		for (let i = 25; i < 30; i++) later.push(answer(`e${i}`, `c${i}`, 'nps', 10, T0 + i * 1000 + 60_000));
		// c25–c27 then answer after: the first answer after the follow-up counts (2 recovered, 1 not).
		for (let i = 25; i < 28; i++) later.push(answer(`m${i}`, `c${i}`, 'nps', i < 27 ? 9 : 1, T0 + 60 * HOUR));
		// c30–c31: a later CSAT answer only (another metric: not a recovery answer for an NPS case).
		for (let i = 30; i < 32; i++) later.push(answer(`s${i}`, `c${i}`, 'csat', 5, T0 + 50 * HOUR));
		// Complaints are not detractors: their later answers count nowhere.
		later.push(answer('xa', 'cx0', 'nps', 8, T0 + 50 * HOUR), answer('xb', 'cx1', 'csat', 2, T0 + 50 * HOUR));
		await write(s, later);
		const k = await caseKpis(
			s,
			{ from: T0 - HOUR, to: T0 + HOUR, filters: {}, scope: { teams: null } },
			T0 + 40 * 24 * HOUR
		);
		// With a later answer: 25 + 3 = 28 (under the minimum n); recovered: 20 + 2 = 22.
		expect(k.recoveryRate).toMatchObject({ n: 28, x: 22, value: null, ci95: null });
		expect(k.recovery.followedUp).toMatchObject({ n: 28, x: 22, pending: 0, noAnswer: 6 });
		expect(k.recovery.notFollowedUp).toMatchObject({ n: 0, x: 0, pending: 0, noAnswer: 0 });
		expect(k.recovery.difference).toBeNull();
		expect(k.followUpRate).toMatchObject({ value: 100, n: 36, x: 36 });
		expect(k.withinSlaRate).toMatchObject({ value: 100, n: 36, x: 36 });
	});

	it('recovery rate (DOMAIN.md): next answer within 30 days not a detractor, beside detractors not followed up, with Newcombe', async () => {
		const s = await setup();
		const DAY = 24 * HOUR;
		const events: CxEvent[] = [];
		// 60 NPS detractors scoring 2 (f0–f59) and 40 CSAT detractors scoring 1 (g0–g39), all in t1.
		for (let i = 0; i < 60; i++)
			events.push(answer(`f${i}`, `f${i}`, 'nps', 2, T0 + i * 1000, { teamId: 't1' }));
		for (let i = 0; i < 40; i++)
			events.push(answer(`g${i}`, `g${i}`, 'csat', 1, T0 + i * 1000, { teamId: 't1' }));
		await write(s, events);
		const opened = await openCases(s, events.map(sourceOf));
		expect(opened).toHaveLength(100);
		const byCustomer = new Map(opened.map((c) => [c.customerId, c]));
		// Followed up (reached) one hour after: f0–f39 and g0–g19. Unreachable: g20–g29. Never worked: the rest.
		for (let i = 0; i < 40; i++)
			await updateCase(s, byCustomer.get(`f${i}`)!.id, { status: 'contacted' }, MGR1, T0 + HOUR);
		for (let i = 0; i < 20; i++)
			await updateCase(s, byCustomer.get(`g${i}`)!.id, { status: 'resolved' }, MGR1, T0 + HOUR);
		for (let i = 20; i < 30; i++)
			await updateCase(s, byCustomer.get(`g${i}`)!.id, { status: 'unreachable' }, MGR1, T0 + 2 * HOUR);
		const later: CxEvent[] = [];
		// Followed-up NPS: f0–f19 answer 8 (recovered); f20–f29 answer 5 — better than 2 but still a detractor
		// (the old "better score" rule called them recovered); f30–f34 answer 9 but 31 days after the follow-up
		// (outside the window: no answer); f35–f39 never answer.
		for (let i = 0; i < 20; i++) later.push(answer(`fa${i}`, `f${i}`, 'nps', 8, T0 + 5 * DAY));
		for (let i = 20; i < 30; i++) later.push(answer(`fa${i}`, `f${i}`, 'nps', 5, T0 + 5 * DAY));
		for (let i = 30; i < 35; i++) later.push(answer(`fa${i}`, `f${i}`, 'nps', 9, T0 + HOUR + 31 * DAY));
		// Followed-up CSAT: g0–g9 answer 4 (recovered), g10–g14 answer 3 (a detractor for recovery), g15–g19 none.
		for (let i = 0; i < 15; i++) later.push(answer(`ga${i}`, `g${i}`, 'csat', i < 10 ? 4 : 3, T0 + 3 * DAY));
		// Not followed up: f40–f59 (open, overdue) and g20–g39 (unreachable or open). 12 of f40–f59 answer 7
		// (recovered, regression to the mean), 8 answer 6; g20–g29 answer 5 (recovered); g30–g34 answer 2.
		for (let i = 40; i < 60; i++) later.push(answer(`fa${i}`, `f${i}`, 'nps', i < 52 ? 7 : 6, T0 + 10 * DAY));
		for (let i = 20; i < 35; i++)
			later.push(answer(`ga${i}`, `g${i}`, 'csat', i < 30 ? 5 : 2, T0 + 10 * DAY));
		await write(s, later);

		const q = { from: T0 - HOUR, to: T0 + HOUR, filters: {}, scope: { teams: null } };
		const k = await caseKpis(s, q, T0 + 40 * DAY);
		// Followed up: answered within 30 days 30 NPS + 15 CSAT = 45; recovered 20 + 10 = 30.
		expect(k.recovery.followedUp).toMatchObject({ n: 45, x: 30, pending: 0, noAnswer: 15 });
		expect(k.recovery.followedUp.value).toBeCloseTo((30 / 45) * 100, 10);
		// Not followed up: 20 NPS + 15 CSAT answered; recovered 12 + 10 = 22; g35–g39 never answered.
		expect(k.recovery.notFollowedUp).toMatchObject({ n: 35, x: 22, pending: 0, noAnswer: 5 });
		expect(k.recovery.notFollowedUp.value).toBeCloseTo((22 / 35) * 100, 10);
		expect(k.recoveryRate).toEqual({
			value: k.recovery.followedUp.value,
			n: 45,
			x: 30,
			ci95: k.recovery.followedUp.ci95
		});
		// Wilson 30/45: [52.1, 78.6]; 22/35: [46.3, 76.8] (hand-computed, z = 1.96).
		expect(k.recovery.followedUp.ci95?.[0]).toBeCloseTo(52.07, 1);
		expect(k.recovery.followedUp.ci95?.[1]).toBeCloseTo(78.64, 1);
		expect(k.recovery.notFollowedUp.ci95?.[0]).toBeCloseTo(46.3, 1);
		// Difference 66.67 − 62.86 = 3.81 points; Newcombe: 3.81 − √(14.60² + 13.98²) and 3.81 + √(11.97² + 16.56²).
		const d = k.recovery.difference;
		expect(d?.value).toBeCloseTo(30 / 0.45 - 2200 / 35, 8);
		expect(d?.ci95[0]).toBeCloseTo(3.81 - Math.hypot(66.667 - 52.07, 76.835 - 62.857), 1);
		expect(d?.ci95[1]).toBeCloseTo(3.81 + Math.hypot(78.641 - 66.667, 62.857 - 46.336), 1);

		// On day 8: the window of f30–f39 and g15–g19 (followed up, unanswered) is still open, and the answers of
		// the not followed up (day 10) have not come yet.
		const early = await caseKpis(s, q, T0 + 8 * DAY);
		expect(early.recovery.followedUp).toMatchObject({ n: 45, pending: 15, noAnswer: 0 });
		expect(early.recovery.notFollowedUp).toMatchObject({ n: 0, pending: 40, noAnswer: 0, value: null });
		expect(early.recovery.difference).toBeNull();
		// Before their due time, open cases belong to neither group.
		const beforeDue = await caseKpis(s, q, T0 + 3 * HOUR);
		expect(beforeDue.recovery.notFollowedUp).toMatchObject({ n: 0, pending: 10 });
	});
});

describe('both engines give the same answers on one history (a demo backfill with simulated work)', () => {
	let pg: TestPostgres | undefined;
	afterAll(async () => {
		await pg?.close();
	});

	function history(db: Db, now: number): number {
		const events: CxEvent[] = [];
		let detractors = 0;
		for (let c = 0; c < 150; c++) {
			const team = `t${(c % 2) + 1}`;
			const ts = now - (c % 10) * 24 * HOUR - c * 60_000;
			events.push(contact(`k${c}`, `c${c}`, team, ts));
			const score = (c * 7) % 11;
			events.push(answer(`f${c}`, `c${c}`, 'nps', score, ts + 600_000, { contactId: `k${c}` }));
			if (score <= 6) detractors++;
			if (c % 15 === 0) {
				events.push(complaint(`x${c}`, `c${c}`, ts + 700_000, { teamId: team }));
				detractors++;
			}
			// Some customers answer again a day later (recovery).
			if (c % 3 === 0) {
				events.push(answer(`g${c}`, `c${c}`, 'nps', (c * 5) % 11, ts + 30 * HOUR));
				// Another survey: a detractor answer there opens a case of its own.
				if ((c * 5) % 11 <= 6) detractors++;
			}
		}
		writeWithRollups(db, events);
		return detractors;
	}

	it('backfills, lists, counts and rates alike', async () => {
		const now = T0 + 20 * 24 * HOUR;
		const db = openDatabase(':memory:');
		const expected = history(db, now - 12 * 24 * HOUR);
		const lite = sqliteStorage(db);
		await addStaff(lite);
		pg = await mirrorToPostgres(db);
		const post = postgresStorage(pg.db);
		const ask = async (s: Storage) => {
			const backfill = await backfillCases(s, { days: 30, now, simulateWork: true });
			const pages = [];
			let cursor: number | undefined = 0;
			while (cursor !== undefined) {
				const page = await listCases(
					s,
					{ teams: null },
					caseFilterSchema.parse({ limit: 40, cursor }),
					{ id: 'boss' },
					now
				);
				pages.push(...page.cases);
				cursor = page.next ?? undefined;
			}
			const one = await getCase(s, pages[3].id, { teams: null }, now);
			return {
				backfill,
				pages,
				one,
				counts: await caseCounts(s, { teams: ['t1'] }, now),
				kpis: await caseKpis(
					s,
					{ from: now - 30 * 24 * HOUR, to: now, filters: {}, scope: { teams: null } },
					now
				),
				t2: await caseKpis(
					s,
					{ from: now - 30 * 24 * HOUR, to: now, filters: { team: ['t2'] }, scope: { teams: null } },
					now
				)
			};
		};
		const onSqlite = await ask(lite);
		const onPostgres = await ask(post);
		expect(onPostgres).toStrictEqual(onSqlite);
		// By hand: every detractor answer and regulator complaint opened one case; all in the last 30 days.
		expect(onSqlite.backfill).toEqual({ scanned: expected, opened: expected });
		expect(onSqlite.pages).toHaveLength(expected);
		expect(onSqlite.kpis.cases).toBe(expected);
		// The simulated history worked most cases (every simulated one has its note), and the queue's order holds:
		// open before contacted before closed, open ones by due time.
		const rank = (st: string) => (st === 'open' ? 0 : st === 'contacted' ? 1 : 2);
		const ranks = onSqlite.pages.map((c) => rank(c.status));
		expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
		const open = onSqlite.pages.filter((c) => c.status === 'open').map((c) => c.dueAt);
		expect(open).toEqual([...open].sort((a, b) => a - b));
		const worked = onSqlite.pages.filter((c) => c.contactedAt !== null).length;
		expect(worked).toBe(onSqlite.kpis.followUpRate.x);
		expect(worked).toBeGreaterThan(expected / 2);
		const notes = await rawRows(lite, `SELECT count(*) AS n FROM case_notes WHERE author_name = 'demo'`);
		expect(notes[0].n).toBe(worked);
		expect(onSqlite.counts.open).toBe(
			onSqlite.pages.filter((c) => c.team === 't1' && c.status === 'open').length
		);
		expect(onSqlite.t2.cases).toBe(onSqlite.pages.filter((c) => c.team === 't2').length);
	});
});

describe('the alert runtime opens cases on PostgreSQL (two processes on one database)', () => {
	it('opens live detractors’ cases once and backfills the stored ones once', async () => {
		const pg = await testPostgres();
		const s = postgresStorage(pg.db);
		const runtimes: AlertsRuntime[] = [];
		try {
			await addStaff(s);
			const now = Date.now();
			await write(s, [
				answer('h1', 'c1', 'nps', 1, now - 5 * HOUR, { teamId: 't1' }),
				complaint('h2', 'c2', now - 4 * HOUR, { teamId: 't2' })
			]);
			// Two runtimes: two processes' alert services (each hears its own process's commits).
			for (let i = 0; i < 2; i++)
				runtimes.push(
					startAlerts(s, {
						intervalMs: 3_600_000,
						debounceMs: 20,
						maxWaitMs: 100,
						minGapMs: 0,
						backfillDays: 1
					})
				);
			const live = [
				answer('l1', 'c3', 'csat', 1, now - 1000, { teamId: 't1' }),
				answer('l2', 'c4', 'nps', 10, now)
			];
			await write(s, live);
			publishAccepted({
				sourceId: null,
				receivedAt: now,
				accepted: 2,
				duplicates: 0,
				byType: {},
				redacted: {},
				events: live
			});
			const keys = async () =>
				(await rawRows(s, 'SELECT key, assignee_id FROM follow_up_cases ORDER BY key')).map((r) => [
					r.key,
					r.assignee_id
				]);
			// Each case once; t1's two cases went one to each of its managers (whichever opened first).
			await expect
				.poll(async () => (await keys()).map(([key]) => key), { timeout: 10_000, interval: 100 })
				.toEqual(['fb:c1:s-h1', 'fb:c3:s-l1', 'rc:h2']);
			const assigned = await keys();
			expect([assigned[0][1], assigned[1][1]].sort()).toEqual(['mgr1', 'mgr1b']);
			expect(assigned[2][1]).toBe('mgr2');
			// Let the passes in flight finish before the database goes.
			await Promise.all(runtimes.map((r) => r.evaluateNow()));
		} finally {
			for (const r of runtimes) r.stop();
			await pg.close();
		}
	});
});
