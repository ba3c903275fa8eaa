import { and, desc, eq, gte, like, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { auditLog } from '$lib/server/db/schema';

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
	'embed.token_issued'
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

/** Appends one entry to the audit log. The only writer of audit_log. */
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

export function audit(db: Db, entry: AuditEntry): void {
	db.insert(auditLog)
		.values({
			ts: entry.ts ?? Date.now(),
			actorId: entry.actor?.id ?? null,
			actorEmail: entry.actor?.email ?? null,
			action: entry.action,
			target: entry.target ?? null,
			ip: entry.ip ?? null,
			details: entry.details ?? {}
		})
		.run();
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
export function listAudit(db: Db, filter: AuditFilter = {}): { rows: AuditRow[]; total: number } {
	const conditions: SQL[] = [];
	if (filter.action) conditions.push(eq(auditLog.action, filter.action));
	const actor = escapeLike(filter.actor ?? '').trim();
	if (actor) conditions.push(like(auditLog.actorEmail, `%${actor}%`));
	if (filter.from !== undefined) conditions.push(gte(auditLog.ts, filter.from));
	if (filter.to !== undefined) conditions.push(lt(auditLog.ts, filter.to));
	const where = conditions.length ? and(...conditions) : undefined;
	const pageSize = Math.max(1, Math.min(200, filter.pageSize ?? 50));
	const page = Math.max(1, filter.page ?? 1);
	const rows = db
		.select()
		.from(auditLog)
		.where(where)
		.orderBy(desc(auditLog.ts), desc(auditLog.id))
		.limit(pageSize)
		.offset((page - 1) * pageSize)
		.all();
	const total =
		db
			.select({ n: sql<number>`count(*)` })
			.from(auditLog)
			.where(where)
			.get()?.n ?? 0;
	return { rows, total };
}

function escapeLike(text: string): string {
	// SQLite's LIKE has no default escape character; drop the wildcards instead of matching them.
	return text.replace(/[%_]/g, '');
}
