import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import type { AlertRow, AlertSeverity, AlertStatus } from '$lib/server/db/schema';
import { alertStore } from './stores';
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

/**
 * Applies what a rule found to its alerts and remembered states, in one transaction. Scopes the rule has open
 * alerts or state for but found nothing about now count as clear.
 */
export async function applyFindings(
	target: Db | Storage,
	rule: Rule,
	findings: readonly Finding[],
	now: number
): Promise<AlertChange[]> {
	const changes = await alertStore(target).applyFindings(rule, findings, now);
	return changes.map(({ type, row }) => ({ type, alert: toView(row) }));
}

/** Resolves the unresolved alerts of a rule (disabled or deleted), by the system or a person. */
export async function resolveRuleAlerts(
	target: Db | Storage,
	ruleId: number,
	actor: string | null,
	now: number,
	note: string
): Promise<AlertChange[]> {
	const rows = await alertStore(target).resolveRuleAlerts(ruleId, actor, now, note);
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
export async function actOnAlert(
	target: Db | Storage,
	id: number,
	input: ActionInput,
	actor: { email: string; scope: Scope },
	now = Date.now()
): Promise<AlertChange> {
	const store = alertStore(target);
	const row = await store.getAlert(id);
	if (!row || !canSeeAlert(toView(row), actor.scope))
		throw new AlertActionError(404, 'not_found', `No alert ${id}`);
	if (row.status === 'resolved')
		throw new AlertActionError(409, 'conflict', `Alert ${id} is already resolved`);
	let set: Partial<AlertRow> | null;
	let type: AlertChangeType;
	if (input.action === 'acknowledge') {
		set =
			row.status === 'acknowledged'
				? null
				: { status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: actor.email, updatedAt: now };
		type = 'acknowledged';
	} else if (input.action === 'resolve') {
		set = { status: 'resolved', resolvedAt: now, resolvedBy: actor.email, updatedAt: now };
		type = 'resolved';
	} else {
		const minutes = input.minutes ?? 60;
		set = { snoozedUntil: now + minutes * 60_000, snoozedBy: actor.email, updatedAt: now };
		type = 'snoozed';
	}
	const note =
		input.action === 'snooze'
			? `${input.minutes ?? 60} min${input.note ? `: ${input.note}` : ''}`
			: (input.note ?? null);
	const updated = await store.updateAlert(id, set, { ts: now, action: type, actor: actor.email, note });
	return { type, alert: toView(updated) };
}

export interface AlertFilter {
	status?: AlertStatus;
	severity?: AlertSeverity;
	kind?: AlertRow['kind'];
	ruleId?: number;
	limit?: number;
}

/** Alerts a caller may see, newest first (unresolved first when no status is asked for). */
export async function listAlerts(
	target: Db | Storage,
	scope: Scope,
	filter: AlertFilter = {}
): Promise<AlertView[]> {
	const limit = Math.max(1, Math.min(500, filter.limit ?? 100));
	const rows = await alertStore(target).listAlerts(filter, scope.teams === null ? limit : 2000);
	return rows
		.map(toView)
		.filter((a) => canSeeAlert(a, scope))
		.slice(0, limit);
}

export async function getAlert(target: Db | Storage, id: number, scope: Scope) {
	const store = alertStore(target);
	const row = await store.getAlert(id);
	if (!row) return undefined;
	const view = toView(row);
	if (!canSeeAlert(view, scope)) return undefined;
	const log = await store.history(id);
	return { ...view, history: log.map((h) => ({ ts: h.ts, action: h.action, actor: h.actor, note: h.note })) };
}

/** Counts for the bell and the page: unresolved alerts a caller may see, by status, snoozed ones apart. */
export async function alertCounts(
	target: Db | Storage,
	scope: Scope,
	now = Date.now()
): Promise<{ open: number; acknowledged: number; snoozed: number }> {
	const rows = await alertStore(target).unresolved();
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
export async function snoozeEnded(target: Db | Storage, since: number, now: number): Promise<AlertView[]> {
	return (await alertStore(target).snoozeEnded(since, now)).map(toView);
}
