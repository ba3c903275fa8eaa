import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('reconnection back-off', () => {
	it('doubles from the base up to the cap', () => {
		const none = () => 0.5; // no jitter
		expect([0, 1, 2, 3, 4, 5, 6, 40].map((a) => backoffDelay(a, {}, none))).toEqual([
			1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000
		]);
	});

	it('spreads delays by the jitter without exceeding the cap', () => {
		expect(backoffDelay(0, { jitter: 0.2 }, () => 0)).toBe(800);
		expect(backoffDelay(0, { jitter: 0.2 }, () => 1)).toBe(1200);
		expect(backoffDelay(10, { jitter: 0.2, maxMs: 5000 }, () => 1)).toBe(5000);
		expect(backoffDelay(2, { baseMs: 100, jitter: 0 })).toBe(400);
	});
});
