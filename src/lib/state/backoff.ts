/** Reconnection delays: exponential back-off with jitter, capped (tested; used by the live stream). */

export interface BackoffOptions {
	/** First delay, ms (default 1000). */
	baseMs?: number;
	/** Longest delay, ms (default 30 s). */
	maxMs?: number;
	/** ± share of random spread so many screens do not reconnect in lockstep (default 0.2). */
	jitter?: number;
}

/** The delay before reconnection attempt `attempt` (0-based): base·2^attempt, capped, ± jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random = Math.random): number {
	const base = options.baseMs ?? 1000;
	const max = options.maxMs ?? 30_000;
	const jitter = options.jitter ?? 0.2;
	const raw = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
	const spread = raw * jitter * (random() * 2 - 1);
	return Math.max(0, Math.round(Math.min(max, raw + spread)));
}
