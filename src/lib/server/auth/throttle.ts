import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { throttleStores, type ThrottleFacts, type ThrottleQuery } from './throttle-store';
import { normalizeEmail } from './users';

/**
 * Sign-in throttling, counted from the audit log's failed sign-ins (so it survives restarts and needs no table of
 * its own): after `perAccount` failures for one e-mail, or `perIp` failures from one address, within `windowMs`,
 * further attempts are refused until the oldest of those failures leaves the window. A successful sign-in clears
 * the account's count, not the address's. Attempts still being checked count too: in memory on SQLite (one
 * process), in the shared `sign_in_pending` table on PostgreSQL (throttle-store.ts).
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

/** The verdict from what the store read (pure): attempts in flight count as failures. */
export function judgeSignIn(facts: ThrottleFacts, limits: ThrottleLimits, now: number): ThrottleVerdict {
	const checks: ['account' | 'ip', ThrottleFacts['account'] | null, number][] = [
		['account', facts.account, limits.perAccount],
		['ip', facts.ip, limits.perIp]
	];
	for (const [reason, counted, limit] of checks) {
		if (!counted) continue;
		const pending = counted.pending;
		if (pending >= limit)
			return { blocked: true, reason, retryAfterSeconds: Math.ceil(limits.windowMs / 1000) };
		const times = counted.failures.slice(0, limit - pending);
		if (times.length + pending >= limit) {
			// Blocked until the limit-th newest failure leaves the window.
			const oldest = times[times.length - 1] ?? now;
			const retryAfterSeconds = Math.max(1, Math.ceil((oldest + limits.windowMs - now) / 1000));
			return { blocked: true, reason, retryAfterSeconds };
		}
	}
	return { blocked: false };
}

function queryOf(
	attempt: { email: string; ip: string | null; now?: number },
	limits: ThrottleLimits
): ThrottleQuery {
	const now = attempt.now ?? Date.now();
	return {
		email: normalizeEmail(attempt.email),
		ip: attempt.ip || null,
		windowStart: now - limits.windowMs,
		perAccount: limits.perAccount,
		perIp: limits.perIp,
		now
	};
}

/**
 * Counts a sign-in attempt before its password is checked: blocked, or admitted with `settle()` to await once its
 * outcome is recorded in the audit log (a failure then counts from the log). The check and the count are one atomic
 * step (in one process on SQLite, across processes on PostgreSQL: throttle-store.ts), so 30 parallel attempts for
 * one account get at most `perAccount` hashes checked.
 */
export async function admitSignIn(
	db: Db | Storage,
	attempt: { email: string; ip: string | null; now?: number },
	limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS
): Promise<(ThrottleVerdict & { blocked: true }) | { blocked: false; settle: () => Promise<void> }> {
	const query = queryOf(attempt, limits);
	const keys = [`account:${query.email}`, ...(query.ip ? [`ip:${query.ip}`] : [])];
	const { verdict, release } = await byEngine(asStorage(db), throttleStores).admit(query, keys, (facts) =>
		judgeSignIn(facts, limits, query.now)
	);
	if (verdict.blocked) return verdict;
	return { blocked: false, settle: release ?? (async () => {}) };
}

/** Whether a sign-in attempt for this e-mail from this address may go ahead now (attempts in flight count). */
export async function signInThrottle(
	db: Db | Storage,
	attempt: { email: string; ip: string | null; now?: number },
	limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS
): Promise<ThrottleVerdict> {
	const query = queryOf(attempt, limits);
	return judgeSignIn(await byEngine(asStorage(db), throttleStores).facts(query), limits, query.now);
}
