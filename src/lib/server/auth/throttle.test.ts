import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { audit } from './audit';
import { signInThrottle, throttleLimitsFromEnv } from './throttle';

const MIN = 60_000;
let db: Db;
beforeEach(() => {
	db = openDatabase(':memory:');
});

function fail(email: string, ip: string, ts: number) {
	void audit(db, { action: 'auth.sign_in_failed', target: email, ip, ts });
}

describe('signInThrottle', () => {
	const now = 1_800_000_000_000;

	it('allows four failures, blocks at five for the account, until the window passes', () => {
		for (let i = 0; i < 4; i++) fail('lee@bank.example', `10.0.0.${i}`, now - 10 * MIN + i * MIN);
		expect(signInThrottle(db, { email: 'lee@bank.example', ip: '10.9.9.9', now })).toEqual({
			blocked: false
		});
		fail('lee@bank.example', '10.0.0.9', now - MIN);
		const verdict = signInThrottle(db, { email: 'LEE@bank.example ', ip: '10.9.9.9', now });
		expect(verdict).toEqual({ blocked: true, reason: 'account', retryAfterSeconds: 5 * 60 });
		// The oldest failure (10 minutes ago) leaves the 15-minute window 5 minutes from now.
		expect(signInThrottle(db, { email: 'lee@bank.example', ip: '10.9.9.9', now: now + 5 * MIN + 1 })).toEqual(
			{
				blocked: false
			}
		);
	});

	it('blocks an address after five failures across accounts', () => {
		for (let i = 0; i < 5; i++) fail(`user${i}@bank.example`, '192.0.2.7', now - i * MIN);
		expect(signInThrottle(db, { email: 'someone@bank.example', ip: '192.0.2.7', now })).toMatchObject({
			blocked: true,
			reason: 'ip'
		});
		expect(signInThrottle(db, { email: 'someone@bank.example', ip: '192.0.2.8', now })).toEqual({
			blocked: false
		});
	});

	it('forgets an account’s failures after a successful sign-in', () => {
		for (let i = 0; i < 5; i++) fail('lee@bank.example', `10.0.0.${i}`, now - 10 * MIN + i);
		void audit(db, { action: 'auth.sign_in', target: 'lee@bank.example', ts: now - 2 * MIN });
		expect(signInThrottle(db, { email: 'lee@bank.example', ip: '10.9.9.9', now })).toEqual({
			blocked: false
		});
	});

	it('ignores failures older than 15 minutes', () => {
		for (let i = 0; i < 5; i++) fail('lee@bank.example', '10.0.0.1', now - 16 * MIN);
		expect(signInThrottle(db, { email: 'lee@bank.example', ip: '10.0.0.1', now })).toEqual({
			blocked: false
		});
	});

	it('reads its limits from the environment, defaulting to 5', () => {
		expect(throttleLimitsFromEnv({})).toMatchObject({ perAccount: 5, perIp: 5, windowMs: 15 * MIN });
		expect(throttleLimitsFromEnv({ RESONANCE_LOGIN_MAX_FAILURES_PER_IP: '50' }).perIp).toBe(50);
		expect(throttleLimitsFromEnv({ RESONANCE_LOGIN_MAX_FAILURES: 'zero' }).perAccount).toBe(5);
	});
});
