import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { alerts as alertsTable, alertSettings } from '$lib/server/db/schema';
import { writeWithRollups } from '$lib/server/metrics/testing';
import { publishAccepted } from '$lib/server/live/bus';
import { listCases, caseFilterSchema } from '$lib/server/cases';
import { act, evaluateAll } from './engine';
import { evaluateRule } from './evaluate';
import type { Rule } from './rules';
import { onAlertChange } from './notify';
import { startAlerts } from './scheduler';
import type { AlertChange } from './store';
import {
	createRule,
	ensureStarterRules,
	listRules,
	parseRule,
	RuleError,
	STARTER_RULES,
	STARTER_RULES_VERSION,
	updateRule
} from './rules';
import { alertCounts, canSeeAlert, listAlerts } from './store';
import { deliverDue, listDeliveries, retryDelay, sign } from './webhooks';

const MINUTE = 60_000;
const T0 = Date.parse('2025-03-04T10:00:00+08:00');
const ADMIN = { email: 'admin@example.com', role: 'admin', scope: { teams: null } };

let seq = 0;
/** `n` answered phone calls ending in [from, from + spanMs), `within20` of them answered within 20 s. */
function calls(from: number, n: number, within20: number, team = 't1', spanMs = 10 * MINUTE): CxEvent[] {
	return Array.from({ length: n }, (_, i) => ({
		id: `c${seq++}`,
		type: 'contact' as const,
		ts: from + Math.floor((i * spanMs) / n),
		customerId: `cust${seq}`,
		channel: 'phone' as const,
		handledBy: 'agent' as const,
		teamId: team,
		agentId: `${team}-a1`,
		reason: 'bill_inquiry',
		waitS: i < within20 ? 5 : 60,
		handleS: 200,
		outcome: 'resolved' as const,
		properties: {}
	}));
}

function fresh(): Db {
	return openDatabase(':memory:');
}

describe('rules: validation names the field', () => {
	it('accepts the DESIGN.md example and refuses bad fields by name', async () => {
		const spec = parseRule({
			name: 'CSAT low',
			kind: 'threshold',
			kpi: 'csat',
			op: '<',
			value: 80,
			windowMinutes: 60,
			minN: 30,
			filters: { channel: 'phone' },
			webhook: { url: 'https://example.com/hook', secret: 'a-secret-of-16-chars' }
		});
		expect(spec).toMatchObject({ kind: 'threshold', filters: { channel: ['phone'] }, severity: 'warning' });
		const bad = (input: unknown) => {
			try {
				parseRule(input);
			} catch (error) {
				return error as RuleError;
			}
			throw new Error('accepted');
		};
		expect(
			bad({ name: 'x', kind: 'threshold', kpi: 'csat', op: '<', value: 'eighty', windowMinutes: 60 }).message
		).toMatch(/^value:/);
		expect(
			bad({ name: 'x', kind: 'threshold', kpi: 'happiness', op: '<', value: 1, windowMinutes: 60 }).message
		).toMatch(/^kpi:/);
		expect(bad({ name: 'x', kind: 'nonsense' }).message).toMatch(/^kind:/);
		expect(bad({ name: 'x', kind: 'anomaly', kpi: 'csat', lambda: 0.9 }).message).toMatch(/^lambda:/);
		expect(
			bad({ name: 'x', kind: 'risk', signal: 'risk_words', webhook: { url: 'ftp://example.com' } }).message
		).toMatch(/^webhook\.url:/);
	});

	it('keeps a manager inside their teams and seeds the starter set once', async () => {
		const db = fresh();
		const manager = { email: 'm@example.com', role: 'manager', scope: { teams: ['t1'] } };
		const { rule } = await createRule(db, { name: 'Mine', kind: 'risk', signal: 'regulator' }, manager);
		expect(rule.teams).toEqual(['t1']);
		await expect(
			createRule(db, { name: 'Theirs', kind: 'risk', signal: 'regulator', teams: ['t2'] }, manager)
		).rejects.toThrow(/teams/);
		await expect(updateRule(db, rule.id, { teams: ['t1', 't2'] }, manager)).rejects.toThrow(/teams/);
		expect(await ensureStarterRules(db)).toBe(STARTER_RULES.length);
		expect(await ensureStarterRules(db)).toBe(0);
		expect((await listRules(db)).filter((r) => r.builtin)).toHaveLength(STARTER_RULES.length);
	});
});

describe('a threshold rule: opens once, stays single, resolves', () => {
	const db = fresh();
	let rule!: Rule;
	beforeAll(async () => {
		({ rule } = await createRule(
			db,
			{
				name: 'Service level below 70%',
				kind: 'threshold',
				kpi: 'service_level',
				op: '<',
				value: 70,
				windowMinutes: 30,
				minN: 30,
				resolveAfterMinutes: 5
			},
			ADMIN
		));
	});

	it('opens one alert while the condition holds', async () => {
		writeWithRollups(db, calls(T0, 100, 50)); // 50%
		const first = await evaluateAll(db, T0 + 10 * MINUTE);
		expect(first.changes.map((c) => c.type)).toEqual(['opened']);
		expect(first.changes[0].alert).toMatchObject({ ruleId: rule.id, status: 'open', scope: '*', value: 50 });
		writeWithRollups(db, calls(T0 + 10 * MINUTE, 60, 20));
		for (const minutes of [12, 15, 19])
			expect((await evaluateAll(db, T0 + minutes * MINUTE)).changes).toEqual([]);
		const open = await listAlerts(db, { teams: null }, { status: 'open' });
		expect(open).toHaveLength(1);
		expect(open[0].lastSeenAt).toBe(T0 + 19 * MINUTE);
		expect(await alertCounts(db, { teams: null }, T0 + 19 * MINUTE)).toMatchObject({ open: 1 });
	});

	it('is acknowledged with who and when, and resolves after the condition has been clear for a while', async () => {
		const id = (await listAlerts(db, { teams: null }))[0].id;
		const ack = await act(
			db,
			id,
			{ action: 'acknowledge' },
			{ email: 'boss@example.com', scope: { teams: null } },
			T0 + 20 * MINUTE
		);
		expect(ack.alert).toMatchObject({
			status: 'acknowledged',
			acknowledgedBy: 'boss@example.com',
			acknowledgedAt: T0 + 20 * MINUTE
		});
		// The next half hour is good: 95% within 20 s, and the bad calls leave the 30-minute window.
		writeWithRollups(db, calls(T0 + 20 * MINUTE, 600, 570, 't1', 40 * MINUTE));
		expect((await evaluateAll(db, T0 + 50 * MINUTE)).changes).toEqual([]); // clear, but not yet for 5 minutes
		const resolved = (await evaluateAll(db, T0 + 56 * MINUTE)).changes;
		expect(resolved.map((c) => c.type)).toEqual(['resolved']);
		expect(resolved[0].alert).toMatchObject({ id, status: 'resolved', resolvedBy: null });
		expect(db.select().from(alertsTable).all()).toHaveLength(1);
	});

	it('opens a new alert when the condition returns; a person resolving it keeps it closed while it holds', async () => {
		writeWithRollups(db, calls(T0 + 60 * MINUTE, 200, 40));
		const again = (await evaluateAll(db, T0 + 70 * MINUTE)).changes;
		expect(again.map((c) => c.type)).toEqual(['opened']);
		await act(
			db,
			again[0].alert.id,
			{ action: 'resolve' },
			{ email: 'boss@example.com', scope: { teams: null } },
			T0 + 71 * MINUTE
		);
		expect((await evaluateAll(db, T0 + 72 * MINUTE)).changes).toEqual([]);
		expect(await listAlerts(db, { teams: null }, { status: 'open' })).toEqual([]);
		await expect(
			act(db, again[0].alert.id, { action: 'acknowledge' }, { email: 'x', scope: { teams: null } })
		).rejects.toThrow(/resolved/);
	});

	it('snoozes: the bell does not count a snoozed alert', async () => {
		const db2 = fresh();
		await createRule(
			db2,
			{ name: 'SL', kind: 'threshold', kpi: 'service_level', op: '<', value: 70, windowMinutes: 30 },
			ADMIN
		);
		writeWithRollups(db2, calls(T0, 100, 10));
		const [opened] = (await evaluateAll(db2, T0 + 10 * MINUTE)).changes;
		await act(
			db2,
			opened.alert.id,
			{ action: 'snooze', minutes: 30 },
			{ email: 'm', scope: { teams: null } },
			T0 + 11 * MINUTE
		);
		expect(await alertCounts(db2, { teams: null }, T0 + 12 * MINUTE)).toEqual({
			open: 0,
			acknowledged: 0,
			snoozed: 1
		});
		expect(await alertCounts(db2, { teams: null }, T0 + 45 * MINUTE)).toEqual({
			open: 1,
			acknowledged: 0,
			snoozed: 0
		});
	});

	it('requires significance when asked: 68% of 200 is not yet a breach of 70%', async () => {
		const db3 = fresh();
		await createRule(
			db3,
			{
				name: 'SL sig',
				kind: 'threshold',
				kpi: 'service_level',
				op: '<',
				value: 70,
				windowMinutes: 30,
				significant: true
			},
			ADMIN
		);
		writeWithRollups(db3, calls(T0, 200, 136));
		expect((await evaluateAll(db3, T0 + 10 * MINUTE)).changes).toEqual([]);
		writeWithRollups(db3, calls(T0 + 10 * MINUTE, 400, 200));
		expect((await evaluateAll(db3, T0 + 20 * MINUTE)).changes.map((c) => c.type)).toEqual(['opened']);
	});
});

describe('per-team rules and visibility', () => {
	it('raises one alert per team, each visible to that team’s manager only', async () => {
		const db = fresh();
		await createRule(
			db,
			{
				name: 'SL per team',
				kind: 'threshold',
				kpi: 'service_level',
				op: '<',
				value: 70,
				windowMinutes: 30,
				perTeam: true
			},
			ADMIN
		);
		writeWithRollups(db, [
			...calls(T0, 50, 10, 't1'),
			...calls(T0, 50, 10, 't2'),
			...calls(T0, 50, 49, 't3')
		]);
		const opened = (await evaluateAll(db, T0 + 10 * MINUTE)).changes;
		expect(opened.map((c) => c.alert.scope).sort()).toEqual(['t1', 't2']);
		expect((await listAlerts(db, { teams: ['t1'] })).map((a) => a.scope)).toEqual(['t1']);
		expect(await listAlerts(db, { teams: null })).toHaveLength(2);
		expect(canSeeAlert({ teams: null }, { teams: ['t1'] })).toBe(false);
	});
});

describe('risk rules', () => {
	it('a 12378 referral and risk words raise critical alerts', async () => {
		const db = fresh();
		await createRule(
			db,
			{ name: '12378', kind: 'risk', signal: 'regulator', windowMinutes: 60, severity: 'critical' },
			ADMIN
		);
		await createRule(
			db,
			{ name: 'Words', kind: 'risk', signal: 'risk_words', windowMinutes: 10, value: 2 },
			ADMIN
		);
		writeWithRollups(db, [
			{
				id: 'k1',
				type: 'complaint',
				ts: T0,
				customerId: 'c1',
				regulator: true,
				category: 'credit_card',
				severity: 'high',
				properties: {}
			},
			{
				id: 'f1',
				type: 'feedback',
				ts: T0 + 1000,
				customerId: 'c2',
				metric: 'csat',
				score: 1,
				text: '再不解决我就打12378投诉',
				properties: {}
			},
			{
				id: 'f2',
				type: 'feedback',
				ts: T0 + 2000,
				customerId: 'c3',
				metric: 'csat',
				score: 1,
				text: '我会请律师处理，还要找媒体曝光',
				properties: {}
			},
			{
				id: 'f3',
				type: 'feedback',
				ts: T0 + 3000,
				customerId: 'c4',
				metric: 'csat',
				score: 5,
				text: '服务很好，谢谢',
				properties: {}
			}
		]);
		const changes = (await evaluateAll(db, T0 + 5 * MINUTE)).changes;
		expect(changes.map((c) => [c.alert.ruleName, c.type, c.alert.value])).toEqual([
			['12378', 'opened', 1],
			['Words', 'opened', 2]
		]);
		const words = changes[1].alert.details as { samples: { customerId: string; words: string[] }[] };
		expect(words.samples.map((s) => s.customerId).sort()).toEqual(['c2', 'c3']);
		expect(words.samples.find((s) => s.customerId === 'c3')?.words).toEqual(
			expect.arrayContaining(['律师', '媒体', '曝光'])
		);
	});
});

describe('complaint spike: a Poisson test against the hour-of-week baseline', () => {
	const HOUR = 3_600_000;
	// Tuesday 18 March 2025; the Tuesdays before (11 and 4 March) are ordinary days of the same kind.
	const MORNING = Date.parse('2025-03-18T10:30:00+08:00');
	const AFTERNOON = Date.parse('2025-03-18T15:30:00+08:00');
	const EVENING = Date.parse('2025-03-18T18:30:00+08:00');
	const db = fresh();
	let k = 0;
	/** `n` contacts and `complaints` complaints spread over [from, from + span). */
	function traffic(from: number, n: number, complaints: number, span = HOUR): CxEvent[] {
		const out: CxEvent[] = [];
		for (let i = 0; i < n; i++)
			out.push({
				id: `sc${k++}`,
				type: 'contact',
				ts: from + Math.floor((i * span) / n),
				customerId: `sp${k}`,
				channel: 'app',
				handledBy: 'bot',
				outcome: 'resolved',
				properties: {}
			});
		for (let i = 0; i < complaints; i++)
			out.push({
				id: `sk${k++}`,
				type: 'complaint',
				ts: from + Math.floor(((i + 0.5) * span) / complaints),
				customerId: `sp${k}`,
				channel: 'app',
				category: 'digital',
				regulator: false,
				properties: {}
			});
		return out;
	}
	// Two weeks of history: 20 contacts an hour and a complaint every tenth hour (50 per 10,000 contacts), except
	// the Tuesday mornings 09–12, when complaints run at 500 per 10,000 (a weekly batch run, say).
	const history: CxEvent[] = [];
	const first = Math.floor(MORNING / HOUR) * HOUR - 14 * 24 * HOUR;
	for (let h = first, i = 0; h < Math.floor(MORNING / HOUR) * HOUR - HOUR; h += HOUR, i++) {
		const local = new Date(h + 8 * HOUR);
		const slot = local.getUTCDay() === 2 && local.getUTCHours() >= 9 && local.getUTCHours() <= 11;
		history.push(...traffic(h, slot ? 200 : 20, slot ? 10 : i % 10 === 0 ? 1 : 0));
	}
	writeWithRollups(db, history);
	let rule!: Rule;
	beforeAll(async () => {
		({ rule } = await createRule(
			db,
			{
				name: 'Spike',
				kind: 'risk',
				signal: 'complaint_spike',
				windowMinutes: 10,
				value: 4,
				ratio: 3,
				alpha: 0.001,
				minN: 30
			},
			ADMIN
		));
	});
	const window = (now: number, n: number, complaints: number) =>
		writeWithRollups(db, traffic(now - 10 * MINUTE, n, complaints, 10 * MINUTE));

	it('fires on eight complaints in 100 contacts where about one is usual', async () => {
		window(AFTERNOON, 100, 8);
		const [finding] = await evaluateRule(db, rule, AFTERNOON);
		const d = finding.details as Record<string, number & Record<string, number>>;
		expect(finding.state).toBe('firing');
		expect(d.count).toBe(8);
		expect(d.contacts).toBe(100);
		expect(d.expected).toBeGreaterThan(0.5);
		expect(d.expected).toBeLessThan(1.5);
		expect(d.pValue).toBeLessThan(1e-4);
		expect(d.ci95[0]).toBeGreaterThan(d.baselineRate);
		expect(d.baseline.pooledContacts).toBeGreaterThan(6_000);
	});

	it('judges the same count against the hour of the week: usual on Tuesday mornings, so no spike', async () => {
		window(MORNING, 100, 8);
		const [finding] = await evaluateRule(db, rule, MORNING);
		const d = finding.details as Record<string, number & Record<string, number>>;
		expect(d.baseline.slotContacts).toBeGreaterThanOrEqual(1_000);
		expect(d.expected).toBeGreaterThan(2.5);
		expect(d.pValue).toBeGreaterThan(0.001);
		expect(finding.state).toBe('clear');
	});

	it('stays clear at a usual count, and judges nothing below the minimum n or without a baseline', async () => {
		window(EVENING, 100, 1);
		expect((await evaluateRule(db, rule, EVENING))[0].state).toBe('clear');
		window(EVENING + HOUR, 20, 6);
		expect((await evaluateRule(db, rule, EVENING + HOUR))[0].state).toBe('insufficient');
		const empty = fresh();
		writeWithRollups(empty, traffic(AFTERNOON - 10 * MINUTE, 100, 9, 10 * MINUTE));
		const spike = (
			await createRule(
				empty,
				{ name: 'Spike', kind: 'risk', signal: 'complaint_spike', windowMinutes: 10 },
				ADMIN
			)
		).rule;
		expect((await evaluateRule(empty, spike, AFTERNOON))[0].state).toBe('insufficient');
	});
});

describe('starter rules: a database seeded by an earlier version is brought up to date', () => {
	it('adds the new rules, revises the unedited ones, keeps what an admin changed or deleted', async () => {
		const db = fresh();
		// The first starter set had a 60-minute complaint spike and a risk-word rule without a p-value.
		const v1 = async (builtin: string, input: Record<string, unknown>) =>
			(await createRule(db, input, null, T0, builtin)).rule;
		const spike = await v1('default.complaint_spike', {
			name: '投诉激增 · Complaint spike',
			kind: 'risk',
			signal: 'complaint_spike',
			windowMinutes: 60,
			value: 5,
			ratio: 2
		});
		const words = await v1('default.risk_words', {
			name: 'Risk words',
			kind: 'risk',
			signal: 'risk_words',
			windowMinutes: 5,
			value: 3
		});
		await v1('default.service_level', {
			name: 'SL',
			kind: 'threshold',
			kpi: 'service_level',
			op: '<',
			value: 70,
			windowMinutes: 30
		});
		db.insert(alertSettings).values({ key: 'starter_rules_seeded', value: T0 }).run();
		await updateRule(db, words.id, { value: 7 }, ADMIN, T0 + 1_000);

		// Two new rules, one revised; the edited one and the ones deleted in v1 (abandonment …) stay as they are.
		expect(await ensureStarterRules(db, T0 + 2_000)).toBe(3);
		expect(await ensureStarterRules(db, T0 + 3_000)).toBe(0);
		const rules = new Map((await listRules(db)).map((r) => [r.builtin, r]));
		expect([...rules.keys()].sort()).toEqual([
			'default.abandonment_surge',
			'default.complaint_spike',
			'default.risk_words',
			'default.service_level',
			'default.service_level_collapse'
		]);
		expect(rules.get('default.complaint_spike')).toMatchObject({
			id: spike.id,
			windowMinutes: 5,
			value: 4,
			ratio: 3,
			alpha: 0.0001
		});
		expect(rules.get('default.risk_words')).toMatchObject({ value: 7, alpha: 0.001 });
		expect(rules.get('default.service_level_collapse')).toMatchObject({
			kind: 'threshold',
			windowMinutes: 5,
			value: 60,
			minN: 100,
			significant: true
		});
		expect(STARTER_RULES_VERSION).toBe(2);
	});
});

describe('webhooks: signed, retried with back-off, logged', () => {
	const received: { body: string; signature: string; attempt: string }[] = [];
	let failuresLeft = 2;
	const server = createServer((req: IncomingMessage, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({
				body: Buffer.concat(chunks).toString('utf8'),
				signature: String(req.headers['x-resonance-signature']),
				attempt: String(req.headers['x-resonance-attempt'])
			});
			res.statusCode = failuresLeft-- > 0 ? 503 : 204;
			res.end();
		});
	});
	let url = '';
	// The receiver listens on loopback, which webhooks may reach only when RESONANCE_WEBHOOK_ALLOW lists it.
	beforeAll(async () => {
		process.env.RESONANCE_WEBHOOK_ALLOW = '127.0.0.1';
	});
	afterAll(async () => {
		delete process.env.RESONANCE_WEBHOOK_ALLOW;
	});
	beforeAll(async () => {
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
	});
	afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

	it('delivers the alert to a local receiver, retrying twice after 503 with doubling delays', async () => {
		const db = fresh();
		const secret = 'webhook-secret-0123456789';
		await createRule(
			db,
			{
				name: 'SL hook',
				kind: 'threshold',
				kpi: 'service_level',
				op: '<',
				value: 70,
				windowMinutes: 30,
				webhook: { url, secret }
			},
			ADMIN
		);
		writeWithRollups(db, calls(T0, 100, 20));
		await evaluateAll(db, T0 + 10 * MINUTE);
		const base = 1_000;
		let now = T0 + 10 * MINUTE;
		expect(await deliverDue(db, { now, baseDelayMs: base })).toBe(0);
		expect((await listDeliveries(db))[0]).toMatchObject({
			status: 'pending',
			lastStatus: 503,
			nextAttemptAt: now + base
		});
		expect(await deliverDue(db, { now: now + base - 1, baseDelayMs: base })).toBe(0); // not due yet
		now += base;
		expect(await deliverDue(db, { now, baseDelayMs: base })).toBe(0);
		expect((await listDeliveries(db))[0].nextAttemptAt).toBe(now + 2 * base);
		now += 2 * base;
		expect(await deliverDue(db, { now, baseDelayMs: base })).toBe(1);
		const [log] = await listDeliveries(db);
		expect(log).toMatchObject({
			status: 'delivered',
			lastStatus: 204,
			event: 'alert.opened',
			ruleName: 'SL hook'
		});
		expect(log.attempts.map((a) => a.status)).toEqual([503, 503, 204]);
		expect(received.map((r) => r.attempt)).toEqual(['1', '2', '3']);
		// Every attempt carries the same body, signed with the rule's secret.
		for (const r of received) {
			expect(r.body).toBe(received[0].body);
			expect(r.signature).toBe(sign(r.body, secret));
			expect(r.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
		}
		expect(JSON.parse(received[0].body)).toMatchObject({
			event: 'alert.opened',
			rule: { name: 'SL hook', kind: 'threshold' },
			alert: { status: 'open', value: 20 }
		});
		expect(retryDelay(4, 10_000)).toBe(80_000);
	});

	it('gives up on a 4xx answer and after the last attempt on an unreachable receiver', async () => {
		const db = fresh();
		await createRule(
			db,
			{
				name: 'Dead',
				kind: 'risk',
				signal: 'regulator',
				webhook: { url: 'http://127.0.0.1:9/none', secret: 'x'.repeat(16) }
			},
			ADMIN
		);
		writeWithRollups(db, [
			{ id: 'k', type: 'complaint', ts: T0, customerId: 'c', regulator: true, properties: {} }
		]);
		await evaluateAll(db, T0 + MINUTE);
		let now = T0 + MINUTE;
		for (let i = 0; i < 3; i++) {
			await deliverDue(db, { now, baseDelayMs: 10, maxAttempts: 3, timeoutMs: 2_000 });
			now += 1_000;
		}
		const [log] = await listDeliveries(db);
		expect(log.status).toBe('failed');
		expect(log.attempts).toHaveLength(3);
		expect(log.attempts.every((a) => a.status === null && a.error)).toBe(true);
	});
});

describe('the runtime: cases and evaluation from the live bus', () => {
	it('opens a case for a detractor and evaluates shortly after a commit (debounced)', async () => {
		const db = fresh();
		const runtime = startAlerts(db, { intervalMs: 3_600_000, debounceMs: 20, maxWaitMs: 100, minGapMs: 0 });
		const seen: AlertChange[] = [];
		const stop = onAlertChange((c) => seen.push(c));
		try {
			await createRule(db, { name: 'Risk', kind: 'risk', signal: 'regulator', windowMinutes: 60 }, ADMIN);
			const now = Date.now();
			const events: CxEvent[] = [
				{
					id: 'x1',
					type: 'feedback',
					ts: now - 1000,
					customerId: 'c1',
					metric: 'nps',
					score: 2,
					teamId: 't1',
					properties: {}
				},
				{ id: 'x2', type: 'complaint', ts: now - 1000, customerId: 'c2', regulator: true, properties: {} }
			];
			writeWithRollups(db, events);
			publishAccepted({
				sourceId: null,
				receivedAt: now,
				accepted: 2,
				duplicates: 0,
				byType: {},
				redacted: {},
				events
			});
			// Cases are opened asynchronously after the commit is announced.
			const queue = () => listCases(db, { teams: null }, caseFilterSchema.parse({}), { id: 'admin' });
			await expect
				.poll(async () => (await queue()).cases.map((c) => [c.customerId, c.reason]).sort(), {
					timeout: 2_000
				})
				.toEqual([
					['c1', 'detractor'],
					['c2', 'regulator_complaint']
				]);
			await expect
				.poll(() => seen.map((c) => [c.type, c.alert.ruleName]), { timeout: 2_000 })
				.toContainEqual(['opened', 'Risk']);
		} finally {
			stop();
			runtime.stop();
		}
	});
});
