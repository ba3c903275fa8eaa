import { and, asc, desc, eq, gt, gte, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { apiKeys, auditLog, sessions, sources, userTeams, users } from '$lib/server/db/schema';
import type { AuthStore } from './store';

/** The auth domain's storage on SQLite (store.ts): today's synchronous statements, wrapped in async functions. */
export function sqliteAuthStore(db: Db): AuthStore {
	const replaceTeams = (userId: string, teams: readonly string[]) => {
		db.delete(userTeams).where(eq(userTeams.userId, userId)).run();
		for (const teamId of teams) db.insert(userTeams).values({ userId, teamId }).run();
	};
	const count = (q: { n: number } | undefined) => q?.n ?? 0;
	const n = sql<number>`count(*)`;
	return {
		async userByEmail(email) {
			return db.select().from(users).where(eq(users.email, email)).get();
		},
		async user(id) {
			return db.select().from(users).where(eq(users.id, id)).get();
		},
		async countUsers() {
			return count(db.select({ n }).from(users).get());
		},
		async activeAdmins() {
			return count(
				db
					.select({ n })
					.from(users)
					.where(sql`${users.role} = 'admin' AND ${users.disabled} = 0`)
					.get()
			);
		},
		async insertUser(row, teams) {
			// better-sqlite3 has one connection: statements through `db` inside the callback are part of the transaction.
			db.transaction(() => {
				db.insert(users).values(row).run();
				replaceTeams(row.id, teams);
			});
		},
		async users() {
			const teams = db.select().from(userTeams).orderBy(asc(userTeams.teamId)).all();
			return { users: db.select().from(users).orderBy(asc(users.email)).all(), teams };
		},
		async updateUser(id, set, teams) {
			db.transaction(() => {
				db.update(users)
					.set({ role: set.role, ...(set.name !== undefined ? { name: set.name } : {}) })
					.where(eq(users.id, id))
					.run();
				replaceTeams(id, teams);
			});
		},
		async setUserDisabled(id, disabled) {
			db.update(users).set({ disabled }).where(eq(users.id, id)).run();
		},
		async setPasswordHash(id, passwordHash) {
			db.update(users).set({ passwordHash }).where(eq(users.id, id)).run();
		},
		async teamsOf(userId) {
			return db
				.select({ teamId: userTeams.teamId })
				.from(userTeams)
				.where(eq(userTeams.userId, userId))
				.orderBy(asc(userTeams.teamId))
				.all()
				.map((r) => r.teamId);
		},
		async insertSession(row) {
			db.insert(sessions).values(row).run();
		},
		async sessionWithUser(id) {
			return db
				.select({ session: sessions, user: users })
				.from(sessions)
				.innerJoin(users, eq(sessions.userId, users.id))
				.where(eq(sessions.id, id))
				.get();
		},
		async setSessionExpiry(id, expiresAt) {
			db.update(sessions).set({ expiresAt }).where(eq(sessions.id, id)).run();
		},
		async deleteSession(id) {
			db.delete(sessions).where(eq(sessions.id, id)).run();
		},
		async deleteUserSessions(userId, exceptId) {
			const condition = exceptId
				? and(eq(sessions.userId, userId), ne(sessions.id, exceptId))
				: eq(sessions.userId, userId);
			return db.delete(sessions).where(condition).run().changes;
		},
		async userSessions(userId, now) {
			return db
				.select()
				.from(sessions)
				.where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
				.orderBy(desc(sessions.createdAt))
				.all();
		},
		async sessionHolder(sessionId, userId, now) {
			return db
				.select({ role: users.role, disabled: users.disabled })
				.from(sessions)
				.innerJoin(users, eq(sessions.userId, users.id))
				.where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
				.get();
		},
		async activeKey(digest, kind) {
			return db
				.select()
				.from(apiKeys)
				.where(and(eq(apiKeys.keyHash, digest), eq(apiKeys.kind, kind), isNull(apiKeys.revokedAt)))
				.get();
		},
		async readKeyScope(id) {
			return db
				.select({ role: apiKeys.role, teams: apiKeys.teams })
				.from(apiKeys)
				.where(and(eq(apiKeys.id, id), eq(apiKeys.kind, 'read'), isNull(apiKeys.revokedAt)))
				.get();
		},
		async touchKey(id, now) {
			db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)).run();
		},
		async insertSource(row) {
			return db.insert(sources).values(row).returning({ id: sources.id }).get().id;
		},
		async insertKey(row) {
			return db.insert(apiKeys).values(row).returning({ id: apiKeys.id }).get().id;
		},
		async revokeKey(id, now) {
			return (
				db
					.update(apiKeys)
					.set({ revokedAt: now })
					.where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
					.run().changes > 0
			);
		},
		async source(id) {
			return db.select().from(sources).where(eq(sources.id, id)).get();
		},
		async sources() {
			return db.select().from(sources).orderBy(asc(sources.name), asc(sources.id)).all();
		},
		async setSourceOrigins(id, allowedOrigins) {
			db.update(sources).set({ allowedOrigins }).where(eq(sources.id, id)).run();
		},
		async keys() {
			return db
				.select({
					id: apiKeys.id,
					kind: apiKeys.kind,
					name: apiKeys.name,
					prefix: apiKeys.prefix,
					sourceId: apiKeys.sourceId,
					sourceName: sources.name,
					role: apiKeys.role,
					teams: apiKeys.teams,
					createdAt: apiKeys.createdAt,
					createdBy: apiKeys.createdBy,
					lastUsedAt: apiKeys.lastUsedAt,
					revokedAt: apiKeys.revokedAt
				})
				.from(apiKeys)
				.leftJoin(sources, eq(apiKeys.sourceId, sources.id))
				.orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
				.all();
		},
		async summary(now) {
			return {
				users: count(db.select({ n }).from(users).get()),
				disabledUsers: count(
					db
						.select({ n })
						.from(users)
						.where(sql`${users.disabled} = 1`)
						.get()
				),
				sources: count(db.select({ n }).from(sources).get()),
				activeKeys: count(db.select({ n }).from(apiKeys).where(isNull(apiKeys.revokedAt)).get()),
				failedSignIns24h: count(
					db
						.select({ n })
						.from(auditLog)
						.where(and(sql`${auditLog.action} = 'auth.sign_in_failed'`, gte(auditLog.ts, now - 86_400_000)))
						.get()
				)
			};
		}
	};
}
