/**
 * Issue 17: "sessions and rate limits hold across processes". Two pools on one PostgreSQL database stand for two
 * server processes behind a load balancer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStorage, type Storage } from '$lib/server/db/storage';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { authenticate as authenticateWriteKey } from '$lib/server/ingest/authenticate';
import { audit } from './audit';
import { WRITE_KEY_CACHE_MS, addWriteKey, revokeKey, verifyWriteKeyCached } from './keys';
import { createSession, generateSessionToken, invalidateUserSessions, validateSessionToken } from './session';
import { admitSignIn } from './throttle';
import { rawRows } from './testing';
import { createUser, setUserDisabled } from './users';

let pg: TestPostgres;
let a: Storage;
let b: Storage;

beforeAll(async () => {
	pg = await testPostgres();
	a = postgresStorage(pg.db);
	b = postgresStorage(await pg.another({ pool: 4 }));
});

afterAll(async () => {
	await pg.close();
});

describe('two processes on one PostgreSQL database', () => {
	it('admit together no more sign-in attempts than the limit, counted before the hash', async () => {
		const email = 'target@bank.example';
		const now = Date.now();
		// Thirty attempts from thirty addresses, alternating between the processes, all at once.
		const verdicts = await Promise.all(
			Array.from({ length: 30 }, (_, i) =>
				admitSignIn(i % 2 ? a : b, { email, ip: `198.51.100.${i + 1}`, now })
			)
		);
		const admitted = verdicts.filter((v) => !v.blocked);
		expect(admitted).toHaveLength(5);
		expect(verdicts.filter((v) => v.blocked)).toHaveLength(25);
		expect(await rawRows(a, `SELECT key FROM sign_in_pending WHERE key = 'account:${email}'`)).toHaveLength(
			5
		);
		// Each admitted attempt fails: recorded in the log, then settled. The limit still holds from the log.
		for (const [i, v] of admitted.entries()) {
			await audit(i % 2 ? b : a, {
				action: 'auth.sign_in_failed',
				target: email,
				ip: '198.51.100.99',
				ts: now
			});
			if (!v.blocked) await v.settle();
		}
		expect(await rawRows(b, 'SELECT * FROM sign_in_pending')).toEqual([]);
		expect(await admitSignIn(a, { email, ip: '203.0.113.1', now: now + 1000 })).toMatchObject({
			blocked: true,
			reason: 'account'
		});
		expect(await admitSignIn(b, { email, ip: '203.0.113.2', now: now + 1000 })).toMatchObject({
			blocked: true,
			reason: 'account'
		});
		// Another account is not affected (one address per attempt, so the per-address limit is not reached).
		expect((await admitSignIn(b, { email: 'other@bank.example', ip: '203.0.113.3', now })).blocked).toBe(
			false
		);
	});

	it('forget an attempt left in flight by a process that died, after a minute', async () => {
		const email = 'crash@bank.example';
		const now = Date.now();
		for (let i = 0; i < 5; i++) await admitSignIn(a, { email, ip: `192.0.2.${i}`, now }); // never settled
		expect((await admitSignIn(b, { email, ip: '192.0.2.50', now })).blocked).toBe(true);
		expect((await admitSignIn(b, { email, ip: '192.0.2.51', now: now + 61_000 })).blocked).toBe(false);
	});

	it('share sessions: one signs out or disables, the other refuses the session at once', async () => {
		const user = await createUser(a, {
			email: 'lee@bank.example',
			password: 'password-1',
			role: 'executive'
		});
		const [t1, t2] = [generateSessionToken(), generateSessionToken()];
		await createSession(a, t1, user.id);
		await createSession(a, t2, user.id);
		expect((await validateSessionToken(b, t1))?.user.email).toBe('lee@bank.example');
		expect(await invalidateUserSessions(b, user.id, (await validateSessionToken(a, t2))?.session.id)).toBe(1);
		expect(await validateSessionToken(a, t1)).toBeNull();
		expect(await validateSessionToken(a, t2)).not.toBeNull();
		await setUserDisabled(b, user.id, true);
		expect(await validateSessionToken(a, t2)).toBeNull();
	});

	it('drop a write key revoked by the other process from their caches', async () => {
		const created = await addWriteKey(a, { name: 'Mobile app' });
		const t0 = Date.now();
		expect((await verifyWriteKeyCached(a, created.key, t0))?.sourceId).toBe(created.sourceId);
		expect(await revokeKey(b, created.id)).toBe(true);
		// The revoking process refuses at once; the other once it hears of it (live/relay.ts: here the two pools share
		// this process's relay, so at once; live/processes.test.ts crosses two relays). Without a listener (the admin
		// CLI) a cached key is trusted for at most WRITE_KEY_CACHE_MS.
		expect(await verifyWriteKeyCached(b, created.key, t0)).toBeNull();
		expect(await verifyWriteKeyCached(a, created.key, t0 + 1)).toBeNull();
		await expect(authenticateWriteKey(a, created.key, t0 + WRITE_KEY_CACHE_MS + 1)).rejects.toMatchObject({
			status: 401
		});
		expect(WRITE_KEY_CACHE_MS).toBeLessThanOrEqual(5_000);
	});
});
