import { LIMITS } from './config';

interface Bucket {
	tokens: number;
	updatedAt: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

/**
 * Token buckets per write key, in events: a key may send `rate` events a second on average and bursts up to one
 * second's worth (never less than one full batch, so a maximal batch can always pass once the bucket is full).
 */
export class RateLimiter {
	private readonly buckets = new Map<number, Bucket>();

	take(keyId: number, ratePerSecond: number, cost: number, now = Date.now()): RateDecision {
		const capacity = Math.max(ratePerSecond, LIMITS.batchEvents);
		let bucket = this.buckets.get(keyId);
		if (!bucket) this.buckets.set(keyId, (bucket = { tokens: capacity, updatedAt: now }));
		bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * ratePerSecond);
		bucket.updatedAt = now;
		if (cost <= bucket.tokens) {
			bucket.tokens -= cost;
			return { ok: true };
		}
		return { ok: false, retryAfterS: Math.max(1, Math.ceil((cost - bucket.tokens) / ratePerSecond)) };
	}

	/** Milliseconds until `cost` events could be taken (0: now), taking nothing; for pacing a long upload. */
	waitMs(keyId: number, ratePerSecond: number, cost: number, now = Date.now()): number {
		const capacity = Math.max(ratePerSecond, LIMITS.batchEvents);
		const bucket = this.buckets.get(keyId);
		if (!bucket) return 0;
		const tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * ratePerSecond);
		return tokens >= cost ? 0 : Math.ceil(((cost - tokens) / ratePerSecond) * 1000);
	}
}
