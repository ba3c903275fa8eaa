import type { Db } from '$lib/server/db';
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

function publish(db: Db, changes: AlertChange[], now: number): void {
	if (changes.length === 0) return;
	enqueueDeliveries(db, changes, now);
	announce(changes);
}

export async function evaluateAll(
	db: Db,
	now = Date.now(),
	only?: (rule: Rule) => boolean
): Promise<EvaluationReport> {
	const started = performance.now();
	const changes: AlertChange[] = [];
	const failed: EvaluationReport['failed'] = [];
	const timings: EvaluationReport['timings'] = [];
	let count = 0;
	for (const rule of listRules(db)) {
		if (only && !only(rule)) continue;
		if (!rule.enabled) {
			changes.push(...resolveRuleAlerts(db, rule.id, null, now, 'rule disabled'));
			continue;
		}
		count++;
		const t = performance.now();
		try {
			changes.push(...applyFindings(db, rule, await evaluateRule(db, rule, now), now));
		} catch (error) {
			failed.push({ ruleId: rule.id, error: error instanceof Error ? error.message : String(error) });
			console.error(`[resonance] alerts: rule ${rule.id} (${rule.name}) failed`, error);
		}
		timings.push({ ruleId: rule.id, ms: Math.round((performance.now() - t) * 10) / 10 });
	}
	// Alerts whose snooze just ended are announced again (the bell counts them once more).
	for (const alert of snoozeEnded(db, lastPass || now - 60_000, now)) changes.push({ type: 'opened', alert });
	lastPass = now;
	publish(db, changes, now);
	return { changes, rules: count, failed, timings, ms: Math.round(performance.now() - started) };
}

/** A person acknowledges, resolves or snoozes an alert: announced and sent to the rule's webhook. */
export function act(
	db: Db,
	id: number,
	input: ActionInput,
	actor: { email: string; scope: Scope },
	now = Date.now()
): AlertChange {
	const change = actOnAlert(db, id, input, actor, now);
	publish(db, [change], now);
	return change;
}

function audited(actor: RuleActor, now: number) {
	return actor.audit ? { actor: { id: actor.audit.id, email: actor.email }, ip: actor.audit.ip, now } : null;
}

/** Creates a rule (audited when a person creates it through the app). */
export function addRule(db: Db, input: unknown, actor: RuleActor, now = Date.now()) {
	const result = createRule(db, input, actor, now);
	const context = audited(actor, now);
	if (context) auditRule(db, 'created', null, result.rule, context);
	return result;
}

/** Changes a rule (audited); disabling it resolves its alerts (announced). */
export function changeRule(db: Db, id: number, patch: unknown, actor: RuleActor, now = Date.now()) {
	const before = getRule(db, id);
	const result = updateRule(db, id, patch, actor, now);
	const context = audited(actor, now);
	if (context && before) auditRule(db, 'updated', before, result.rule, context);
	if (!result.rule.enabled) publish(db, resolveRuleAlerts(db, id, actor.email, now, 'rule disabled'), now);
	return result;
}

/** Deletes a rule (audited) after resolving its alerts (announced; they stay listed under the rule's name). */
export function removeRule(db: Db, id: number, actor: RuleActor, now = Date.now()): Rule {
	const rule = getRule(db, id);
	let removed: Rule;
	if (rule && (actor.scope.teams === null || rule.teams !== null)) {
		const resolved = resolveRuleAlerts(db, id, actor.email, now, 'rule deleted');
		removed = deleteRule(db, id, actor);
		publish(db, resolved, now);
	} else removed = deleteRule(db, id, actor);
	const context = audited(actor, now);
	if (context) auditRule(db, 'deleted', removed, null, context);
	return removed;
}
