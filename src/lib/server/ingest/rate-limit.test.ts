import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit';

describe('RateLimiter', () => {
	it('lets a full batch through, then refills at the rate', () => {
		const limiter = new RateLimiter();
		const t0 = 1_000_000;
		expect(limiter.take(1, 1000, 2500, t0)).toEqual({ ok: true });
		expect(limiter.take(1, 1000, 500, t0)).toEqual({ ok: false, retryAfterS: 1 });
		expect(limiter.take(2, 1000, 500, t0)).toEqual({ ok: true });
		expect(limiter.take(1, 1000, 500, t0 + 600)).toEqual({ ok: true });
		expect(limiter.take(1, 100, 2500, t0 + 600)).toEqual({ ok: false, retryAfterS: 24 });
	});

	it('says how long until a cost could be taken, taking nothing', () => {
		const limiter = new RateLimiter();
		const t0 = 1_000_000;
		expect(limiter.waitMs(1, 1000, 1000, t0)).toBe(0);
		limiter.take(1, 1000, 2500, t0);
		expect(limiter.waitMs(1, 1000, 1000, t0)).toBe(1000);
		expect(limiter.waitMs(1, 1000, 1000, t0 + 400)).toBe(600);
		expect(limiter.take(1, 1000, 400, t0 + 400)).toEqual({ ok: true });
	});
});
