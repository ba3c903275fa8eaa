import { createHmac } from 'node:crypto';
import type { Db } from '$lib/server/db';
import { asStorage, type Storage } from '$lib/server/db/storage';
import type { DeliveryAttempt, DeliveryStatus } from '$lib/server/db/schema';
import { alertStore } from './stores';
import type { NewDeliveryRow } from './store-api';
import { deliveryProblem, guardedFetch } from './destinations';
import { sendMail, SmtpError, type SmtpConfig } from './smtp';
import type { AlertChange } from './store';

/**
 * Webhook delivery: a JSON body signed with `X-Resonance-Signature: sha256=<hex HMAC-SHA256 of the raw body with
 * the rule's secret>` (DESIGN.md), kept in a delivery log with every attempt's status code. Failures (5xx, 408,
 * 429, no answer) are retried with exponential back-off — 10 s, 20 s, 40 s … up to 8 attempts; other 4xx answers
 * are final; redirects are not followed (a 3xx is final too). Before each attempt the destination is checked again
 * (destinations.ts): a host that now resolves to loopback or link-local is refused. Deliveries are rows, so a
 * restart resumes them.
 * E-mail (when the server has an SMTP relay, RESONANCE_SMTP_URL) goes through the same queue and log: a delivery to
 * `mailto:<recipients>` is sent by SMTP, its status is the server's reply code (250 delivered; 4xx and lost
 * connections retried; 5xx final).
 */

export const SIGNATURE_HEADER = 'X-Resonance-Signature';

export function sign(body: string, secret: string): string {
	return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Where alert e-mail goes: the relay and sender, and the public origin for links (null: no e-mail). */
export interface Mailer {
	smtp: SmtpConfig;
	origin: string | null;
}
let mailer: Mailer | null = null;

/** Sets (or clears) the server's SMTP relay; rules' e-mail recipients are ignored without one. */
export function configureMailer(next: Mailer | null): void {
	mailer = next;
}

export interface DeliveryOptions {
	now?: number;
	/** The SMTP relay for `mailto:` deliveries (default: the configured one). */
	mailer?: Mailer | null;
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
export async function enqueueDeliveries(
	target: Db | Storage,
	changes: readonly AlertChange[],
	now = Date.now()
): Promise<number> {
	const store = alertStore(target);
	const rows: NewDeliveryRow[] = [];
	for (const change of changes) {
		const event = WEBHOOK_EVENTS[change.type];
		const a = change.alert;
		if (!event || a.ruleId === null) continue;
		if (change.type === 'opened' && a.snoozedUntil !== null && a.snoozedUntil > now) continue;
		const rule = await store.webhookRule(a.ruleId);
		const emails = mailer ? emailsOf(rule?.config) : [];
		if (!rule || (!rule.url && emails.length === 0)) continue;
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
		for (const url of [rule.url, emails.length ? `mailto:${emails.join(',')}` : null]) {
			if (!url) continue;
			rows.push({
				ruleId: rule.id,
				alertId: a.id,
				event,
				url,
				body,
				status: 'pending',
				nextAttemptAt: now,
				createdAt: now
			});
		}
	}
	await store.insertDeliveries(rows);
	return rows.length;
}

function emailsOf(config: unknown): string[] {
	const list = (config as { emails?: unknown } | null)?.emails;
	return Array.isArray(list) ? list.filter((e): e is string => typeof e === 'string') : [];
}

interface DeliveryBody {
	event: string;
	rule?: { name?: string };
	alert?: {
		status?: string;
		severity?: string;
		scope?: string;
		teams?: string[] | null;
		summary?: string;
		openedAt?: string;
		acknowledgedBy?: string | null;
		resolvedBy?: string | null;
	};
}

const MAIL_EVENTS: Record<string, string> = {
	'alert.opened': '告警 Alert',
	'alert.acknowledged': '已确认 Acknowledged',
	'alert.resolved': '已解除 Resolved',
	test: '测试 Test'
};

/** The e-mail of a delivery: a subject naming the rule and what happened, the summary and the facts as text. */
export function alertMail(bodyJson: string, origin: string | null): { subject: string; text: string } {
	const body = JSON.parse(bodyJson) as DeliveryBody;
	const a = body.alert;
	const what = MAIL_EVENTS[body.event] ?? body.event;
	const subject = `[Resonance] ${what}: ${body.rule?.name ?? ''}`.trim();
	const lines = a
		? [
				a.summary ?? '',
				'',
				`Rule / 规则: ${body.rule?.name ?? '—'}`,
				`Severity / 级别: ${a.severity ?? '—'}`,
				`Status / 状态: ${a.status ?? '—'}`,
				`Scope / 范围: ${a.teams?.length ? a.teams.join(', ') : a.scope === '*' ? 'all teams / 全部团队' : a.scope}`,
				`Opened / 开始: ${a.openedAt ?? '—'}`,
				...(a.acknowledgedBy ? [`Acknowledged by / 确认人: ${a.acknowledgedBy}`] : []),
				...(a.resolvedBy ? [`Resolved by / 解除人: ${a.resolvedBy}`] : [])
			]
		: ['A test message from Resonance. / 共鸣测试邮件。'];
	if (origin) lines.push('', `${origin.replace(/\/$/, '')}/alerts`);
	return { subject, text: `${lines.join('\n')}\n` };
}

const retriable = (status: number | null) =>
	status === null || status >= 500 || status === 408 || status === 429;

const busy = new WeakSet<object>();

/**
 * Sends the deliveries that are due (one call at a time per database). Each is leased before sending, so one
 * that is in flight when the process stops is retried after the lease, never lost. On PostgreSQL the due ones are
 * claimed in one statement (FOR UPDATE SKIP LOCKED), so processes delivering at once never send one twice.
 */
export async function deliverDue(target: Db | Storage, options: DeliveryOptions = {}): Promise<number> {
	const db = asStorage(target).db;
	if (busy.has(db)) return 0;
	busy.add(db);
	try {
		const store = alertStore(target);
		const o = { ...DEFAULTS, ...options };
		const now = o.now ?? Date.now();
		// Not the global fetch: guardedFetch connects only to addresses that pass the destination check.
		const send = o.fetch ?? ((url: string, init: RequestInit) => guardedFetch(url, init));
		// A claimed batch is held long enough for every delivery in it to be tried.
		const due = await store.dueDeliveries(now, o.limit, now + o.limit * (o.timeoutMs + 1_000) + 30_000);
		let done = 0;
		for (const d of due) {
			await store.leaseDelivery(d.id, now + o.timeoutMs + 30_000);
			const email = d.url.startsWith('mailto:');
			const rule = d.ruleId ? { secret: await store.ruleSecret(d.ruleId) } : undefined;
			const attempt: DeliveryAttempt = { at: now, status: null, error: null, ms: 0 };
			const started = performance.now();
			// Whether another attempt could succeed (a webhook whose secret is gone cannot).
			let canRetry = true;
			let destination: string | null = null;
			if (email) {
				const relay = o.mailer === undefined ? mailer : o.mailer;
				if (!relay) {
					attempt.error = 'no SMTP relay is configured';
					canRetry = false;
				} else
					try {
						const reply = await sendMail(
							relay.smtp,
							{ to: d.url.slice('mailto:'.length).split(','), ...alertMail(d.body, relay.origin) },
							{ timeoutMs: o.timeoutMs }
						);
						attempt.status = reply.code;
					} catch (error) {
						attempt.status = error instanceof SmtpError ? error.code : null;
						attempt.error = error instanceof Error ? error.message : String(error);
						canRetry = !(error instanceof SmtpError) || error.retriable;
					}
			} else if (!rule?.secret) {
				attempt.error = 'the rule or its secret is gone';
				canRetry = false;
			} else if ((destination = await deliveryProblem(d.url))) {
				// Checked again now, on the addresses the name resolves to (a rebinding name, a changed allow list).
				attempt.error = `refused: ${destination}`;
				canRetry = false;
			} else
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
			else if (!canRetry || (!email && !retriable(attempt.status)) || attempts.length >= o.maxAttempts)
				status = 'failed';
			else nextAttemptAt = now + retryDelay(attempts.length, o.baseDelayMs);
			await store.finishDelivery(d.id, {
				status,
				attempts,
				lastStatus: attempt.status,
				nextAttemptAt,
				finishedAt: status === 'pending' ? null : now
			});
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
export async function listDeliveries(
	target: Db | Storage,
	options: { limit?: number; status?: DeliveryStatus } = {}
): Promise<DeliveryView[]> {
	const limit = Math.max(1, Math.min(500, options.limit ?? 100));
	return alertStore(target).listDeliveries(limit, options.status);
}

/**
 * Queues a test delivery to a rule's webhook (signed) and e-mail recipients (the admin's "send test" button);
 * false when the rule has neither.
 */
export async function enqueueTest(target: Db | Storage, ruleId: number, now = Date.now()): Promise<boolean> {
	const store = alertStore(target);
	const rule = await store.getRule(ruleId);
	if (!rule) return false;
	const emails = mailer ? emailsOf(rule.config) : [];
	const urls = [rule.webhookUrl, emails.length ? `mailto:${emails.join(',')}` : null].filter(
		(u): u is string => u !== null
	);
	await store.insertDeliveries(
		urls.map((url) => ({
			ruleId,
			alertId: null,
			event: 'test',
			url,
			body: JSON.stringify({
				event: 'test',
				sentAt: new Date(now).toISOString(),
				rule: { id: rule.id, name: rule.name }
			}),
			status: 'pending' as const,
			nextAttemptAt: now,
			createdAt: now
		}))
	);
	return urls.length > 0;
}
