import { and, desc, eq, gt, gte } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { auditLog } from '$lib/server/db/schema';
import { normalizeEmail } from './users';

/**
 * Sign-in throttling, counted from the audit log's failed sign-ins (so it survives restarts and needs no table of
 * its own): after `perAccount` failures for one e-mail, or `perIp` failures from one address, within `windowMs`,
 * further attempts are refused until the oldest of those failures leaves the window. A successful sign-in clears
 * the account's count, not the address's.
 */
export interface ThrottleLimits {
	perAccount: number;
	perIp: number;
	windowMs: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = { perAccount: 5, perIp: 5, windowMs: 15 * 60_000 };

/** `RESONANCE_LOGIN_MAX_FAILURES` / `RESONANCE_LOGIN_MAX_FAILURES_PER_IP` override the limits (5 each). */
export function throttleLimitsFromEnv(env: Record<string, string | undefined>): ThrottleLimits {
	const positive = (value: string | undefined, fallback: number) => {
		const n = Number(value);
		return Number.isInteger(n) && n > 0 ? n : fallback;
	};
	return {
		perAccount: positive(env.RESONANCE_LOGIN_MAX_FAILURES, DEFAULT_THROTTLE_LIMITS.perAccount),
		perIp: positive(env.RESONANCE_LOGIN_MAX_FAILURES_PER_IP, DEFAULT_THROTTLE_LIMITS.perIp),
		windowMs: DEFAULT_THROTTLE_LIMITS.windowMs
	};
}

export type ThrottleVerdict =
	{ blocked: false } | { blocked: true; reason: 'account' | 'ip'; retryAfterSeconds: number };

function failureTimes(db: Db, by: 'account' | 'ip', value: string, since: number, limit: number): number[] {
	return db
		.select({ ts: auditLog.ts })
		.from(auditLog)
		.where(
			and(
				eq(auditLog.action, 'auth.sign_in_failed'),
				gte(auditLog.ts, since),
				by === 'account' ? eq(auditLog.target, value) : eq(auditLog.ip, value)
			)
		)
		.orderBy(desc(auditLog.ts))
		.limit(limit)
		.all()
		.map((r) => r.ts);
}

function lastSuccess(db: Db, email: string, since: number): number | undefined {
	return db
		.select({ ts: auditLog.ts })
		.from(auditLog)
		.where(and(eq(auditLog.action, 'auth.sign_in'), eq(auditLog.target, email), gt(auditLog.ts, since)))
		.orderBy(desc(auditLog.ts))
		.limit(1)
		.get()?.ts;
}

/**
 * Attempts being checked right now (the password hash takes a while), per database and per `account:`/`ip:` key.
 * They count as failures until they are settled, so parallel attempts cannot all pass the check before the first
 * failure is recorded.
 */
const inFlight = new WeakMap<Db, Map<string, number>>();

function pendingCount(db: Db, key: string): number {
	return inFlight.get(db)?.get(key) ?? 0;
}

function adjust(db: Db, key: string, by: number): void {
	let counts = inFlight.get(db);
	if (!counts) inFlight.set(db, (counts = new Map()));
	const next = (counts.get(key) ?? 0) + by;
	if (next > 0) counts.set(key, next);
	else counts.delete(key);
}

/**
 * Counts a sign-in attempt before its password is checked: blocked, or admitted with `settle()` to call once its
 * outcome is recorded in the audit log (a failure then counts from the log). The check and the count happen in one
 * synchronous step, so 30 parallel attempts for one account get at most `perAccount` hashes checked.
 */
export function admitSignIn(
	db: Db,
	attempt: { email: string; ip: string | null; now?: number },
	limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS
): (ThrottleVerdict & { blocked: true }) | { blocked: false; settle: () => void } {
	const verdict = signInThrottle(db, attempt, limits);
	if (verdict.blocked) return verdict;
	const keys = [`account:${normalizeEmail(attempt.email)}`, ...(attempt.ip ? [`ip:${attempt.ip}`] : [])];
	for (const key of keys) adjust(db, key, 1);
	let settled = false;
	return {
		blocked: false,
		settle: () => {
			if (settled) return;
			settled = true;
			for (const key of keys) adjust(db, key, -1);
		}
	};
}

/** Whether a sign-in attempt for this e-mail from this address may go ahead now (attempts in flight count). */
export function signInThrottle(
	db: Db,
	attempt: { email: string; ip: string | null; now?: number },
	limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS
): ThrottleVerdict {
	const now = attempt.now ?? Date.now();
	const windowStart = now - limits.windowMs;
	const email = normalizeEmail(attempt.email);
	const success = lastSuccess(db, email, windowStart);
	const accountSince = success === undefined ? windowStart : success + 1;
	const checks: ['account' | 'ip', string | null, number, number][] = [
		['account', email, accountSince, limits.perAccount],
		['ip', attempt.ip, windowStart, limits.perIp]
	];
	for (const [reason, value, since, limit] of checks) {
		if (!value) continue;
		const pending = pendingCount(db, `${reason}:${value}`);
		if (pending >= limit)
			return { blocked: true, reason, retryAfterSeconds: Math.ceil(limits.windowMs / 1000) };
		const times = failureTimes(db, reason, value, since, limit - pending);
		if (times.length + pending >= limit) {
			// Blocked until the limit-th newest failure leaves the window.
			const oldest = times[times.length - 1] ?? now;
			const retryAfterSeconds = Math.max(1, Math.ceil((oldest + limits.windowMs - now) / 1000));
			return { blocked: true, reason, retryAfterSeconds };
		}
	}
	return { blocked: false };
}
