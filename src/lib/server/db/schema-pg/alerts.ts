// Derived from ../schema/alerts.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { sql } from 'drizzle-orm';
import { bigint, doublePrecision, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { flag, jsonText } from './column-types';
import type {
	AlertKind,
	AlertSeverity,
	AlertStatus,
	DeliveryStatus,
	DeliveryAttempt,
	CaseReason,
	CaseStatus
} from '../schema/alerts';

export const alertRules = pgTable('alert_rules', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	name: text('name').notNull(),
	kind: text('kind').$type<AlertKind>().notNull(),
	config: jsonText('config').$type<Record<string, unknown>>().notNull(),
	severity: text('severity').$type<AlertSeverity>().notNull().default('warning'),
	/** The teams the rule watches (null: the whole center); a manager's rules are limited to their teams. */
	teams: jsonText('teams').$type<string[] | null>(),
	/** One alert per team instead of one for all watched teams together. */
	perTeam: flag('per_team')
		.notNull()
		.default(sql`0`),
	enabled: flag('enabled')
		.notNull()
		.default(sql`1`),
	webhookUrl: text('webhook_url'),
	/** HMAC key of the webhook signature; never sent back by the API. */
	webhookSecret: text('webhook_secret'),
	/** Set on the starter rules seeded into a new database (e.g. `default.service_level`). */
	builtin: text('builtin'),
	createdBy: text('created_by'),
	createdAt: bigint('created_at', { mode: 'number' }).notNull(),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull()
});

/**
 * Raised alerts. At most one unresolved alert per (rule, scope): the partial unique index enforces it. `scope` is
 * `*` or the team of a per-team rule; `teams` the teams whose data the alert is about (null: all), for visibility.
 */
export const alerts = pgTable(
	'alerts',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		ruleId: bigint('rule_id', { mode: 'number' }).references(() => alertRules.id, { onDelete: 'set null' }),
		ruleName: text('rule_name').notNull(),
		kind: text('kind').$type<AlertKind>().notNull(),
		scope: text('scope').notNull(),
		teams: jsonText('teams').$type<string[] | null>(),
		severity: text('severity').$type<AlertSeverity>().notNull(),
		status: text('status').$type<AlertStatus>().notNull(),
		/** One line in English for logs and webhooks; screens build their own text from `details`. */
		summary: text('summary').notNull(),
		details: jsonText('details').$type<Record<string, unknown>>().notNull(),
		value: doublePrecision('value'),
		openedAt: bigint('opened_at', { mode: 'number' }).notNull(),
		/** The last evaluation that found the condition still holding. */
		lastSeenAt: bigint('last_seen_at', { mode: 'number' }).notNull(),
		acknowledgedAt: bigint('acknowledged_at', { mode: 'number' }),
		acknowledgedBy: text('acknowledged_by'),
		resolvedAt: bigint('resolved_at', { mode: 'number' }),
		/** Who resolved it; null when the condition cleared by itself. */
		resolvedBy: text('resolved_by'),
		snoozedUntil: bigint('snoozed_until', { mode: 'number' }),
		snoozedBy: text('snoozed_by'),
		updatedAt: bigint('updated_at', { mode: 'number' }).notNull()
	},
	(t) => [
		uniqueIndex('alerts_one_unresolved')
			.on(t.ruleId, t.scope)
			.where(sql`status <> 'resolved'`),
		index('alerts_status_opened').on(t.status, t.openedAt)
	]
);

/** Who did what to an alert, and when (opened, acknowledged, snoozed, resolved, notes). */
export const alertHistory = pgTable(
	'alert_history',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		alertId: bigint('alert_id', { mode: 'number' })
			.notNull()
			.references(() => alerts.id, { onDelete: 'cascade' }),
		ts: bigint('ts', { mode: 'number' }).notNull(),
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
export const alertState = pgTable(
	'alert_state',
	{
		ruleId: bigint('rule_id', { mode: 'number' })
			.notNull()
			.references(() => alertRules.id, { onDelete: 'cascade' }),
		scope: text('scope').notNull(),
		firing: flag('firing').notNull(),
		since: bigint('since', { mode: 'number' }).notNull(),
		clearSince: bigint('clear_since', { mode: 'number' }),
		evaluatedAt: bigint('evaluated_at', { mode: 'number' }).notNull(),
		value: doublePrecision('value')
	},
	(t) => [primaryKey({ columns: [t.ruleId, t.scope] })]
);

/** Webhook deliveries with every attempt: the log admins read. The body is kept exactly as signed. */
export const webhookDeliveries = pgTable(
	'webhook_deliveries',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		ruleId: bigint('rule_id', { mode: 'number' }).references(() => alertRules.id, { onDelete: 'set null' }),
		alertId: bigint('alert_id', { mode: 'number' }).references(() => alerts.id, { onDelete: 'set null' }),
		event: text('event').notNull(),
		url: text('url').notNull(),
		body: text('body').notNull(),
		status: text('status').$type<DeliveryStatus>().notNull(),
		attempts: jsonText('attempts')
			.$type<DeliveryAttempt[]>()
			.notNull()
			.default(sql`'[]'`),
		lastStatus: bigint('last_status', { mode: 'number' }),
		nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }),
		createdAt: bigint('created_at', { mode: 'number' }).notNull(),
		finishedAt: bigint('finished_at', { mode: 'number' })
	},
	(t) => [
		index('webhook_deliveries_due')
			.on(t.nextAttemptAt)
			.where(sql`status = 'pending'`),
		index('webhook_deliveries_created').on(t.createdAt)
	]
);

/** Small settings of the alerts and cases modules (the follow-up SLA, whether starter rules were seeded). */
export const alertSettings = pgTable('alert_settings', {
	key: text('key').primaryKey(),
	value: jsonText('value').$type<unknown>().notNull()
});

export const followUpCases = pgTable(
	'follow_up_cases',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		/** What opened it, unique: `fb:<customer>:<survey>` or `rc:<event id>`, so replays never duplicate. */
		key: text('key').notNull().unique(),
		customerId: text('customer_id').notNull(),
		reason: text('reason').$type<CaseReason>().notNull(),
		eventId: text('event_id').notNull(),
		metric: text('metric'),
		score: doublePrecision('score'),
		comment: text('comment'),
		channel: text('channel'),
		teamId: text('team_id'),
		agentId: text('agent_id'),
		assigneeId: text('assignee_id'),
		status: text('status').$type<CaseStatus>().notNull(),
		/** When the feedback or complaint happened. */
		openedAt: bigint('opened_at', { mode: 'number' }).notNull(),
		dueAt: bigint('due_at', { mode: 'number' }).notNull(),
		/** First successful or attempted contact with the customer (the follow-up). */
		contactedAt: bigint('contacted_at', { mode: 'number' }),
		closedAt: bigint('closed_at', { mode: 'number' }),
		closedBy: text('closed_by'),
		createdAt: bigint('created_at', { mode: 'number' }).notNull(),
		updatedAt: bigint('updated_at', { mode: 'number' }).notNull()
	},
	(t) => [
		index('follow_up_cases_status_due').on(t.status, t.dueAt),
		index('follow_up_cases_team').on(t.teamId, t.openedAt),
		index('follow_up_cases_customer').on(t.customerId, t.openedAt),
		index('follow_up_cases_opened').on(t.openedAt),
		index('follow_up_cases_assignee').on(t.assigneeId, t.status)
	]
);

export const caseNotes = pgTable(
	'case_notes',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		caseId: bigint('case_id', { mode: 'number' })
			.notNull()
			.references(() => followUpCases.id, { onDelete: 'cascade' }),
		ts: bigint('ts', { mode: 'number' }).notNull(),
		/** note, status (text holds the new status), assign (text holds the assignee), feedback (another answer). */
		kind: text('kind').notNull(),
		text: text('text').notNull(),
		authorId: text('author_id'),
		authorName: text('author_name')
	},
	(t) => [index('case_notes_case').on(t.caseId, t.ts)]
);
