import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { audit, changedFields } from '$lib/server/auth/audit';
import { publicRule, type Rule } from './rules';

/**
 * Audit entries for alert rules (issue 8): `alert_rule.created|updated|deleted`, and `webhook.changed` whenever a
 * rule's webhook is set, moved to another URL, given a new secret or removed. Secrets never enter the log.
 */

export interface AuditContext {
	actor: { id: string; email: string };
	ip: string | null;
	now?: number;
}

type Change = 'created' | 'updated' | 'deleted';

/** The rule as the log shows it: the public shape without volatile fields. */
function shown(rule: Rule): Record<string, unknown> {
	const view: Record<string, unknown> = { ...publicRule(rule) };
	for (const key of ['id', 'createdAt', 'updatedAt', 'createdBy']) delete view[key];
	return view;
}

/** The fields whose values differ, with both values. */
export function ruleDiff(before: Rule, after: Rule): Record<string, { from: unknown; to: unknown }> {
	return changedFields(shown(before), shown(after));
}

/** What happened to the webhook between two versions of a rule (null: nothing). */
export function webhookChange(
	before: Rule | null,
	after: Rule | null
): { from: string | null; to: string | null; secretChanged: boolean } | null {
	const from = before?.webhook?.url ?? null;
	const to = after?.webhook?.url ?? null;
	const secretChanged =
		from !== null && to !== null && (before?.webhook?.secret ?? null) !== (after?.webhook?.secret ?? null);
	if (from === to && !secretChanged) return null;
	return { from, to, secretChanged };
}

/**
 * Records a rule's creation, change or deletion, and its webhook's change when there is one (a new secret alone
 * is a webhook change only). An update that changes nothing writes nothing.
 */
export async function auditRule(
	db: Db | Storage,
	change: Change,
	before: Rule | null,
	after: Rule | null,
	context: AuditContext
): Promise<void> {
	const rule = (after ?? before) as Rule;
	const target = `alert_rule:${rule.id}`;
	const base = { actor: context.actor, ip: context.ip, target, ts: context.now };
	if (change === 'created' && after)
		await audit(db, { ...base, action: 'alert_rule.created', details: { rule: shown(after) } });
	else if (change === 'updated' && before && after) {
		const changes = ruleDiff(before, after);
		if (Object.keys(changes).length > 0)
			await audit(db, { ...base, action: 'alert_rule.updated', details: { name: after.name, changes } });
	} else if (change === 'deleted' && before)
		await audit(db, { ...base, action: 'alert_rule.deleted', details: { rule: shown(before) } });
	const hook = webhookChange(change === 'created' ? null : before, change === 'deleted' ? null : after);
	if (hook) await audit(db, { ...base, action: 'webhook.changed', details: { rule: rule.name, ...hook } });
}
