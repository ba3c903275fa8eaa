import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import type { apiKeys, sessions, sources, users } from '$lib/server/db/schema';
import type { Role } from '$lib/server/db/schema';
import { postgresAuthStore } from './postgres';
import { sqliteAuthStore } from './sqlite';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type SourceRow = typeof sources.$inferSelect;

export interface KeyListing {
	id: number;
	kind: 'write' | 'read';
	name: string;
	prefix: string;
	sourceId: number | null;
	sourceName: string | null;
	role: Role | null;
	teams: string[];
	createdAt: number;
	createdBy: string | null;
	lastUsedAt: number | null;
	revokedAt: number | null;
}

export interface AdminSummary {
	users: number;
	disabledUsers: number;
	sources: number;
	activeKeys: number;
	failedSignIns24h: number;
}

/**
 * Accounts, sessions, keys and sources: the storage of the auth domain, one implementation per engine
 * (auth/sqlite.ts keeps the synchronous SQLite calls, auth/postgres.ts awaits the pool), chosen by `authStore`.
 * The domain logic (users.ts, session.ts, keys.ts, recheck.ts, admin-summary.ts) only calls these.
 */
export interface AuthStore {
	// users
	userByEmail(email: string): Promise<UserRow | undefined>;
	user(id: string): Promise<UserRow | undefined>;
	countUsers(): Promise<number>;
	activeAdmins(): Promise<number>;
	/** Inserts the user and their teams in one transaction. */
	insertUser(row: typeof users.$inferInsert, teams: readonly string[]): Promise<void>;
	/** All users by e-mail, with every team binding sorted by team. */
	users(): Promise<{ users: UserRow[]; teams: { userId: string; teamId: string }[] }>;
	/** Sets role (and name) and replaces the teams in one transaction. */
	updateUser(id: string, set: { role: Role; name?: string }, teams: readonly string[]): Promise<void>;
	setUserDisabled(id: string, disabled: boolean): Promise<void>;
	setPasswordHash(id: string, passwordHash: string): Promise<void>;
	teamsOf(userId: string): Promise<string[]>;
	// sessions
	insertSession(row: SessionRow): Promise<void>;
	sessionWithUser(id: string): Promise<{ session: SessionRow; user: UserRow } | undefined>;
	setSessionExpiry(id: string, expiresAt: number): Promise<void>;
	deleteSession(id: string): Promise<void>;
	/** Deletes the user's sessions (but `exceptId`); how many ended. */
	deleteUserSessions(userId: string, exceptId?: string): Promise<number>;
	/** Live sessions of a user, newest first. */
	userSessions(userId: string, now: number): Promise<SessionRow[]>;
	/** The role and disabled flag behind a live session of this user (for live streams' re-check). */
	sessionHolder(
		sessionId: string,
		userId: string,
		now: number
	): Promise<{ role: Role; disabled: boolean } | undefined>;
	// keys and sources
	activeKey(digest: string, kind: 'write' | 'read'): Promise<ApiKeyRow | undefined>;
	/** Role and teams of an active read key. */
	readKeyScope(id: number): Promise<{ role: Role | null; teams: string[] } | undefined>;
	touchKey(id: number, now: number): Promise<void>;
	insertSource(row: typeof sources.$inferInsert): Promise<number>;
	insertKey(row: typeof apiKeys.$inferInsert): Promise<number>;
	/** Sets revoked_at on an active key; false when there was none. */
	revokeKey(id: number, now: number): Promise<boolean>;
	source(id: number): Promise<SourceRow | undefined>;
	sources(): Promise<SourceRow[]>;
	setSourceOrigins(id: number, allowedOrigins: string[]): Promise<void>;
	/** Every key with its source's name, newest first. */
	keys(): Promise<KeyListing[]>;
	// admin landing page
	summary(now: number): Promise<AdminSummary>;
}

const authStores: { sqlite: (db: Db) => AuthStore; postgres: (db: PgDb) => AuthStore } = {
	sqlite: sqliteAuthStore,
	postgres: postgresAuthStore
};

/** The auth store of this database (a bare `Db` is SQLite). */
export function authStore(target: Db | Storage): AuthStore {
	return byEngine(asStorage(target), authStores);
}
