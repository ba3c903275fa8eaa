import type { Db } from '$lib/server/db';
import { asStorage, type Storage } from '$lib/server/db/storage';
import type { Scope } from '$lib/server/auth/scope';
import { evaluateRule } from './evaluate';
import { announce } from './notify';
import { auditRule } from './audit';
import { createRule, deleteRule, getRule, listRules, updateRule, type Rule, type RuleActor } from './rules';
import {
	actOnAlert,
	applyFindings,
	resolveRuleAlerts,
	snoozeEnded,
	type ActionInput,
	type AlertChange
} from './store';
import { enqueueDeliveries } from './webhooks';

/**
 * One evaluation pass: every enabled rule reads the data, the store opens/updates/resolves its alerts, and the
 * changes are announced (SSE) and queued for webhooks. A rule that fails is logged and skipped.
 */

export interface EvaluationReport {
	changes: AlertChange[];
	rules: number;
	failed: { ruleId: number; error: string }[];
	/** Milliseconds each rule took. */
	timings: { ruleId: number; ms: number }[];
	ms: number;
}

let lastPass = 0;

async function publish(db: Db | Storage, changes: AlertChange[], now: number): Promise<void> {
	if (changes.length === 0) return;
	await enqueueDeliveries(db, changes, now);
	announce(changes);
}

/** Whether a rule read again is still the one a pass evaluated (not deleted, disabled or edited since). */
function unchanged(evaluated: Rule, current: Rule | undefined): current is Rule {
	return current !== undefined && current.enabled && current.updatedAt === evaluated.updatedAt;
}

/** The pass running in this process, per database (by its client): a pass never overlaps another. */
const passes = new WeakMap<object, Promise<unknown>>();

/**
 * One pass over every rule, run after the pass already running on this database in this process (if any): a pass
 * hands the event loop back between rules and inside the risk-word rules, so two must not interleave (each would
 * apply its findings over the other's and announce the same snooze ends twice). `only` chooses rules (and may wait).
 */
export function evaluateAll(
	db: Db | Storage,
	now = Date.now(),
	only?: (rule: Rule) => boolean | Promise<boolean>
): Promise<EvaluationReport> {
	const key = asStorage(db).db;
	const previous = passes.get(key) ?? Promise.resolve();
	const pass = previous.catch(() => undefined).then(() => evaluatePass(db, now, only));
	passes.set(key, pass);
	void pass
		.finally(() => {
			if (passes.get(key) === pass) passes.delete(key);
		})
		.catch(() => undefined);
	return pass;
}

async function evaluatePass(
	db: Db | Storage,
	now: number,
	only: ((rule: Rule) => boolean | Promise<boolean>) | undefined
): Promise<EvaluationReport> {
	const started = performance.now();
	const changes: AlertChange[] = [];
	const failed: EvaluationReport['failed'] = [];
	const timings: EvaluationReport['timings'] = [];
	let count = 0;
	for (const listed of await listRules(db)) {
		if (only && !(await only(listed))) continue;
		// The rules are listed once, but the pass hands the event loop back between them (and the risk-word rules
		// inside), so a rule may have been edited, disabled or deleted since: each is read again when its turn comes.
		const rule = await getRule(db, listed.id);
		if (!rule) continue;
		if (!rule.enabled) {
			changes.push(...(await resolveRuleAlerts(db, rule.id, null, now, 'rule disabled')));
			continue;
		}
		count++;
		const t = performance.now();
		try {
			const findings = await evaluateRule(db, rule, now);
			// … and again before its findings are applied: a rule changed while it was being evaluated keeps its
			// alerts as they are until the next pass evaluates what it says now (a disabled or deleted rule's alerts
			// were resolved by the change itself; an alert opened now would stay open under a rule that no longer
			// fires). From this read to the write below nothing else runs on SQLite.
			if (unchanged(rule, await getRule(db, rule.id)))
				changes.push(...(await applyFindings(db, rule, findings, now)));
		} catch (error) {
			failed.push({ ruleId: rule.id, error: error instanceof Error ? error.message : String(error) });
			console.error(`[resonance] alerts: rule ${rule.id} (${rule.name}) failed`, error);
		}
		timings.push({ ruleId: rule.id, ms: Math.round((performance.now() - t) * 10) / 10 });
		// Requests and live streams run between rules (on SQLite each rule's reads and writes hold the thread).
		await new Promise<void>((resolve) => setImmediate(resolve));
	}
	// Alerts whose snooze just ended are announced again (the bell counts them once more).
	for (const alert of await snoozeEnded(db, lastPass || now - 60_000, now))
		changes.push({ type: 'opened', alert });
	lastPass = now;
	await publish(db, changes, now);
	return { changes, rules: count, failed, timings, ms: Math.round(performance.now() - started) };
}

/** A person acknowledges, resolves or snoozes an alert: announced and sent to the rule's webhook. */
export async function act(
	db: Db | Storage,
	id: number,
	input: ActionInput,
	actor: { email: string; scope: Scope },
	now = Date.now()
): Promise<AlertChange> {
	const change = await actOnAlert(db, id, input, actor, now);
	await publish(db, [change], now);
	return change;
}

function audited(actor: RuleActor, now: number) {
	return actor.audit ? { actor: { id: actor.audit.id, email: actor.email }, ip: actor.audit.ip, now } : null;
}

/** Creates a rule (audited when a person creates it through the app). */
export async function addRule(db: Db | Storage, input: unknown, actor: RuleActor, now = Date.now()) {
	const result = await createRule(db, input, actor, now);
	const context = audited(actor, now);
	if (context) await auditRule(db, 'created', null, result.rule, context);
	return result;
}

/** Changes a rule (audited); disabling it resolves its alerts (announced). */
export async function changeRule(
	db: Db | Storage,
	id: number,
	patch: unknown,
	actor: RuleActor,
	now = Date.now()
) {
	const before = await getRule(db, id);
	const result = await updateRule(db, id, patch, actor, now);
	const context = audited(actor, now);
	if (context && before) await auditRule(db, 'updated', before, result.rule, context);
	if (!result.rule.enabled)
		await publish(db, await resolveRuleAlerts(db, id, actor.email, now, 'rule disabled'), now);
	return result;
}

/** Deletes a rule (audited) after resolving its alerts (announced; they stay listed under the rule's name). */
export async function removeRule(
	db: Db | Storage,
	id: number,
	actor: RuleActor,
	now = Date.now()
): Promise<Rule> {
	const rule = await getRule(db, id);
	let removed: Rule;
	if (rule && (actor.scope.teams === null || rule.teams !== null)) {
		const resolved = await resolveRuleAlerts(db, id, actor.email, now, 'rule deleted');
		removed = await deleteRule(db, id, actor);
		await publish(db, resolved, now);
	} else removed = await deleteRule(db, id, actor);
	const context = audited(actor, now);
	if (context) await auditRule(db, 'deleted', removed, null, context);
	return removed;
}
