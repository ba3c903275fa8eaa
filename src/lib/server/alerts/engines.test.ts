import { afterEach, describe, expect, it } from 'vitest';
import { freshStorage, testEngines, testPostgres } from '$lib/server/testing/postgres';
import { postgresStorage, type Storage } from '$lib/server/db/storage';
import { listAudit } from '$lib/server/auth/audit';
import { addRule, act, changeRule, removeRule } from './engine';
import { createRule, ensureStarterRules, listRules, STARTER_RULES, type Rule, type RuleActor } from './rules';
import { alertCounts, applyFindings, getAlert, listAlerts } from './store';
import { deliverDue, enqueueTest, listDeliveries } from './webhooks';
import type { Finding } from './evaluate';

const T0 = Date.UTC(2026, 2, 3, 2, 0);
const MINUTE = 60_000;
const ALL = { teams: null };
const ADMIN: RuleActor = {
	email: 'admin@bank.example',
	role: 'admin',
	scope: ALL,
	audit: { id: 'u-admin', ip: '10.0.0.9' }
};

function finding(state: Finding['state'], value: number, scope = '*'): Finding {
	return {
		scope,
		teams: scope === '*' ? null : [scope],
		state,
		value,
		summary: `value ${value}`,
		details: { value }
	};
}

describe.each(testEngines)('alerts on $engine', ({ open }) => {
	const fresh = freshStorage(open);

	it('creates, changes and deletes rules, each audited, and seeds the starter set once', async () => {
		const db = await fresh();
		const { rule } = await addRule(
			db,
			{
				name: 'Referrals',
				kind: 'risk',
				signal: 'regulator',
				webhook: { url: 'https://hooks.example.com/x' }
			},
			ADMIN,
			T0
		);
		expect(rule).toMatchObject({ name: 'Referrals', kind: 'risk', signal: 'regulator', enabled: true });
		expect(rule.webhook?.secret).toHaveLength(32);
		const changed = await changeRule(
			db,
			rule.id,
			{ name: 'Referrals 12378', severity: 'critical' },
			ADMIN,
			T0 + 1
		);
		expect(changed.rule).toMatchObject({ name: 'Referrals 12378', severity: 'critical' });
		expect((await listRules(db)).map((r) => r.name)).toEqual(['Referrals 12378']);
		await removeRule(db, rule.id, ADMIN, T0 + 2);
		expect(await listRules(db)).toEqual([]);
		const log = await listAudit(db);
		expect(log.rows.map((r) => r.action).sort()).toEqual(
			[
				'alert_rule.created',
				'alert_rule.deleted',
				'alert_rule.updated',
				'webhook.changed',
				'webhook.changed'
			].sort()
		);
		const updated = log.rows.find((r) => r.action === 'alert_rule.updated');
		expect(updated?.details).toMatchObject({
			changes: {
				name: { from: 'Referrals', to: 'Referrals 12378' },
				severity: { from: 'warning', to: 'critical' }
			}
		});
		expect(updated?.target).toBe(`alert_rule:${rule.id}`);
		expect(await ensureStarterRules(db, T0)).toBe(STARTER_RULES.length);
		expect(await ensureStarterRules(db, T0)).toBe(0);
		expect((await listRules(db)).filter((r) => r.builtin)).toHaveLength(STARTER_RULES.length);
	});

	it('opens once while firing, resolves after the quiet spell, and a person’s resolve holds until it clears', async () => {
		const db = await fresh();
		const { rule } = await createRule(
			db,
			{ name: 'R', kind: 'risk', signal: 'regulator', resolveAfterMinutes: 5 },
			null,
			T0
		);
		const types = async (f: Finding[], now: number) =>
			(await applyFindings(db, rule, f, now)).map((c) => c.type);
		expect(await types([finding('firing', 3)], T0)).toEqual(['opened']);
		expect(await types([finding('firing', 4)], T0 + MINUTE)).toEqual([]);
		const [open] = await listAlerts(db, ALL);
		expect(open).toMatchObject({
			status: 'open',
			value: 4,
			openedAt: T0,
			lastSeenAt: T0 + MINUTE,
			scope: '*'
		});
		// Clear: not resolved within 5 minutes, resolved after.
		expect(await types([finding('clear', 0)], T0 + 2 * MINUTE)).toEqual([]);
		expect(await types([], T0 + 6 * MINUTE)).toEqual([]);
		expect(await types([finding('clear', 0)], T0 + 7 * MINUTE)).toEqual(['resolved']);
		expect((await getAlert(db, open.id, ALL))?.history.map((h) => h.action)).toEqual(['opened', 'resolved']);
		// Fires again: a new alert; acknowledged and resolved by a person, it stays closed while the condition holds.
		expect(await types([finding('firing', 5)], T0 + 8 * MINUTE)).toEqual(['opened']);
		const [second] = await listAlerts(db, ALL, { status: 'open' });
		expect(second.id).not.toBe(open.id);
		const ack = await act(
			db,
			second.id,
			{ action: 'acknowledge' },
			{ email: 'lee@bank.example', scope: ALL },
			T0 + 9 * MINUTE
		);
		expect(ack.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'lee@bank.example' });
		expect(await alertCounts(db, ALL, T0 + 9 * MINUTE)).toEqual({ open: 0, acknowledged: 1, snoozed: 0 });
		await act(
			db,
			second.id,
			{ action: 'resolve' },
			{ email: 'lee@bank.example', scope: ALL },
			T0 + 10 * MINUTE
		);
		expect(await types([finding('firing', 5)], T0 + 11 * MINUTE)).toEqual([]);
		await expect(
			act(db, second.id, { action: 'snooze' }, { email: 'x', scope: ALL }, T0 + 11 * MINUTE)
		).rejects.toThrow(/resolved/);
		expect(await types([finding('clear', 0)], T0 + 12 * MINUTE)).toEqual([]);
		expect(await types([finding('firing', 6)], T0 + 13 * MINUTE)).toEqual(['opened']);
		expect((await listAlerts(db, ALL, { status: 'resolved' })).map((a) => a.resolvedBy)).toEqual([
			'lee@bank.example',
			null
		]);
		// A manager sees only alerts about their own teams.
		expect(await types([finding('firing', 1, 't1')], T0 + 14 * MINUTE)).toEqual(['opened']);
		expect((await listAlerts(db, { teams: ['t1'] })).map((a) => a.scope)).toEqual(['t1']);
	});

	it('queues a test delivery and logs its one attempt', async () => {
		const db = await fresh();
		const { rule } = await createRule(
			db,
			{ name: 'Hook', kind: 'risk', signal: 'regulator', webhook: { url: 'https://hooks.example.com/a' } },
			null,
			T0
		);
		expect(await enqueueTest(db, rule.id, T0)).toBe(true);
		const calls: string[] = [];
		const sent = await deliverDue(db, {
			now: T0,
			fetch: (async (url: string) => {
				calls.push(url);
				return new Response('ok', { status: 200 });
			}) as typeof fetch
		});
		const [delivery] = await listDeliveries(db);
		expect(delivery).toMatchObject({ ruleName: 'Hook', event: 'test', url: 'https://hooks.example.com/a' });
		expect(delivery.attempts).toHaveLength(1);
		// Delivered when the destination check passes (it resolves the name), refused otherwise: either way once.
		expect(calls.length).toBe(sent);
		expect(delivery.status === 'delivered' || delivery.status === 'failed').toBe(true);
		expect(await deliverDue(db, { now: T0 + 3_600_000 })).toBe(0);
	});
});

describe('alerts across PostgreSQL processes', () => {
	let cleanup: (() => Promise<void>)[] = [];
	afterEach(async () => {
		for (const c of cleanup.reverse()) await c();
		cleanup = [];
	});

	async function twoProcesses(): Promise<[Storage, Storage]> {
		const pg = await testPostgres();
		const other = await pg.another({ pool: 4 });
		cleanup.push(pg.close);
		return [postgresStorage(pg.db), postgresStorage(other)];
	}

	it('two pools evaluating the same findings at once open one alert', async () => {
		const [a, b] = await twoProcesses();
		const { rule } = await createRule(a, { name: 'R', kind: 'risk', signal: 'regulator' }, null, T0);
		const rules = await listRules(b);
		const same = rules[0] as Rule;
		for (let round = 0; round < 5; round++) {
			const now = T0 + round * MINUTE;
			const results = await Promise.all([
				applyFindings(a, rule, [finding('firing', round)], now),
				applyFindings(b, same, [finding('firing', round)], now),
				applyFindings(a, rule, [finding('firing', round, 't1')], now),
				applyFindings(b, same, [finding('firing', round, 't1')], now)
			]);
			const opened = results.flat().filter((c) => c.type === 'opened');
			expect(opened.length).toBe(round === 0 ? 2 : 0);
		}
		const all = await listAlerts(a, ALL, { status: 'open' });
		expect(all.map((x) => x.scope).sort()).toEqual(['*', 't1']);
		for (const alert of all)
			expect((await getAlert(b, alert.id, ALL))?.history.map((h) => h.action)).toEqual(['opened']);
	});

	it('two pools delivering at once send each delivery once', async () => {
		const [a, b] = await twoProcesses();
		const { rule } = await createRule(
			a,
			{ name: 'Hook', kind: 'risk', signal: 'regulator', webhook: { url: 'https://hooks.example.com/a' } },
			null,
			T0
		);
		for (let i = 0; i < 6; i++) await enqueueTest(a, rule.id, T0 + i);
		const fetch = (async () => new Response('ok', { status: 200 })) as unknown as typeof globalThis.fetch;
		await Promise.all([deliverDue(a, { now: T0 + 10, fetch }), deliverDue(b, { now: T0 + 10, fetch })]);
		const deliveries = await listDeliveries(a);
		expect(deliveries).toHaveLength(6);
		for (const d of deliveries) expect(d.attempts).toHaveLength(1);
	});
});
