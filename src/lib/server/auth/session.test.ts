import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '$lib/server/db/storage';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import {
	SESSION_LIFETIME_MS,
	createSession,
	generateSessionToken,
	invalidateSession,
	invalidateUserSessions,
	listUserSessions,
	sessionIdOf,
	validateSessionToken
} from './session';
import { rawRows } from './testing';
import { createUser, setUserDisabled, updateUser } from './users';

const DAY = 86_400_000;

describe('session tokens', async () => {
	it('are 20 random bytes in base32 (32 characters), different every time', async () => {
		const token = generateSessionToken();
		expect(token).toMatch(/^[a-z2-7]{32}$/);
		expect(generateSessionToken()).not.toBe(token);
	});
});

describe.each(testEngines)('sessions on $engine', ({ open }) => {
	let db: Storage;
	let userId: string;
	const fresh = freshStorage(open);

	beforeEach(async () => {
		db = await fresh();
		userId = (
			await createUser(db, {
				email: 'Lee@Bank.example',
				password: 'password-1',
				role: 'manager',
				teams: ['t-cc1']
			})
		).id;
	});

	describe('session tokens', async () => {
		it('are stored only as their SHA-256', async () => {
			const token = generateSessionToken();
			await createSession(db, token, userId);
			const stored = await rawRows(db, 'SELECT * FROM sessions');
			expect(stored).toHaveLength(1);
			expect(stored[0].id).toBe(sessionIdOf(token));
			expect(stored[0].id).toMatch(/^[0-9a-f]{64}$/);
			expect(JSON.stringify(stored)).not.toContain(token);
		});
	});

	describe('validateSessionToken', async () => {
		it('returns the session and the user (with a manager’s teams)', async () => {
			const token = generateSessionToken();
			const now = Date.now();
			await createSession(db, token, userId, { now, ip: '10.0.0.1', userAgent: 'test' });
			const result = await validateSessionToken(db, token, now + 1000);
			expect(result?.user).toEqual({
				id: userId,
				email: 'lee@bank.example',
				name: '',
				role: 'manager',
				teams: ['t-cc1'],
				via: 'session'
			});
			expect(result?.session.expiresAt).toBe(now + SESSION_LIFETIME_MS);
			expect(result?.renewed).toBe(false);
		});

		it('rejects an unknown or empty token', async () => {
			expect(await validateSessionToken(db, generateSessionToken())).toBeNull();
			expect(await validateSessionToken(db, '')).toBeNull();
		});

		it('renews the expiry once half of the 30 days are spent, not before', async () => {
			const token = generateSessionToken();
			const start = Date.now();
			await createSession(db, token, userId, { now: start });
			const early = await validateSessionToken(db, token, start + 14 * DAY);
			expect(early?.renewed).toBe(false);
			expect(early?.session.expiresAt).toBe(start + 30 * DAY);
			const later = start + 16 * DAY;
			const renewed = await validateSessionToken(db, token, later);
			expect(renewed?.renewed).toBe(true);
			expect(renewed?.session.expiresAt).toBe(later + 30 * DAY);
			expect((await rawRows(db, 'SELECT expires_at FROM sessions'))[0].expires_at).toBe(later + 30 * DAY);
		});

		it('expires after 30 days without use and deletes the row', async () => {
			const token = generateSessionToken();
			const start = Date.now();
			await createSession(db, token, userId, { now: start });
			expect(await validateSessionToken(db, token, start + 30 * DAY)).toBeNull();
			expect(await rawRows(db, 'SELECT * FROM sessions')).toHaveLength(0);
		});

		it('ends with the account: a disabled user’s sessions stop working', async () => {
			const token = generateSessionToken();
			await createSession(db, token, userId);
			await setUserDisabled(db, userId, true);
			expect(await validateSessionToken(db, token)).toBeNull();
		});

		it('ends when the role changes, so new rights apply at once', async () => {
			const token = generateSessionToken();
			await createSession(db, token, userId);
			await updateUser(db, userId, { role: 'executive' });
			expect(await validateSessionToken(db, token)).toBeNull();
		});
	});

	describe('invalidation and listing', async () => {
		it('invalidates one session', async () => {
			const token = generateSessionToken();
			const session = await createSession(db, token, userId);
			await invalidateSession(db, session.id);
			expect(await validateSessionToken(db, token)).toBeNull();
		});

		it('invalidates all of a user’s sessions, or all but the current one', async () => {
			const tokens = [generateSessionToken(), generateSessionToken(), generateSessionToken()];
			const [current] = await Promise.all(tokens.map((t) => createSession(db, t, userId)));
			expect((await listUserSessions(db, userId, current.id)).filter((s) => s.current)).toHaveLength(1);
			expect(await invalidateUserSessions(db, userId, current.id)).toBe(2);
			expect(await validateSessionToken(db, tokens[0])).not.toBeNull();
			expect(await validateSessionToken(db, tokens[1])).toBeNull();
			expect(await invalidateUserSessions(db, userId)).toBe(1);
			expect(await listUserSessions(db, userId)).toEqual([]);
		});
	});
});
