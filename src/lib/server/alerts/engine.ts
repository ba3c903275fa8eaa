import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
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

export async function evaluateAll(
	db: Db | Storage,
	now = Date.now(),
	only?: (rule: Rule) => boolean
): Promise<EvaluationReport> {
	const started = performance.now();
	const changes: AlertChange[] = [];
	const failed: EvaluationReport['failed'] = [];
	const timings: EvaluationReport['timings'] = [];
	let count = 0;
	for (const rule of await listRules(db)) {
		if (only && !only(rule)) continue;
		if (!rule.enabled) {
			changes.push(...(await resolveRuleAlerts(db, rule.id, null, now, 'rule disabled')));
			continue;
		}
		count++;
		const t = performance.now();
		try {
			changes.push(...(await applyFindings(db, rule, await evaluateRule(db, rule, now), now)));
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
