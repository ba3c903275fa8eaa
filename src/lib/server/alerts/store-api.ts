import type {
	AlertRow,
	AlertRuleRow,
	DeliveryStatus,
	WebhookDeliveryRow,
	alertHistory,
	alertRules,
	webhookDeliveries
} from '$lib/server/db/schema';
import type { Finding } from './evaluate';
import type { Rule } from './rules';

/**
 * The alerts domain's storage, one implementation per engine (sqlite.ts keeps the SQL the module always had;
 * postgres.ts does the same with `await`, and opens alerts race-safely across processes on the partial unique index
 * alerts_one_unresolved). The lifecycle decisions are made inside each engine's transaction.
 */

export type NewRuleRow = typeof alertRules.$inferInsert;
export type NewDeliveryRow = typeof webhookDeliveries.$inferInsert;
export type AlertHistoryRow = typeof alertHistory.$inferSelect;
export type RowChangeType = 'opened' | 'acknowledged' | 'snoozed' | 'resolved';
export interface RowChange {
	type: RowChangeType;
	row: AlertRow;
}

/** What the starter set asks for, decided from the stored version and rules (rules.ts). */
export interface StarterPlan {
	create: NewRuleRow[];
	update: { id: number; set: Partial<NewRuleRow> }[];
}
export type StarterPlanner = (version: number, existing: AlertRuleRow[]) => StarterPlan;

export interface ListFilter {
	status?: string;
	severity?: string;
	kind?: string;
	ruleId?: number;
}

export interface DeliveryListRow {
	id: number;
	ruleId: number | null;
	ruleName: string | null;
	alertId: number | null;
	event: string;
	url: string;
	status: DeliveryStatus;
	attempts: WebhookDeliveryRow['attempts'];
	lastStatus: number | null;
	nextAttemptAt: number | null;
	createdAt: number;
	finishedAt: number | null;
}

/** Raw reads of the evaluator, with `?` placeholders (the PostgreSQL store numbers them). */
export interface RawQuery {
	sql: string;
	params: unknown[];
}

export interface AlertStore {
	listRules(): Promise<AlertRuleRow[]>;
	getRule(id: number): Promise<AlertRuleRow | undefined>;
	insertRule(values: NewRuleRow): Promise<AlertRuleRow>;
	updateRule(id: number, set: Partial<NewRuleRow>): Promise<AlertRuleRow>;
	deleteRule(id: number): Promise<void>;
	/** Seeds or revises the starter rules once (one process at a time); returns how many rules changed. */
	starterRules(
		now: number,
		seededKey: string,
		versionKey: string,
		latest: number,
		plan: StarterPlanner
	): Promise<number>;

	applyFindings(rule: Rule, findings: readonly Finding[], now: number): Promise<RowChange[]>;
	resolveRuleAlerts(ruleId: number, actor: string | null, now: number, note: string): Promise<AlertRow[]>;
	getAlert(id: number): Promise<AlertRow | undefined>;
	/** Acknowledge, resolve or snooze (`set`), with one history entry, in one transaction. */
	updateAlert(
		id: number,
		set: Partial<AlertRow> | null,
		history: { ts: number; action: string; actor: string | null; note: string | null }
	): Promise<AlertRow>;
	listAlerts(filter: ListFilter, limit: number): Promise<AlertRow[]>;
	history(alertId: number): Promise<AlertHistoryRow[]>;
	unresolved(): Promise<Pick<AlertRow, 'status' | 'teams' | 'snoozedUntil'>[]>;
	snoozeEnded(since: number, now: number): Promise<AlertRow[]>;

	webhookRule(
		ruleId: number
	): Promise<
		{ id: number; name: string; kind: AlertRuleRow['kind']; url: string | null; config: unknown } | undefined
	>;
	insertDeliveries(rows: NewDeliveryRow[]): Promise<void>;
	/** Pending deliveries due now; PostgreSQL claims them (leased until `leaseUntil`, skipping those another process holds). */
	dueDeliveries(now: number, limit: number, leaseUntil: number): Promise<WebhookDeliveryRow[]>;
	leaseDelivery(id: number, until: number): Promise<void>;
	ruleSecret(ruleId: number): Promise<string | null | undefined>;
	finishDelivery(id: number, set: Partial<WebhookDeliveryRow>): Promise<void>;
	listDeliveries(limit: number, status: DeliveryStatus | undefined): Promise<DeliveryListRow[]>;

	rawAll<T>(query: RawQuery): Promise<T[]>;
}
