import { describe, expect, it } from 'vitest';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import { byEngine, type Storage } from '$lib/server/db/storage';
import { COUNT_FEATURES } from '$lib/server/risk';
import { riskStores, type NewRiskScore } from '$lib/server/risk/store';
import type { LogisticModel } from '$lib/server/risk/model';
import { evaluateAll } from './engine';
import { evaluateRule } from './evaluate';
import { createRule, parseRule, RuleError, type Rule, type RuleActor } from './rules';
import { listAlerts } from './store';

const T = Date.UTC(2026, 3, 14, 2, 0);
const MINUTE = 60_000;
const DAY = 86_400_000;
const ALL = { teams: null };
const ADMIN: RuleActor = { email: 'admin@bank.example', role: 'admin', scope: ALL };

/**
 * A hand-made model: only the contact count matters, score = sigmoid(−3 + 2·ln(1 + contacts)): 14 contacts in the
 * 14 days → 0.918, 1 contact → 0.166 (so a level of 0.5 is crossed from 4 contacts on).
 */
function model(intercept: number): LogisticModel {
	return {
		features: [...COUNT_FEATURES],
		means: COUNT_FEATURES.map(() => 0),
		sds: COUNT_FEATURES.map(() => 1),
		coefficients: COUNT_FEATURES.map((f) => (f === 'contacts' ? 2 : 0)),
		intercept,
		lambda: 1,
		iterations: 1
	};
}

interface Planted {
	id: string;
	score: number;
	regulator?: number;
	team?: string | null;
	segment?: string | null;
}

/** Stores a model run (the model and the given scores), as risk training does. */
async function retrain(db: Storage, scores: Planted[], scoredAt = T): Promise<number> {
	const rows: NewRiskScore[] = scores.map((s) => ({
		customerId: s.id,
		score: s.score,
		regulatorScore: s.regulator ?? s.score / 4,
		teamId: s.team === undefined ? 't1' : s.team,
		segment: s.segment === undefined ? 'mass' : s.segment,
		reasons: [
			{ feature: 'longWaits', contribution: 0.8 },
			{ feature: 'repeatChains', contribution: 0.4 }
		]
	}));
	return byEngine(db, riskStores).saveModel(
		{
			trainedAt: scoredAt,
			trainFrom: scoredAt - 70 * DAY,
			trainTo: scoredAt - 28 * DAY,
			testFrom: scoredAt - 28 * DAY,
			testTo: scoredAt,
			model: { complaint: model(-3), regulator: model(-5), trainAnchors: [], testAnchors: [] },
			quality: {}
		},
		rows,
		scoredAt
	);
}

/** Contacts straight into the events table (the features read type, ts, customer, team and segment only). */
async function contacts(db: Storage, rows: { id: string; customer: string; ts: number; team: string }[]) {
	for (let i = 0; i < rows.length; i += 200) {
		const batch = rows.slice(i, i + 200);
		const values = batch.map(() => `(?, 'contact', ?, ?, ?, ?, 'mass', '{}')`).join(', ');
		const params = batch.flatMap((r) => [r.id, r.ts, r.ts, r.customer, r.team]);
		const sql = `INSERT INTO events (id, type, ts, received_at, customer_id, team_id, segment, properties) VALUES ${values}`;
		if (db.engine === 'sqlite') db.db.$client.prepare(sql).run(...params);
		else {
			let n = 0;
			await db.db.$client.unsafe(
				sql.replace(/\?/g, () => `$${++n}`),
				params
			);
		}
	}
}

const onlyRule = (id: number) => (r: Rule) => r.id === id;

describe('risk-score rules: validation', () => {
	it('names the field that is wrong', () => {
		expect(() => parseRule({ name: 'x', kind: 'risk_score', minScore: 1.2 })).toThrow(/minScore/);
		expect(() => parseRule({ name: 'x', kind: 'risk_score', minScore: 0.5, customers: 'gold' })).toThrow(
			/customers/
		);
		expect(() => parseRule({ name: 'x', kind: 'risk_score', minScore: 0.5, outcome: 'media' })).toThrow(
			/outcome/
		);
		expect(() => parseRule({ name: 'x', kind: 'risk_score', minScore: 0.5, perTeam: true })).toThrow(
			/perTeam/
		);
		try {
			parseRule({ name: 'x', kind: 'risk_score' });
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(RuleError);
			expect((error as RuleError).status).toBe(400);
			expect((error as RuleError).message).toMatch(/^minScore:/);
		}
		expect(parseRule({ name: 'x', kind: 'risk_score', minScore: 0.5 })).toMatchObject({
			mode: 'customer',
			customers: 'vip',
			outcome: 'complaint',
			value: 5,
			ratio: 1.5,
			alpha: 0.001,
			baselineWeeks: 4
		});
	});
});

describe.each(testEngines)('risk-score rules on $engine', ({ open }) => {
	const fresh = freshStorage(open);

	it('a customer crossing fires once, staying above does not fire again, dropping and re-crossing does', async () => {
		const db = await fresh();
		const { rule } = await createRule(
			db,
			{ name: 'Anyone over 50%', kind: 'risk_score', customers: 'any', minScore: 0.5 },
			ADMIN,
			T
		);
		await retrain(db, [
			{ id: 'A', score: 0.7 },
			{ id: 'B', score: 0.3 }
		]);
		let pass = await evaluateAll(db, T + MINUTE, onlyRule(rule.id));
		expect(pass.changes.map((c) => [c.type, c.alert.scope])).toEqual([['opened', 'customer:A']]);
		const opened = pass.changes[0].alert;
		expect(opened.value).toBe(0.7);
		expect(opened.teams).toEqual(['t1']);
		expect(opened.summary).toBe(
			'Customer A (team t1): complaint risk 70.0% ≥ 50.0% in the next 14 days; top reasons: ' +
				'Long waits (≥ 3 min), Repeat contacts within 48 h'
		);
		expect(opened.details).toMatchObject({ mode: 'customer', customerId: 'A', score: 0.7, minScore: 0.5 });

		// Still above, at the same run and after a retraining that keeps A at 0.65: no new alert.
		expect((await evaluateAll(db, T + 2 * MINUTE, onlyRule(rule.id))).changes).toEqual([]);
		await retrain(db, [
			{ id: 'A', score: 0.65 },
			{ id: 'B', score: 0.3 }
		]);
		expect((await evaluateAll(db, T + 3 * MINUTE, onlyRule(rule.id))).changes).toEqual([]);

		// A drops below: the alert resolves once the rule's 5 quiet minutes have passed.
		await retrain(db, [
			{ id: 'A', score: 0.4 },
			{ id: 'B', score: 0.3 }
		]);
		expect((await evaluateAll(db, T + 4 * MINUTE, onlyRule(rule.id))).changes).toEqual([]);
		pass = await evaluateAll(db, T + 9 * MINUTE, onlyRule(rule.id));
		expect(pass.changes.map((c) => [c.type, c.alert.id])).toEqual([['resolved', opened.id]]);

		// A crosses again (and B for the first time): one new alert each.
		await retrain(db, [
			{ id: 'A', score: 0.55 },
			{ id: 'B', score: 0.5 }
		]);
		pass = await evaluateAll(db, T + 10 * MINUTE, onlyRule(rule.id));
		expect(pass.changes.map((c) => [c.type, c.alert.scope]).sort()).toEqual([
			['opened', 'customer:A'],
			['opened', 'customer:B']
		]);
		const all = await listAlerts(db, ALL, { ruleId: rule.id });
		expect(all.filter((a) => a.scope === 'customer:A')).toHaveLength(2);
		expect(all).toHaveLength(3);
	});

	it('a VIP rule watches the 贵宾 and 私行 segments only; the regulator probability is selectable', async () => {
		const db = await fresh();
		const { rule: vip } = await createRule(
			db,
			{ name: 'VIP', kind: 'risk_score', customers: 'vip', minScore: 0.5 },
			ADMIN,
			T
		);
		const { rule: regulator } = await createRule(
			db,
			{ name: '12378', kind: 'risk_score', customers: 'any', outcome: 'regulator', minScore: 0.25 },
			ADMIN,
			T
		);
		await retrain(db, [
			{ id: 'M', score: 0.9, regulator: 0.1, segment: 'mass' },
			{ id: 'V', score: 0.6, regulator: 0.3, segment: 'affluent' },
			{ id: 'P', score: 0.55, regulator: 0.2, segment: 'private' },
			{ id: 'Q', score: 0.45, regulator: 0.05, segment: 'private' },
			{ id: 'U', score: 0.95, regulator: 0.26, segment: null }
		]);
		const found = await evaluateRule(db, vip, T + MINUTE);
		expect(found.map((f) => [f.scope, f.value])).toEqual([
			['customer:V', 0.6],
			['customer:P', 0.55]
		]);
		const reg = await evaluateRule(db, regulator, T + MINUTE);
		expect(reg.map((f) => [f.scope, f.value])).toEqual([
			['customer:V', 0.3],
			['customer:U', 0.26]
		]);
		expect(reg[0].summary).toMatch(
			/^Customer V \(team t1\): regulator \(12378\) complaint risk 30\.0% ≥ 25\.0%/
		);
	});

	it("a manager's rule sees their teams' customers only", async () => {
		const db = await fresh();
		const manager: RuleActor = { email: 'm@bank.example', role: 'manager', scope: { teams: ['t1'] } };
		const { rule } = await createRule(
			db,
			{ name: 'Mine', kind: 'risk_score', customers: 'any', minScore: 0.5 },
			manager,
			T
		);
		expect(rule.teams).toEqual(['t1']);
		await retrain(db, [
			{ id: 'A', score: 0.7, team: 't1' },
			{ id: 'C', score: 0.9, team: 't2' },
			{ id: 'N', score: 0.8, team: null }
		]);
		const pass = await evaluateAll(db, T + MINUTE, onlyRule(rule.id));
		expect(pass.changes.map((c) => c.alert.scope)).toEqual(['customer:A']);
		expect((await listAlerts(db, { teams: ['t1'] })).map((a) => a.scope)).toEqual(['customer:A']);
		expect(await listAlerts(db, { teams: ['t2'] })).toEqual([]);
		// Managers cannot send a rule's alerts off the server.
		await expect(
			createRule(
				db,
				{ name: 'Out', kind: 'risk_score', minScore: 0.5, webhook: { url: 'https://hooks.example.com/x' } },
				manager,
				T
			)
		).rejects.toThrow(/only admins/);
	});

	it('without a model the rule says so and never fires', async () => {
		const db = await fresh();
		const { rule } = await createRule(
			db,
			{ name: 'Anyone', kind: 'risk_score', customers: 'any', minScore: 0.01 },
			ADMIN,
			T
		);
		const { rule: count } = await createRule(
			db,
			{ name: 'Count', kind: 'risk_score', mode: 'count', customers: 'any', minScore: 0.01, value: 1 },
			ADMIN,
			T
		);
		for (const r of [rule, count]) {
			const found = await evaluateRule(db, r, T);
			expect(found).toHaveLength(1);
			expect(found[0]).toMatchObject({ state: 'insufficient', details: { status: 'no_model' } });
			expect(found[0].summary).toMatch(/No risk model yet/);
		}
		expect((await evaluateAll(db, T)).changes).toEqual([]);
		expect(await listAlerts(db, ALL)).toEqual([]);
	});

	it('count mode fires on a planted rise over the usual level and not on a flat history', async () => {
		const db = await fresh();
		// Ten customers contact the center every day for 45 days: at each of the four weekly anchors before T they
		// have 14 contacts in the 14 days (score 0.918 ≥ 0.5); five others once (score 0.166 at the anchor after).
		const rows: { id: string; customer: string; ts: number; team: string }[] = [];
		for (let c = 0; c < 10; c++)
			for (let d = 1; d <= 45; d++)
				rows.push({ id: `h${c}-${d}`, customer: `h${c}`, ts: T - d * DAY + 3_600_000, team: 't1' });
		for (let c = 0; c < 5; c++) rows.push({ id: `l${c}`, customer: `l${c}`, ts: T - 20 * DAY, team: 't2' });
		await contacts(db, rows);
		const { rule } = await createRule(
			db,
			{ name: 'More at risk', kind: 'risk_score', mode: 'count', customers: 'any', minScore: 0.5 },
			ADMIN,
			T
		);
		const over = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, score: 0.6 }));

		// Flat: ten over the level now, ten at each earlier week.
		await retrain(db, [...over(10), { id: 'low', score: 0.2 }]);
		let [finding] = await evaluateRule(db, rule, T + MINUTE);
		expect(finding).toMatchObject({ scope: '*', state: 'clear', value: 10 });
		expect(finding.details).toMatchObject({
			count: 10,
			expected: 10,
			history: [10, 10, 10, 10],
			anchors: [T - 7 * DAY, T - 14 * DAY, T - 21 * DAY, T - 28 * DAY]
		});
		expect((await evaluateAll(db, T + MINUTE, onlyRule(rule.id))).changes).toEqual([]);

		// A rise: thirty now. P(X ≥ 30 | 10) = 2.51e-7 < 0.001, 30 ≥ 1.5 × 10 and ≥ 5.
		await retrain(db, over(30));
		[finding] = await evaluateRule(db, rule, T + 2 * MINUTE);
		expect(finding).toMatchObject({ state: 'firing', value: 30, details: { expected: 10 } });
		expect(finding.details.pValue as number).toBeCloseTo(2.50995e-7, 11);
		const pass = await evaluateAll(db, T + 2 * MINUTE, onlyRule(rule.id));
		expect(pass.changes.map((c) => [c.type, c.alert.value])).toEqual([['opened', 30]]);

		// Fourteen is more than usual but not 1.5 times it: clear.
		await retrain(db, over(14));
		[finding] = await evaluateRule(db, rule, T + 3 * MINUTE);
		expect(finding.state).toBe('clear');

		// Per team: the usual level of t1 is ten, of t2 none.
		const { rule: perTeam } = await createRule(
			db,
			{
				name: 'Per team',
				kind: 'risk_score',
				mode: 'count',
				customers: 'any',
				minScore: 0.5,
				perTeam: true
			},
			ADMIN,
			T
		);
		await retrain(db, [
			...over(10),
			{ id: 'x1', score: 0.9, team: 't2' },
			{ id: 'x2', score: 0.9, team: 't2' }
		]);
		const teams = await evaluateRule(db, perTeam, T + 4 * MINUTE);
		expect(teams.map((f) => [f.scope, f.value, f.details.expected, f.state]).sort()).toEqual([
			['t1', 10, 10, 'clear'],
			['t2', 2, 0, 'clear']
		]);
	});
});
