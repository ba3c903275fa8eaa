import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '$lib/server/db/storage';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import { audit } from './audit';
import { admitSignIn, signInThrottle, throttleLimitsFromEnv } from './throttle';

const MIN = 60_000;

describe.each(testEngines)('signInThrottle on $engine', ({ open }) => {
	let db: Storage;
	const fresh = freshStorage(open);
	beforeEach(async () => {
		db = await fresh();
	});

	async function fail(email: string, ip: string, ts: number) {
		await audit(db, { action: 'auth.sign_in_failed', target: email, ip, ts });
	}

	const now = 1_800_000_000_000;

	it('allows four failures, blocks at five for the account, until the window passes', async () => {
		for (let i = 0; i < 4; i++) await fail('lee@bank.example', `10.0.0.${i}`, now - 10 * MIN + i * MIN);
		expect(await signInThrottle(db, { email: 'lee@bank.example', ip: '10.9.9.9', now })).toEqual({
			blocked: false
		});
		await fail('lee@bank.example', '10.0.0.9', now - MIN);
		const verdict = await signInThrottle(db, { email: 'LEE@bank.example ', ip: '10.9.9.9', now });
		expect(verdict).toEqual({ blocked: true, reason: 'account', retryAfterSeconds: 5 * 60 });
		// The oldest failure (10 minutes ago) leaves the 15-minute window 5 minutes from now.
		expect(
			await signInThrottle(db, { email: 'lee@bank.example', ip: '10.9.9.9', now: now + 5 * MIN + 1 })
		).toEqual({
			blocked: false
		});
	});

	it('blocks an address after five failures across accounts', async () => {
		for (let i = 0; i < 5; i++) await fail(`user${i}@bank.example`, '192.0.2.7', now - i * MIN);
		expect(await signInThrottle(db, { email: 'someone@bank.example', ip: '192.0.2.7', now })).toMatchObject({
			blocked: true,
			reason: 'ip'
		});
		expect(await signInThrottle(db, { email: 'someone@bank.example', ip: '192.0.2.8', now })).toEqual({
			blocked: false
		});
	});

	it('forgets an account’s failures after a successful sign-in', async () => {
		for (let i = 0; i < 5; i++) await fail('lee@bank.example', `10.0.0.${i}`, now - 10 * MIN + i);
		await audit(db, { action: 'auth.sign_in', target: 'lee@bank.example', ts: now - 2 * MIN });
		expect(await signInThrottle(db, { email: 'lee@bank.example', ip: '10.9.9.9', now })).toEqual({
			blocked: false
		});
	});

	it('ignores failures older than 15 minutes', async () => {
		for (let i = 0; i < 5; i++) await fail('lee@bank.example', '10.0.0.1', now - 16 * MIN);
		expect(await signInThrottle(db, { email: 'lee@bank.example', ip: '10.0.0.1', now })).toEqual({
			blocked: false
		});
	});

	it('counts attempts in flight until they settle, then counts their failures from the log', async () => {
		const now = 1_800_000_000_000;
		const limits = { perAccount: 3, perIp: 10, windowMs: 15 * MIN };
		const attempt = (i: number) =>
			admitSignIn(db, { email: 'kim@bank.example', ip: `10.1.0.${i}`, now }, limits);
		const verdicts = await Promise.all([0, 1, 2, 3, 4].map(attempt));
		const admitted = verdicts.filter((v) => !v.blocked);
		expect(admitted).toHaveLength(3);
		expect(verdicts.filter((v) => v.blocked)).toEqual([
			{ blocked: true, reason: 'account', retryAfterSeconds: 15 * 60 },
			{ blocked: true, reason: 'account', retryAfterSeconds: 15 * 60 }
		]);
		// Two succeed-or-fail without a failure being recorded (released): their places free up.
		for (const v of admitted.slice(0, 2)) if (!v.blocked) await v.settle();
		expect(await signInThrottle(db, { email: 'kim@bank.example', ip: null, now }, limits)).toEqual({
			blocked: false
		});
		// The third fails: recorded in the log, then settled; settling twice changes nothing.
		await fail('kim@bank.example', '10.1.0.2', now - MIN);
		const third = admitted[2];
		if (!third.blocked) {
			await third.settle();
			await third.settle();
		}
		const next = await admitSignIn(db, { email: 'kim@bank.example', ip: '10.1.0.9', now }, limits);
		expect(next.blocked).toBe(false);
		expect(await signInThrottle(db, { email: 'kim@bank.example', ip: null, now }, limits)).toEqual({
			blocked: false
		});
		const last = await admitSignIn(db, { email: 'kim@bank.example', ip: '10.1.0.9', now }, limits);
		expect(last.blocked).toBe(false);
		// One failure in the log and two in flight make three.
		expect(await signInThrottle(db, { email: 'kim@bank.example', ip: '10.1.0.9', now }, limits)).toEqual({
			blocked: true,
			reason: 'account',
			retryAfterSeconds: 14 * 60
		});
	});
});

describe('throttleLimitsFromEnv', () => {
	it('reads its limits from the environment, defaulting to 5', async () => {
		expect(throttleLimitsFromEnv({})).toMatchObject({ perAccount: 5, perIp: 5, windowMs: 15 * MIN });
		expect(throttleLimitsFromEnv({ RESONANCE_LOGIN_MAX_FAILURES_PER_IP: '50' }).perIp).toBe(50);
		expect(throttleLimitsFromEnv({ RESONANCE_LOGIN_MAX_FAILURES: 'zero' }).perAccount).toBe(5);
	});
});
