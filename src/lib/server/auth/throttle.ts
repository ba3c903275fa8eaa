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

/** Whether a sign-in attempt for this e-mail from this address may go ahead now. */
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
		const times = failureTimes(db, reason, value, since, limit);
		if (times.length >= limit) {
			// Blocked until the limit-th newest failure leaves the window.
			const retryAfterSeconds = Math.max(1, Math.ceil((times[limit - 1] + limits.windowMs - now) / 1000));
			return { blocked: true, reason, retryAfterSeconds };
		}
	}
	return { blocked: false };
}
