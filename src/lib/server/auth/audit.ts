import type { Db } from '$lib/server/db';
import type { auditLog } from '$lib/server/db/schema';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { auditStores } from './audit-store';

/** Everything the audit log records. Exports are written by the features that export. */
export const AUDIT_ACTIONS = [
	'auth.sign_in',
	'auth.sign_in_failed',
	'auth.sign_in_throttled',
	'auth.sign_out',
	'auth.password_changed',
	'auth.sessions_revoked',
	'user.created',
	'user.updated',
	'user.disabled',
	'user.enabled',
	'user.password_reset',
	'source.created',
	'source.updated',
	'key.created',
	'key.revoked',
	'data.exported',
	'settings.changed',
	'alert_rule.created',
	'alert_rule.updated',
	'alert_rule.deleted',
	'webhook.changed',
	'journey.created',
	'journey.updated',
	'journey.mapping_added',
	'journey.mapping_removed',
	'data.rebuilt',
	'data.imported',
	'data.backed_up',
	'data.restored',
	'data.retention_pruned',
	'customer.deleted',
	'embed.created',
	'embed.revoked',
	'embed.removed',
	'embed.token_issued',
	'audience.created',
	'risk.model_trained'
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
	action: AuditAction;
	/** Who did it: a user (id and e-mail), or nobody for the system and for anonymous attempts. */
	actor?: { id: string | null; email: string | null } | null;
	/** What it was done to: an e-mail, `key:12`, `source:3`, an export's name. */
	target?: string | null;
	ip?: string | null;
	details?: Record<string, unknown>;
	/** Milliseconds since the epoch; now by default (tests pass their own clock). */
	ts?: number;
}

/** The top-level fields whose values differ between two versions of a record, with both values (for `details`). */
export function changedFields(
	before: Record<string, unknown>,
	after: Record<string, unknown>
): Record<string, { from: unknown; to: unknown }> {
	const diff: Record<string, { from: unknown; to: unknown }> = {};
	for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
		if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
			diff[key] = { from: before[key] ?? null, to: after[key] ?? null };
	return diff;
}

/** Appends one entry to the audit log: committed when the promise settles (on SQLite, before it returns). */
export async function audit(target: Db | Storage, entry: AuditEntry): Promise<void> {
	await byEngine(asStorage(target), auditStores).append({
		ts: entry.ts ?? Date.now(),
		actorId: entry.actor?.id ?? null,
		actorEmail: entry.actor?.email ?? null,
		action: entry.action,
		target: entry.target ?? null,
		ip: entry.ip ?? null,
		details: entry.details ?? {}
	});
}

export interface AuditFilter {
	action?: string;
	/** Part of the actor's e-mail. */
	actor?: string;
	from?: number;
	to?: number;
	page?: number;
	pageSize?: number;
}

export type AuditRow = typeof auditLog.$inferSelect;

/** One page of the audit log, newest first, with the total for paging. */
export async function listAudit(
	target: Db | Storage,
	filter: AuditFilter = {}
): Promise<{ rows: AuditRow[]; total: number }> {
	const pageSize = Math.max(1, Math.min(200, filter.pageSize ?? 50));
	const page = Math.max(1, filter.page ?? 1);
	return byEngine(asStorage(target), auditStores).page(
		{ ...filter, actor: escapeLike(filter.actor ?? '').trim() || undefined },
		pageSize,
		(page - 1) * pageSize
	);
}

function escapeLike(text: string): string {
	// Wildcards typed by the user are dropped rather than matched (neither engine's LIKE escapes by default).
	return text.replace(/[%_\\]/g, '');
}
