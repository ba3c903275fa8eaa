import { and, desc, eq, inArray, isNotNull, ne, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import {
	alertHistory,
	alerts,
	alertState,
	type AlertRow,
	type AlertSeverity,
	type AlertStatus
} from '$lib/server/db/schema';
import type { Scope } from '$lib/server/auth/scope';
import type { Finding } from './evaluate';
import type { Rule } from './rules';

/**
 * The alert lifecycle: open → acknowledged → resolved, with who and when; snooze silences an alert for a while.
 * One unresolved alert per (rule, scope) — the database's partial unique index holds the line. An alert resolves
 * by itself once its condition has been clear for the rule's `resolveAfterMinutes`; a person can resolve it
 * earlier, and then it does not reopen until the condition has cleared once.
 */

export type AlertChangeType = 'opened' | 'acknowledged' | 'snoozed' | 'resolved';

export interface AlertChange {
	type: AlertChangeType;
	alert: AlertView;
}

export interface AlertView {
	id: number;
	ruleId: number | null;
	ruleName: string;
	kind: AlertRow['kind'];
	scope: string;
	teams: string[] | null;
	severity: AlertSeverity;
	status: AlertStatus;
	summary: string;
	details: Record<string, unknown>;
	value: number | null;
	openedAt: number;
	lastSeenAt: number;
	acknowledgedAt: number | null;
	acknowledgedBy: string | null;
	resolvedAt: number | null;
	resolvedBy: string | null;
	snoozedUntil: number | null;
	snoozedBy: string | null;
}

export function toView(row: AlertRow): AlertView {
	return {
		id: row.id,
		ruleId: row.ruleId,
		ruleName: row.ruleName,
		kind: row.kind,
		scope: row.scope,
		teams: row.teams ?? null,
		severity: row.severity,
		status: row.status,
		summary: row.summary,
		details: row.details,
		value: row.value,
		openedAt: row.openedAt,
		lastSeenAt: row.lastSeenAt,
		acknowledgedAt: row.acknowledgedAt,
		acknowledgedBy: row.acknowledgedBy,
		resolvedAt: row.resolvedAt,
		resolvedBy: row.resolvedBy,
		snoozedUntil: row.snoozedUntil,
		snoozedBy: row.snoozedBy
	};
}

/** A manager sees alerts about their own teams only; center-wide alerts are for everyone else. */
export function canSeeAlert(alert: Pick<AlertView, 'teams'>, scope: Scope): boolean {
	if (scope.teams === null) return true;
	const own = scope.teams;
	return alert.teams !== null && alert.teams.length > 0 && alert.teams.every((t) => own.includes(t));
}

function history(db: Db, alertId: number, ts: number, action: string, actor: string | null, note?: string) {
	db.insert(alertHistory)
		.values({ alertId, ts, action, actor, note: note ?? null })
		.run();
}

function unresolved(db: Db, ruleId: number, scope: string): AlertRow | undefined {
	return db
		.select()
		.from(alerts)
		.where(and(eq(alerts.ruleId, ruleId), eq(alerts.scope, scope), ne(alerts.status, 'resolved')))
		.get();
}

/**
 * Applies what a rule found to its alerts and remembered states, in one transaction. Scopes the rule has open
 * alerts or state for but found nothing about now count as clear.
 */
export function applyFindings(db: Db, rule: Rule, findings: readonly Finding[], now: number): AlertChange[] {
	// IMMEDIATE (here and below): take the write lock before reading. When another connection (the ingestion writer
	// thread) commits between a deferred transaction's first read and its first write, SQLite refuses the write at
	// once (SQLITE_BUSY_SNAPSHOT) instead of waiting for the lock.
	const write = db.$client.transaction(() => {
		const changes: AlertChange[] = [];
		const byScope = new Map(findings.map((f) => [f.scope, f]));
		const states = db.select().from(alertState).where(eq(alertState.ruleId, rule.id)).all();
		const open = db
			.select()
			.from(alerts)
			.where(and(eq(alerts.ruleId, rule.id), ne(alerts.status, 'resolved')))
			.all();
		const scopes = new Set([...byScope.keys(), ...states.map((s) => s.scope), ...open.map((a) => a.scope)]);
		const resolveAfter = rule.resolveAfterMinutes * 60_000;

		for (const scope of scopes) {
			const finding = byScope.get(scope);
			const firing = finding?.state === 'firing';
			const state = states.find((s) => s.scope === scope);
			const since = firing ? (state?.firing ? state.since : now) : state && !state.firing ? state.since : now;
			const clearSince = firing ? null : (state?.clearSince ?? (state?.firing === false ? state.since : now));
			db.insert(alertState)
				.values({
					ruleId: rule.id,
					scope,
					firing,
					since,
					clearSince,
					evaluatedAt: now,
					value: finding?.value ?? null
				})
				.onConflictDoUpdate({
					target: [alertState.ruleId, alertState.scope],
					set: { firing, since, clearSince, evaluatedAt: now, value: finding?.value ?? null }
				})
				.run();

			const current = unresolved(db, rule.id, scope);
			if (firing && finding) {
				if (current) {
					db.update(alerts)
						.set({
							lastSeenAt: now,
							value: finding.value,
							summary: finding.summary,
							details: finding.details,
							severity: rule.severity,
							updatedAt: now
						})
						.where(eq(alerts.id, current.id))
						.run();
					continue;
				}
				const previous = db
					.select()
					.from(alerts)
					.where(and(eq(alerts.ruleId, rule.id), eq(alerts.scope, scope)))
					.orderBy(desc(alerts.id))
					.get();
				// Resolved by a person while the condition kept holding: wait for it to clear before reopening.
				if (previous && previous.resolvedBy !== null && (previous.resolvedAt ?? 0) >= since) continue;
				const snoozedUntil =
					previous?.snoozedUntil && previous.snoozedUntil > now ? previous.snoozedUntil : null;
				const row = db
					.insert(alerts)
					.values({
						ruleId: rule.id,
						ruleName: rule.name,
						kind: rule.kind,
						scope,
						teams: finding.teams,
						severity: rule.severity,
						status: 'open',
						summary: finding.summary,
						details: finding.details,
						value: finding.value,
						openedAt: now,
						lastSeenAt: now,
						snoozedUntil,
						snoozedBy: snoozedUntil ? previous?.snoozedBy : null,
						updatedAt: now
					})
					.returning()
					.get();
				history(db, row.id, now, 'opened', null, finding.summary);
				changes.push({ type: 'opened', alert: toView(row) });
			} else if (current && clearSince !== null && now - clearSince >= resolveAfter) {
				const row = db
					.update(alerts)
					.set({ status: 'resolved', resolvedAt: now, resolvedBy: null, updatedAt: now })
					.where(eq(alerts.id, current.id))
					.returning()
					.get();
				history(db, row.id, now, 'resolved', null, 'condition cleared');
				changes.push({ type: 'resolved', alert: toView(row) });
			}
		}
		return changes;
	});
	return write.immediate();
}

/** Resolves the unresolved alerts of a rule (disabled or deleted), by the system or a person. */
export function resolveRuleAlerts(db: Db, ruleId: number, actor: string | null, now: number, note: string) {
	const rows = db
		.update(alerts)
		.set({ status: 'resolved', resolvedAt: now, resolvedBy: actor, updatedAt: now })
		.where(and(eq(alerts.ruleId, ruleId), ne(alerts.status, 'resolved')))
		.returning()
		.all();
	for (const row of rows) history(db, row.id, now, 'resolved', actor, note);
	db.delete(alertState).where(eq(alertState.ruleId, ruleId)).run();
	return rows.map((row) => ({ type: 'resolved' as const, alert: toView(row) }));
}

export class AlertActionError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string
	) {
		super(message);
	}
}

export const ALERT_ACTIONS = ['acknowledge', 'resolve', 'snooze'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export interface ActionInput {
	action: AlertAction;
	/** snooze: for how long. */
	minutes?: number;
	note?: string;
}

/** A person acts on an alert they may see. Acknowledging twice is harmless; acting on a resolved alert is 409. */
export function actOnAlert(
	db: Db,
	id: number,
	input: ActionInput,
	actor: { email: string; scope: Scope },
	now = Date.now()
): AlertChange {
	const row = db.select().from(alerts).where(eq(alerts.id, id)).get();
	if (!row || !canSeeAlert(toView(row), actor.scope))
		throw new AlertActionError(404, 'not_found', `No alert ${id}`);
	if (row.status === 'resolved')
		throw new AlertActionError(409, 'conflict', `Alert ${id} is already resolved`);
	const write = db.$client.transaction(() => {
		let updated: AlertRow;
		let type: AlertChangeType;
		if (input.action === 'acknowledge') {
			updated =
				row.status === 'acknowledged'
					? row
					: db
							.update(alerts)
							.set({
								status: 'acknowledged',
								acknowledgedAt: now,
								acknowledgedBy: actor.email,
								updatedAt: now
							})
							.where(eq(alerts.id, id))
							.returning()
							.get();
			type = 'acknowledged';
		} else if (input.action === 'resolve') {
			updated = db
				.update(alerts)
				.set({ status: 'resolved', resolvedAt: now, resolvedBy: actor.email, updatedAt: now })
				.where(eq(alerts.id, id))
				.returning()
				.get();
			type = 'resolved';
		} else {
			const minutes = input.minutes ?? 60;
			updated = db
				.update(alerts)
				.set({ snoozedUntil: now + minutes * 60_000, snoozedBy: actor.email, updatedAt: now })
				.where(eq(alerts.id, id))
				.returning()
				.get();
			type = 'snoozed';
		}
		history(
			db,
			id,
			now,
			type,
			actor.email,
			input.action === 'snooze'
				? `${input.minutes ?? 60} min${input.note ? `: ${input.note}` : ''}`
				: input.note
		);
		return { type, alert: toView(updated) };
	});
	return write.immediate();
}

export interface AlertFilter {
	status?: AlertStatus;
	severity?: AlertSeverity;
	kind?: AlertRow['kind'];
	ruleId?: number;
	limit?: number;
}

/** Alerts a caller may see, newest first (unresolved first when no status is asked for). */
export function listAlerts(db: Db, scope: Scope, filter: AlertFilter = {}): AlertView[] {
	const conditions = [];
	if (filter.status) conditions.push(eq(alerts.status, filter.status));
	if (filter.severity) conditions.push(eq(alerts.severity, filter.severity));
	if (filter.kind) conditions.push(eq(alerts.kind, filter.kind));
	if (filter.ruleId !== undefined) conditions.push(eq(alerts.ruleId, filter.ruleId));
	const limit = Math.max(1, Math.min(500, filter.limit ?? 100));
	const rows = db
		.select()
		.from(alerts)
		.where(conditions.length ? and(...conditions) : undefined)
		.orderBy(sql`${alerts.status} = 'resolved'`, desc(alerts.openedAt), desc(alerts.id))
		.limit(scope.teams === null ? limit : 2000)
		.all();
	return rows
		.map(toView)
		.filter((a) => canSeeAlert(a, scope))
		.slice(0, limit);
}

export function getAlert(db: Db, id: number, scope: Scope) {
	const row = db.select().from(alerts).where(eq(alerts.id, id)).get();
	if (!row) return undefined;
	const view = toView(row);
	if (!canSeeAlert(view, scope)) return undefined;
	const log = db
		.select()
		.from(alertHistory)
		.where(eq(alertHistory.alertId, id))
		.orderBy(alertHistory.ts, alertHistory.id)
		.all();
	return { ...view, history: log.map((h) => ({ ts: h.ts, action: h.action, actor: h.actor, note: h.note })) };
}

/** Counts for the bell and the page: unresolved alerts a caller may see, by status, snoozed ones apart. */
export function alertCounts(
	db: Db,
	scope: Scope,
	now = Date.now()
): { open: number; acknowledged: number; snoozed: number } {
	const rows = db
		.select({ status: alerts.status, teams: alerts.teams, snoozedUntil: alerts.snoozedUntil })
		.from(alerts)
		.where(inArray(alerts.status, ['open', 'acknowledged']))
		.all();
	const counts = { open: 0, acknowledged: 0, snoozed: 0 };
	for (const r of rows) {
		if (!canSeeAlert({ teams: r.teams ?? null }, scope)) continue;
		if (r.snoozedUntil !== null && r.snoozedUntil > now) counts.snoozed++;
		else if (r.status === 'open') counts.open++;
		else counts.acknowledged++;
	}
	return counts;
}

/** Alerts whose snooze ended: their changes are announced again. */
export function snoozeEnded(db: Db, since: number, now: number): AlertView[] {
	return db
		.select()
		.from(alerts)
		.where(
			and(
				ne(alerts.status, 'resolved'),
				isNotNull(alerts.snoozedUntil),
				sql`${alerts.snoozedUntil} > ${since} AND ${alerts.snoozedUntil} <= ${now}`
			)
		)
		.all()
		.map(toView);
}
