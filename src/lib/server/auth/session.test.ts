import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { sessions } from '$lib/server/db/schema';
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
import { createUser, setUserDisabled, updateUser } from './users';

const DAY = 86_400_000;
let db: Db;
let userId: string;

beforeEach(async () => {
	db = openDatabase(':memory:');
	userId = (
		await createUser(db, {
			email: 'Lee@Bank.example',
			password: 'password-1',
			role: 'manager',
			teams: ['t-cc1']
		})
	).id;
});

describe('session tokens', () => {
	it('are 20 random bytes in base32 (32 characters), different every time', () => {
		const token = generateSessionToken();
		expect(token).toMatch(/^[a-z2-7]{32}$/);
		expect(generateSessionToken()).not.toBe(token);
	});

	it('are stored only as their SHA-256', () => {
		const token = generateSessionToken();
		createSession(db, token, userId);
		const stored = db.select().from(sessions).all();
		expect(stored).toHaveLength(1);
		expect(stored[0].id).toBe(sessionIdOf(token));
		expect(stored[0].id).toMatch(/^[0-9a-f]{64}$/);
		expect(JSON.stringify(stored)).not.toContain(token);
	});
});

describe('validateSessionToken', () => {
	it('returns the session and the user (with a manager’s teams)', () => {
		const token = generateSessionToken();
		const now = Date.now();
		createSession(db, token, userId, { now, ip: '10.0.0.1', userAgent: 'test' });
		const result = validateSessionToken(db, token, now + 1000);
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

	it('rejects an unknown or empty token', () => {
		expect(validateSessionToken(db, generateSessionToken())).toBeNull();
		expect(validateSessionToken(db, '')).toBeNull();
	});

	it('renews the expiry once half of the 30 days are spent, not before', () => {
		const token = generateSessionToken();
		const start = Date.now();
		createSession(db, token, userId, { now: start });
		const early = validateSessionToken(db, token, start + 14 * DAY);
		expect(early?.renewed).toBe(false);
		expect(early?.session.expiresAt).toBe(start + 30 * DAY);
		const later = start + 16 * DAY;
		const renewed = validateSessionToken(db, token, later);
		expect(renewed?.renewed).toBe(true);
		expect(renewed?.session.expiresAt).toBe(later + 30 * DAY);
		expect(db.select().from(sessions).get()?.expiresAt).toBe(later + 30 * DAY);
	});

	it('expires after 30 days without use and deletes the row', () => {
		const token = generateSessionToken();
		const start = Date.now();
		createSession(db, token, userId, { now: start });
		expect(validateSessionToken(db, token, start + 30 * DAY)).toBeNull();
		expect(db.select().from(sessions).all()).toHaveLength(0);
	});

	it('ends with the account: a disabled user’s sessions stop working', () => {
		const token = generateSessionToken();
		createSession(db, token, userId);
		setUserDisabled(db, userId, true);
		expect(validateSessionToken(db, token)).toBeNull();
	});

	it('ends when the role changes, so new rights apply at once', () => {
		const token = generateSessionToken();
		createSession(db, token, userId);
		updateUser(db, userId, { role: 'executive' });
		expect(validateSessionToken(db, token)).toBeNull();
	});
});

describe('invalidation and listing', () => {
	it('invalidates one session', () => {
		const token = generateSessionToken();
		const session = createSession(db, token, userId);
		invalidateSession(db, session.id);
		expect(validateSessionToken(db, token)).toBeNull();
	});

	it('invalidates all of a user’s sessions, or all but the current one', () => {
		const tokens = [generateSessionToken(), generateSessionToken(), generateSessionToken()];
		const [current] = tokens.map((t) => createSession(db, t, userId));
		expect(listUserSessions(db, userId, current.id).filter((s) => s.current)).toHaveLength(1);
		expect(invalidateUserSessions(db, userId, current.id)).toBe(2);
		expect(validateSessionToken(db, tokens[0])).not.toBeNull();
		expect(validateSessionToken(db, tokens[1])).toBeNull();
		expect(invalidateUserSessions(db, userId)).toBe(1);
		expect(listUserSessions(db, userId)).toEqual([]);
	});
});
