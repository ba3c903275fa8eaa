import { describe, expect, it } from 'vitest';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import type { Storage } from '$lib/server/db/storage';
import { openCases, type CaseSource } from '$lib/server/cases';
import { addRule, changeRule, evaluateAll, removeRule } from './engine';
import type { RuleActor } from './rules';
import { listAlerts } from './store';

/**
 * An evaluation pass hands the event loop back between rules (and inside the risk-word rules), so rules may change
 * while it runs and a second pass may be asked for meanwhile. A rule is judged as it is when its turn comes, its
 * findings are applied only if it is still that rule, and passes on one database run one after the other.
 */

const T0 = Date.UTC(2026, 2, 3, 2, 0);
const HOUR = 3_600_000;
const ALL = { teams: null };
const ADMIN: RuleActor = { email: 'admin@bank.example', role: 'admin', scope: ALL };

/** A detractor answered three days before T0: its case is a day past a 48-hour SLA at T0. */
const overdue: CaseSource = {
	id: 'e-1',
	type: 'feedback',
	ts: T0 - 72 * HOUR,
	customerId: 'c-1',
	metric: 'csat',
	score: 1,
	regulator: null,
	text: null,
	channel: 'app',
	teamId: null,
	agentId: null,
	contactId: null,
	category: null,
	surveyId: 's-1'
};

describe.each(testEngines)('an alert pass on $engine', ({ open }) => {
	const fresh = freshStorage(open);

	/** Two rules that both fire on one overdue case (A listed first). */
	async function setUp(): Promise<{ db: Storage; a: number; b: number }> {
		const db = await fresh();
		expect(await openCases(db, [overdue], T0 - 72 * HOUR)).toHaveLength(1);
		const spec = { kind: 'risk', signal: 'case_sla', value: 1 };
		const a = (await addRule(db, { ...spec, name: 'A' }, ADMIN, T0 - HOUR)).rule.id;
		const b = (await addRule(db, { ...spec, name: 'B' }, ADMIN, T0 - HOUR)).rule.id;
		return { db, a, b };
	}

	const unresolvedOf = async (db: Storage, ruleId: number) =>
		(await listAlerts(db, ALL)).filter((x) => x.ruleId === ruleId && x.status !== 'resolved');

	it('does not open an alert for a rule disabled after the pass listed the rules', async () => {
		const { db, a, b } = await setUp();
		// The pass has listed both rules and reaches B; B is disabled just then (as a request between two rules).
		const report = await evaluateAll(db, T0, async (rule) => {
			if (rule.id === b) await changeRule(db, b, { enabled: false }, ADMIN, T0);
			return true;
		});
		expect(report.failed).toEqual([]);
		expect(report.changes.map((c) => [c.type, c.alert.ruleId])).toEqual([['opened', a]]);
		expect(await unresolvedOf(db, a)).toHaveLength(1);
		expect(await unresolvedOf(db, b)).toEqual([]);
	});

	it('does not open an alert for a rule deleted after the pass listed the rules', async () => {
		const { db, a, b } = await setUp();
		const report = await evaluateAll(db, T0, async (rule) => {
			if (rule.id === b) await removeRule(db, b, ADMIN, T0);
			return true;
		});
		expect(report.failed).toEqual([]);
		expect(report.changes.map((c) => [c.type, c.alert.ruleId])).toEqual([['opened', a]]);
		expect((await listAlerts(db, ALL)).map((x) => x.ruleName)).toEqual(['A']);
	});

	it('judges a rule edited after the pass listed the rules by what it says now', async () => {
		const { db, a, b } = await setUp();
		// B now asks for two overdue cases: one is not enough.
		const report = await evaluateAll(db, T0, async (rule) => {
			if (rule.id === b) await changeRule(db, b, { value: 2 }, ADMIN, T0);
			return true;
		});
		expect(report.changes.map((c) => [c.type, c.alert.ruleId])).toEqual([['opened', a]]);
		expect(await unresolvedOf(db, b)).toEqual([]);
	});

	it('runs passes asked for at once one after the other, never interleaved', async () => {
		const { db, a } = await setUp();
		const log: string[] = [];
		// The first pass is slow at every rule (a rule's reads, a risk-word rule's pages); the second is asked for
		// meanwhile (the scheduler and a request, say).
		const first = evaluateAll(db, T0, async (rule) => {
			log.push(`first ${rule.name}`);
			await new Promise((resolve) => setTimeout(resolve, 30));
			return rule.id === a;
		}).then((report) => {
			log.push('first done');
			return report;
		});
		const second = evaluateAll(db, T0 + 60_000, async (rule) => {
			log.push(`second ${rule.name}`);
			return rule.id === a;
		}).then((report) => {
			log.push('second done');
			return report;
		});
		const [one, two] = await Promise.all([first, second]);
		expect(log).toEqual(['first A', 'first B', 'first done', 'second A', 'second B', 'second done']);
		expect(one.changes.map((c) => c.type)).toEqual(['opened']);
		expect(two.changes).toEqual([]);
		expect((await unresolvedOf(db, a))[0].lastSeenAt).toBe(T0 + 60_000);
	});
});
