import { describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { users, userTeams } from '$lib/server/db/schema';
import { writeWithRollups } from '$lib/server/metrics/testing';
import { evaluateAll } from '$lib/server/alerts/engine';
import { createRule } from '$lib/server/alerts/rules';
import { listAlerts } from '$lib/server/alerts/store';
import {
	backfillCases,
	caseKpis,
	caseFilterSchema,
	getCase,
	listCases,
	openCases,
	setSlaHours,
	sourceOf,
	updateCase
} from '.';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-03-04T10:00:00+08:00');

function addUser(db: Db, id: string, role: 'manager' | 'admin' | 'executive', teams: string[] = []) {
	db.insert(users)
		.values({ id, email: `${id}@example.com`, name: id, passwordHash: 'x', role, createdAt: T0 })
		.run();
	for (const teamId of teams) db.insert(userTeams).values({ userId: id, teamId }).run();
}

function setup(): Db {
	const db = openDatabase(':memory:');
	addUser(db, 'mgr1', 'manager', ['t1']);
	addUser(db, 'mgr1b', 'manager', ['t1']);
	addUser(db, 'mgr2', 'manager', ['t2']);
	addUser(db, 'boss', 'admin');
	return db;
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

const MGR1 = { id: 'mgr1', name: 'mgr1', email: 'mgr1@example.com', scope: { teams: ['t1'] } };

describe('cases from detractors and regulator complaints', () => {
	it('opens a case for a detractor, assigned to the manager of the agent’s team, due in 48 h', async () => {
		const db = setup();
		writeWithRollups(db, [contact('k1', 'c1', 't1', T0)]);
		const opened = openCases(
			db,
			[
				answer('f1', 'c1', 'nps', 3, T0 + 60_000, { contactId: 'k1', text: '等了太久' }),
				answer('f2', 'c2', 'nps', 9, T0 + 60_000),
				answer('f3', 'c3', 'csat', 3, T0 + 60_000),
				answer('f4', 'c4', 'ces', 3, T0 + 60_000, { teamId: 't2' })
			].map(sourceOf)
		);
		expect(opened.map((c) => [c.customerId, c.reason, c.teamId, c.assigneeId])).toEqual([
			['c1', 'detractor', 't1', 'mgr1'],
			['c4', 'detractor', 't2', 'mgr2']
		]);
		expect(opened[0]).toMatchObject({ status: 'open', dueAt: T0 + 60_000 + 48 * HOUR, comment: '等了太久' });
		// The same answer again (a replay) and the survey's other detractor answer open nothing new.
		expect(
			openCases(db, [answer('f1', 'c1', 'nps', 3, T0 + 60_000, { contactId: 'k1' })].map(sourceOf))
		).toEqual([]);
		const sameSurvey = { ...answer('f1b', 'c1', 'csat', 1, T0 + 61_000), properties: { surveyId: 's-f1' } };
		expect(openCases(db, [sourceOf(sameSurvey)])).toEqual([]);
		// A regulator complaint opens a case of its own; a team without a manager leaves it unassigned.
		const [rc] = openCases(db, [
			sourceOf({
				id: 'r1',
				type: 'complaint',
				ts: T0,
				customerId: 'c9',
				regulator: true,
				teamId: 't9',
				properties: {}
			})
		]);
		expect(rc).toMatchObject({ reason: 'regulator_complaint', teamId: 't9', assigneeId: null });
	});

	it('spreads a team’s cases over its managers and honours a configured SLA', async () => {
		const db = setup();
		setSlaHours(db, 24);
		const opened = openCases(
			db,
			['a', 'b', 'c', 'd'].map((id) => sourceOf(answer(id, `c-${id}`, 'nps', 0, T0, { teamId: 't1' })))
		);
		expect(opened.map((c) => c.assigneeId)).toEqual(['mgr1', 'mgr1b', 'mgr1', 'mgr1b']);
		expect(opened[0].dueAt).toBe(T0 + 24 * HOUR);
	});

	it('backfills from stored events once', async () => {
		const db = setup();
		writeWithRollups(db, [
			answer('b1', 'c1', 'nps', 2, T0 - 30 * HOUR, { teamId: 't1' }),
			answer('b2', 'c2', 'csat', 5, T0 - 20 * HOUR, { teamId: 't1' }),
			{ id: 'b3', type: 'complaint', ts: T0 - 2 * HOUR, customerId: 'c3', regulator: true, properties: {} },
			answer('old', 'c4', 'nps', 0, T0 - 30 * 24 * HOUR, { teamId: 't1' })
		]);
		expect(backfillCases(db, { days: 7, now: T0 })).toEqual({ scanned: 2, opened: 2 });
		expect(backfillCases(db, { days: 7, now: T0 })).toEqual({ scanned: 2, opened: 0 });
	});
});

describe('the queue: role scoping, work, SLA breach', () => {
	const db = setup();
	openCases(
		db,
		[
			answer('q1', 'c1', 'nps', 1, T0, { teamId: 't1' }),
			answer('q2', 'c2', 'nps', 1, T0 + HOUR, { teamId: 't2' }),
			answer('q3', 'c3', 'csat', 1, T0 + 2 * HOUR, { teamId: 't1' })
		].map(sourceOf)
	);
	const all = caseFilterSchema.parse({});

	it('shows a manager their own teams’ cases only; an admin sees all', async () => {
		expect(listCases(db, { teams: ['t1'] }, all, { id: 'mgr1' }).cases.map((c) => c.customerId)).toEqual([
			'c1',
			'c3'
		]);
		expect(listCases(db, { teams: ['t2'] }, all, { id: 'mgr2' }).cases.map((c) => c.customerId)).toEqual([
			'c2'
		]);
		expect(listCases(db, { teams: null }, all, { id: 'boss' }).total).toBe(3);
		const id = listCases(db, { teams: ['t2'] }, all, { id: 'mgr2' }).cases[0].id;
		expect(getCase(db, id, { teams: ['t1'] })).toBeUndefined();
		expect(() => updateCase(db, id, { note: 'hi' }, MGR1)).toThrow(/No case/);
		expect(
			listCases(db, { teams: null }, caseFilterSchema.parse({ assignee: 'me' }), { id: 'mgr2' }).total
		).toBe(1);
	});

	it('works a case: contacted → resolved, notes and reassignment recorded', async () => {
		const id = listCases(db, { teams: ['t1'] }, all, { id: 'mgr1' }).cases[0].id;
		updateCase(db, id, { status: 'contacted', note: '已电话回访，客户表示理解' }, MGR1, T0 + 3 * HOUR);
		updateCase(db, id, { assigneeId: 'mgr1b' }, MGR1, T0 + 4 * HOUR);
		expect(() => updateCase(db, id, { assigneeId: 'mgr2' }, MGR1)).toThrow(/assigneeId/);
		const done = updateCase(db, id, { status: 'resolved' }, MGR1, T0 + 5 * HOUR);
		expect(done).toMatchObject({
			status: 'resolved',
			contactedAt: T0 + 3 * HOUR,
			closedAt: T0 + 5 * HOUR,
			assignee: { id: 'mgr1b' }
		});
		expect(done?.notes.map((n) => n.kind)).toEqual(['status', 'note', 'assign', 'status']);
		expect(() => updateCase(db, id, { status: 'unreachable' }, MGR1)).toThrow(/cannot go/);
	});

	it('raises an alert per team for cases past their SLA, and clears it once they are followed up', async () => {
		await createRule(
			db,
			{ name: 'Overdue', kind: 'risk', signal: 'case_sla', value: 1, perTeam: true, resolveAfterMinutes: 0 },
			null
		);
		expect((await evaluateAll(db, T0 + 10 * HOUR)).changes).toEqual([]);
		const late = (await evaluateAll(db, T0 + 51 * HOUR)).changes;
		expect(late.map((c) => [c.type, c.alert.scope, c.alert.value]).sort()).toEqual([
			['opened', 't1', 1],
			['opened', 't2', 1]
		]);
		expect((await listAlerts(db, { teams: ['t1'] })).map((a) => a.scope)).toEqual(['t1']);
		const overdue = listCases(db, { teams: ['t1'] }, caseFilterSchema.parse({ overdue: '1' }), {
			id: 'mgr1'
		});
		expect(overdue.cases).toHaveLength(1);
		updateCase(db, overdue.cases[0].id, { status: 'unreachable' }, MGR1, T0 + 52 * HOUR);
		expect((await evaluateAll(db, T0 + 53 * HOUR)).changes.map((c) => [c.type, c.alert.scope])).toEqual([
			['resolved', 't1']
		]);
	});
});

describe('follow-up KPIs', () => {
	it('computes follow-up, within-SLA and recovery rates with n and Wilson intervals', async () => {
		const db = setup();
		const events: CxEvent[] = [];
		for (let i = 0; i < 40; i++)
			events.push(answer(`d${i}`, `c${i}`, 'nps', 4, T0 + i * 1000, { teamId: 't1' }));
		writeWithRollups(db, events);
		const opened = openCases(db, events.map(sourceOf));
		// 30 followed up: 20 in time, 10 late; 10 never.
		opened.slice(0, 30).forEach((c, i) => {
			updateCase(db, c.id, { status: 'contacted' }, MGR1, c.openedAt + (i < 20 ? 10 : 60) * HOUR);
		});
		// Later answers: 12 of the followed-up customers answer again, 9 better than before.
		writeWithRollups(
			db,
			opened.slice(0, 12).map((c, i) => answer(`n${i}`, c.customerId, 'nps', i < 9 ? 8 : 3, T0 + 100 * HOUR))
		);
		const k = caseKpis(
			db,
			{ from: T0 - HOUR, to: T0 + HOUR, filters: {}, scope: { teams: ['t1'] } },
			T0 + 200 * HOUR
		);
		expect(k.followUpRate).toMatchObject({ value: 75, n: 40, x: 30 });
		expect(k.withinSlaRate).toMatchObject({ value: 50, n: 40, x: 20 });
		expect(k.followUpRate.ci95?.[0]).toBeCloseTo(59.8, 0);
		expect(k.recoveryRate).toMatchObject({ value: null, n: 12, x: 9, ci95: null });
		expect(k).toMatchObject({ cases: 40, open: 10, overdue: 10 });
		const other = caseKpis(db, { from: T0 - HOUR, to: T0 + HOUR, filters: {}, scope: { teams: ['t2'] } });
		expect(other.cases).toBe(0);
	});
});
