import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Alerts and the follow-up loop (src/lib/server/alerts, src/lib/server/cases): rules, the alerts they raise with
 * their lifecycle, webhook deliveries, and follow-up cases (回访) with their notes.
 */

export const ALERT_KINDS = ['threshold', 'anomaly', 'risk', 'risk_score'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** An alert rule. `config` holds the kind's settings as validated by alerts/rules.ts (never read unvalidated). */
export const alertRules = sqliteTable('alert_rules', {
	id: integer('id').primaryKey(),
	name: text('name').notNull(),
	kind: text('kind').$type<AlertKind>().notNull(),
	config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
	severity: text('severity').$type<AlertSeverity>().notNull().default('warning'),
	/** The teams the rule watches (null: the whole center); a manager's rules are limited to their teams. */
	teams: text('teams', { mode: 'json' }).$type<string[] | null>(),
	/** One alert per team instead of one for all watched teams together. */
	perTeam: integer('per_team', { mode: 'boolean' }).notNull().default(false),
	enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
	webhookUrl: text('webhook_url'),
	/** HMAC key of the webhook signature; never sent back by the API. */
	webhookSecret: text('webhook_secret'),
	/** Set on the starter rules seeded into a new database (e.g. `default.service_level`). */
	builtin: text('builtin'),
	createdBy: text('created_by'),
	createdAt: integer('created_at').notNull(),
	updatedAt: integer('updated_at').notNull()
});

/**
 * Raised alerts. At most one unresolved alert per (rule, scope): the partial unique index enforces it. `scope` is
 * `*` or the team of a per-team rule; `teams` the teams whose data the alert is about (null: all), for visibility.
 */
export const alerts = sqliteTable(
	'alerts',
	{
		id: integer('id').primaryKey(),
		ruleId: integer('rule_id').references(() => alertRules.id, { onDelete: 'set null' }),
		ruleName: text('rule_name').notNull(),
		kind: text('kind').$type<AlertKind>().notNull(),
		scope: text('scope').notNull(),
		teams: text('teams', { mode: 'json' }).$type<string[] | null>(),
		severity: text('severity').$type<AlertSeverity>().notNull(),
		status: text('status').$type<AlertStatus>().notNull(),
		/** One line in English for logs and webhooks; screens build their own text from `details`. */
		summary: text('summary').notNull(),
		details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
		value: real('value'),
		openedAt: integer('opened_at').notNull(),
		/** The last evaluation that found the condition still holding. */
		lastSeenAt: integer('last_seen_at').notNull(),
		acknowledgedAt: integer('acknowledged_at'),
		acknowledgedBy: text('acknowledged_by'),
		resolvedAt: integer('resolved_at'),
		/** Who resolved it; null when the condition cleared by itself. */
		resolvedBy: text('resolved_by'),
		snoozedUntil: integer('snoozed_until'),
		snoozedBy: text('snoozed_by'),
		updatedAt: integer('updated_at').notNull()
	},
	(t) => [
		uniqueIndex('alerts_one_unresolved')
			.on(t.ruleId, t.scope)
			.where(sql`status <> 'resolved'`),
		index('alerts_status_opened').on(t.status, t.openedAt)
	]
);

/** Who did what to an alert, and when (opened, acknowledged, snoozed, resolved, notes). */
export const alertHistory = sqliteTable(
	'alert_history',
	{
		id: integer('id').primaryKey(),
		alertId: integer('alert_id')
			.notNull()
			.references(() => alerts.id, { onDelete: 'cascade' }),
		ts: integer('ts').notNull(),
		action: text('action').notNull(),
		actor: text('actor'),
		note: text('note')
	},
	(t) => [index('alert_history_alert').on(t.alertId, t.ts)]
);

/**
 * What the evaluator last found per (rule, scope): whether the condition held, since when, and since when it has
 * been clear (alerts resolve after a quiet spell, not on the first good reading).
 */
export const alertState = sqliteTable(
	'alert_state',
	{
		ruleId: integer('rule_id')
			.notNull()
			.references(() => alertRules.id, { onDelete: 'cascade' }),
		scope: text('scope').notNull(),
		firing: integer('firing', { mode: 'boolean' }).notNull(),
		since: integer('since').notNull(),
		clearSince: integer('clear_since'),
		evaluatedAt: integer('evaluated_at').notNull(),
		value: real('value')
	},
	(t) => [primaryKey({ columns: [t.ruleId, t.scope] })]
);

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttempt {
	at: number;
	/** HTTP status, null when no answer came (refused, timed out). */
	status: number | null;
	error: string | null;
	ms: number;
}

/** Webhook deliveries with every attempt: the log admins read. The body is kept exactly as signed. */
export const webhookDeliveries = sqliteTable(
	'webhook_deliveries',
	{
		id: integer('id').primaryKey(),
		ruleId: integer('rule_id').references(() => alertRules.id, { onDelete: 'set null' }),
		alertId: integer('alert_id').references(() => alerts.id, { onDelete: 'set null' }),
		event: text('event').notNull(),
		url: text('url').notNull(),
		body: text('body').notNull(),
		status: text('status').$type<DeliveryStatus>().notNull(),
		attempts: text('attempts', { mode: 'json' }).$type<DeliveryAttempt[]>().notNull().default([]),
		lastStatus: integer('last_status'),
		nextAttemptAt: integer('next_attempt_at'),
		createdAt: integer('created_at').notNull(),
		finishedAt: integer('finished_at')
	},
	(t) => [
		index('webhook_deliveries_due')
			.on(t.nextAttemptAt)
			.where(sql`status = 'pending'`),
		index('webhook_deliveries_created').on(t.createdAt)
	]
);

/** Small settings of the alerts and cases modules (the follow-up SLA, whether starter rules were seeded). */
export const alertSettings = sqliteTable('alert_settings', {
	key: text('key').primaryKey(),
	value: text('value', { mode: 'json' }).$type<unknown>().notNull()
});

export const CASE_REASONS = ['detractor', 'regulator_complaint'] as const;
export type CaseReason = (typeof CASE_REASONS)[number];
export const CASE_STATUSES = ['open', 'contacted', 'resolved', 'unreachable'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Follow-up cases (回访): one per detractor answer (per customer while one is open) and per regulator complaint. */
export const followUpCases = sqliteTable(
	'follow_up_cases',
	{
		id: integer('id').primaryKey(),
		/** What opened it, unique: `fb:<customer>:<survey>` or `rc:<event id>`, so replays never duplicate. */
		key: text('key').notNull().unique(),
		customerId: text('customer_id').notNull(),
		reason: text('reason').$type<CaseReason>().notNull(),
		eventId: text('event_id').notNull(),
		metric: text('metric'),
		score: real('score'),
		comment: text('comment'),
		channel: text('channel'),
		teamId: text('team_id'),
		agentId: text('agent_id'),
		assigneeId: text('assignee_id'),
		status: text('status').$type<CaseStatus>().notNull(),
		/** When the feedback or complaint happened. */
		openedAt: integer('opened_at').notNull(),
		dueAt: integer('due_at').notNull(),
		/** First successful or attempted contact with the customer (the follow-up). */
		contactedAt: integer('contacted_at'),
		closedAt: integer('closed_at'),
		closedBy: text('closed_by'),
		createdAt: integer('created_at').notNull(),
		updatedAt: integer('updated_at').notNull()
	},
	(t) => [
		index('follow_up_cases_status_due').on(t.status, t.dueAt),
		index('follow_up_cases_team').on(t.teamId, t.openedAt),
		index('follow_up_cases_customer').on(t.customerId, t.openedAt),
		index('follow_up_cases_opened').on(t.openedAt),
		index('follow_up_cases_assignee').on(t.assigneeId, t.status)
	]
);

export const caseNotes = sqliteTable(
	'case_notes',
	{
		id: integer('id').primaryKey(),
		caseId: integer('case_id')
			.notNull()
			.references(() => followUpCases.id, { onDelete: 'cascade' }),
		ts: integer('ts').notNull(),
		/** note, status (text holds the new status), assign (text holds the assignee), feedback (another answer). */
		kind: text('kind').notNull(),
		text: text('text').notNull(),
		authorId: text('author_id'),
		authorName: text('author_name')
	},
	(t) => [index('case_notes_case').on(t.caseId, t.ts)]
);

export type AlertRuleRow = typeof alertRules.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type FollowUpCaseRow = typeof followUpCases.$inferSelect;
export type CaseNoteRow = typeof caseNotes.$inferSelect;
