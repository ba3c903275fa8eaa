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
});
