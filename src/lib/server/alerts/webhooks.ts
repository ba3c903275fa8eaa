import { createHmac } from 'node:crypto';
import { and, desc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import {
	alertRules,
	webhookDeliveries,
	type DeliveryAttempt,
	type DeliveryStatus
} from '$lib/server/db/schema';
import type { AlertChange } from './store';

/**
 * Webhook delivery: a JSON body signed with `X-Resonance-Signature: sha256=<hex HMAC-SHA256 of the raw body with
 * the rule's secret>` (DESIGN.md), kept in a delivery log with every attempt's status code. Failures (5xx, 408,
 * 429, no answer) are retried with exponential back-off — 10 s, 20 s, 40 s … up to 8 attempts; other 4xx answers
 * are final. Deliveries are rows, so a restart resumes them.
 */

export const SIGNATURE_HEADER = 'X-Resonance-Signature';

export function sign(body: string, secret: string): string {
	return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export interface DeliveryOptions {
	now?: number;
	/** First retry delay; each further one doubles (capped at an hour). */
	baseDelayMs?: number;
	maxAttempts?: number;
	timeoutMs?: number;
	/** At most this many deliveries per call. */
	limit?: number;
	fetch?: typeof fetch;
}

const DEFAULTS = { baseDelayMs: 10_000, maxAttempts: 8, timeoutMs: 5_000, limit: 20 };

export function retryDelay(attempt: number, baseDelayMs = DEFAULTS.baseDelayMs): number {
	return Math.min(3_600_000, baseDelayMs * 2 ** (attempt - 1));
}

const WEBHOOK_EVENTS: Record<AlertChange['type'], string | null> = {
	opened: 'alert.opened',
	acknowledged: 'alert.acknowledged',
	resolved: 'alert.resolved',
	snoozed: null
};

/** Queues one delivery per change of an alert whose rule has a webhook (a snoozed alert's opening stays quiet). */
export function enqueueDeliveries(db: Db, changes: readonly AlertChange[], now = Date.now()): number {
	let queued = 0;
	for (const change of changes) {
		const event = WEBHOOK_EVENTS[change.type];
		const a = change.alert;
		if (!event || a.ruleId === null) continue;
		if (change.type === 'opened' && a.snoozedUntil !== null && a.snoozedUntil > now) continue;
		const rule = db
			.select({ id: alertRules.id, name: alertRules.name, kind: alertRules.kind, url: alertRules.webhookUrl })
			.from(alertRules)
			.where(eq(alertRules.id, a.ruleId))
			.get();
		if (!rule?.url) continue;
		const body = JSON.stringify({
			event,
			sentAt: new Date(now).toISOString(),
			rule: { id: rule.id, name: rule.name, kind: rule.kind },
			alert: {
				id: a.id,
				status: a.status,
				severity: a.severity,
				scope: a.scope,
				teams: a.teams,
				summary: a.summary,
				value: a.value,
				details: a.details,
				openedAt: new Date(a.openedAt).toISOString(),
				acknowledgedAt: a.acknowledgedAt ? new Date(a.acknowledgedAt).toISOString() : null,
				acknowledgedBy: a.acknowledgedBy,
				resolvedAt: a.resolvedAt ? new Date(a.resolvedAt).toISOString() : null,
				resolvedBy: a.resolvedBy
			}
		});
		db.insert(webhookDeliveries)
			.values({
				ruleId: rule.id,
				alertId: a.id,
				event,
				url: rule.url,
				body,
				status: 'pending',
				nextAttemptAt: now,
				createdAt: now
			})
			.run();
		queued++;
	}
	return queued;
}

const retriable = (status: number | null) =>
	status === null || status >= 500 || status === 408 || status === 429;

const busy = new WeakSet<Db>();

/**
 * Sends the deliveries that are due (one call at a time per database). Each is leased before sending, so one
 * that is in flight when the process stops is retried after the lease, never lost.
 */
export async function deliverDue(db: Db, options: DeliveryOptions = {}): Promise<number> {
	if (busy.has(db)) return 0;
	busy.add(db);
	try {
		const o = { ...DEFAULTS, ...options };
		const now = o.now ?? Date.now();
		const send = o.fetch ?? fetch;
		const due = db
			.select()
			.from(webhookDeliveries)
			.where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
			.orderBy(webhookDeliveries.nextAttemptAt)
			.limit(o.limit)
			.all();
		let done = 0;
		for (const d of due) {
			db.update(webhookDeliveries)
				.set({ nextAttemptAt: now + o.timeoutMs + 30_000 })
				.where(eq(webhookDeliveries.id, d.id))
				.run();
			const rule = d.ruleId
				? db
						.select({ secret: alertRules.webhookSecret })
						.from(alertRules)
						.where(eq(alertRules.id, d.ruleId))
						.get()
				: undefined;
			const attempt: DeliveryAttempt = { at: now, status: null, error: null, ms: 0 };
			const started = performance.now();
			if (!rule?.secret) attempt.error = 'the rule or its secret is gone';
			else
				try {
					const response = await send(d.url, {
						method: 'POST',
						headers: {
							'content-type': 'application/json',
							'user-agent': 'Resonance-Webhooks/1',
							[SIGNATURE_HEADER]: sign(d.body, rule.secret),
							'X-Resonance-Event': d.event,
							'X-Resonance-Delivery': String(d.id),
							'X-Resonance-Attempt': String(d.attempts.length + 1)
						},
						body: d.body,
						signal: AbortSignal.timeout(o.timeoutMs),
						redirect: 'manual'
					});
					attempt.status = response.status;
					await response.body?.cancel().catch(() => undefined);
				} catch (error) {
					attempt.error = error instanceof Error ? error.message : String(error);
				}
			attempt.ms = Math.round(performance.now() - started);
			const attempts = [...d.attempts, attempt];
			const ok = attempt.status !== null && attempt.status >= 200 && attempt.status < 300;
			let status: DeliveryStatus = 'pending';
			let nextAttemptAt: number | null = null;
			if (ok) status = 'delivered';
			else if (!rule?.secret || !retriable(attempt.status) || attempts.length >= o.maxAttempts)
				status = 'failed';
			else nextAttemptAt = now + retryDelay(attempts.length, o.baseDelayMs);
			db.update(webhookDeliveries)
				.set({
					status,
					attempts,
					lastStatus: attempt.status,
					nextAttemptAt,
					finishedAt: status === 'pending' ? null : now
				})
				.where(eq(webhookDeliveries.id, d.id))
				.run();
			if (ok) done++;
		}
		return done;
	} finally {
		busy.delete(db);
	}
}

export interface DeliveryView {
	id: number;
	ruleId: number | null;
	ruleName: string | null;
	alertId: number | null;
	event: string;
	url: string;
	status: DeliveryStatus;
	attempts: DeliveryAttempt[];
	lastStatus: number | null;
	nextAttemptAt: number | null;
	createdAt: number;
	finishedAt: number | null;
}

/** The delivery log, newest first (admins). */
export function listDeliveries(
	db: Db,
	options: { limit?: number; status?: DeliveryStatus } = {}
): DeliveryView[] {
	const limit = Math.max(1, Math.min(500, options.limit ?? 100));
	return db
		.select({
			id: webhookDeliveries.id,
			ruleId: webhookDeliveries.ruleId,
			ruleName: alertRules.name,
			alertId: webhookDeliveries.alertId,
			event: webhookDeliveries.event,
			url: webhookDeliveries.url,
			status: webhookDeliveries.status,
			attempts: webhookDeliveries.attempts,
			lastStatus: webhookDeliveries.lastStatus,
			nextAttemptAt: webhookDeliveries.nextAttemptAt,
			createdAt: webhookDeliveries.createdAt,
			finishedAt: webhookDeliveries.finishedAt
		})
		.from(webhookDeliveries)
		.leftJoin(alertRules, eq(alertRules.id, webhookDeliveries.ruleId))
		.where(options.status ? eq(webhookDeliveries.status, options.status) : sql`1`)
		.orderBy(desc(webhookDeliveries.id))
		.limit(limit)
		.all();
}

/** Queues a signed test delivery for a rule's webhook (the admin's "send test" button). */
export function enqueueTest(db: Db, ruleId: number, now = Date.now()): boolean {
	const rule = db.select().from(alertRules).where(eq(alertRules.id, ruleId)).get();
	if (!rule?.webhookUrl) return false;
	db.insert(webhookDeliveries)
		.values({
			ruleId,
			alertId: null,
			event: 'test',
			url: rule.webhookUrl,
			body: JSON.stringify({
				event: 'test',
				sentAt: new Date(now).toISOString(),
				rule: { id: rule.id, name: rule.name }
			}),
			status: 'pending',
			nextAttemptAt: now,
			createdAt: now
		})
		.run();
	return true;
}
