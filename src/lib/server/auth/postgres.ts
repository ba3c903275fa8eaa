import { and, asc, desc, eq, gt, gte, isNull, ne, sql } from 'drizzle-orm';
import { pgSchema, type PgDb } from '$lib/server/db/postgres';
import type { PgTx } from '$lib/server/db/pg-tx';
import type { AuthStore, KeyListing, SessionRow, SourceRow, UserRow } from './store';

const { apiKeys, auditLog, sessions, sources, userTeams, users } = pgSchema;

/**
 * The auth domain's storage on PostgreSQL (store.ts): the same statements as auth/sqlite.ts, awaited on the pool;
 * the two-statement writes run in one transaction.
 */
export function postgresAuthStore(db: PgDb): AuthStore {
	const replaceTeams = async (tx: PgTx, userId: string, teams: readonly string[]) => {
		await tx.delete(userTeams).where(eq(userTeams.userId, userId));
		if (teams.length) await tx.insert(userTeams).values(teams.map((teamId) => ({ userId, teamId })));
	};
	const n = sql<number>`count(*)`;
	const first = async <T>(rows: Promise<T[]>): Promise<T | undefined> => (await rows)[0];
	const count = async (rows: Promise<{ n: number }[]>) => Number((await rows)[0]?.n ?? 0);
	return {
		async userByEmail(email) {
			return first(db.select().from(users).where(eq(users.email, email)).limit(1)) as Promise<
				UserRow | undefined
			>;
		},
		async user(id) {
			return first(db.select().from(users).where(eq(users.id, id)).limit(1)) as Promise<UserRow | undefined>;
		},
		async countUsers() {
			return count(db.select({ n }).from(users));
		},
		async activeAdmins() {
			return count(
				db
					.select({ n })
					.from(users)
					.where(sql`${users.role} = 'admin' AND ${users.disabled} = 0`)
			);
		},
		async insertUser(row, teams) {
			await db.transaction(async (tx) => {
				await tx.insert(users).values(row);
				await replaceTeams(tx, row.id, teams);
			});
		},
		async users() {
			const teams = await db.select().from(userTeams).orderBy(asc(userTeams.teamId));
			const rows = (await db.select().from(users).orderBy(asc(users.email))) as UserRow[];
			return { users: rows, teams };
		},
		async updateUser(id, set, teams) {
			await db.transaction(async (tx) => {
				await tx
					.update(users)
					.set({ role: set.role, ...(set.name !== undefined ? { name: set.name } : {}) })
					.where(eq(users.id, id));
				await replaceTeams(tx, id, teams);
			});
		},
		async setUserDisabled(id, disabled) {
			await db.update(users).set({ disabled }).where(eq(users.id, id));
		},
		async setPasswordHash(id, passwordHash) {
			await db.update(users).set({ passwordHash }).where(eq(users.id, id));
		},
		async teamsOf(userId) {
			const rows = await db
				.select({ teamId: userTeams.teamId })
				.from(userTeams)
				.where(eq(userTeams.userId, userId))
				.orderBy(asc(userTeams.teamId));
			return rows.map((r) => r.teamId);
		},
		async insertSession(row) {
			await db.insert(sessions).values(row);
		},
		async sessionWithUser(id) {
			return first(
				db
					.select({ session: sessions, user: users })
					.from(sessions)
					.innerJoin(users, eq(sessions.userId, users.id))
					.where(eq(sessions.id, id))
					.limit(1)
			) as Promise<{ session: SessionRow; user: UserRow } | undefined>;
		},
		async setSessionExpiry(id, expiresAt) {
			await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, id));
		},
		async deleteSession(id) {
			await db.delete(sessions).where(eq(sessions.id, id));
		},
		async deleteUserSessions(userId, exceptId) {
			const condition = exceptId
				? and(eq(sessions.userId, userId), ne(sessions.id, exceptId))
				: eq(sessions.userId, userId);
			const ended = await db.delete(sessions).where(condition).returning({ id: sessions.id });
			return ended.length;
		},
		async userSessions(userId, now) {
			return db
				.select()
				.from(sessions)
				.where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
				.orderBy(desc(sessions.createdAt));
		},
		async sessionHolder(sessionId, userId, now) {
			return first(
				db
					.select({ role: users.role, disabled: users.disabled })
					.from(sessions)
					.innerJoin(users, eq(sessions.userId, users.id))
					.where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
					.limit(1)
			) as Promise<{ role: UserRow['role']; disabled: boolean } | undefined>;
		},
		async activeKey(digest, kind) {
			return first(
				db
					.select()
					.from(apiKeys)
					.where(and(eq(apiKeys.keyHash, digest), eq(apiKeys.kind, kind), isNull(apiKeys.revokedAt)))
					.limit(1)
			);
		},
		async readKeyScope(id) {
			return first(
				db
					.select({ role: apiKeys.role, teams: apiKeys.teams })
					.from(apiKeys)
					.where(and(eq(apiKeys.id, id), eq(apiKeys.kind, 'read'), isNull(apiKeys.revokedAt)))
					.limit(1)
			);
		},
		async touchKey(id, now) {
			await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id));
		},
		async insertSource(row) {
			const [created] = await db.insert(sources).values(row).returning({ id: sources.id });
			return created.id;
		},
		async insertKey(row) {
			const [created] = await db.insert(apiKeys).values(row).returning({ id: apiKeys.id });
			return created.id;
		},
		async revokeKey(id, now) {
			const revoked = await db
				.update(apiKeys)
				.set({ revokedAt: now })
				.where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
				.returning({ id: apiKeys.id });
			return revoked.length > 0;
		},
		async source(id) {
			return first(db.select().from(sources).where(eq(sources.id, id)).limit(1)) as Promise<
				SourceRow | undefined
			>;
		},
		async sources() {
			return db.select().from(sources).orderBy(asc(sources.name), asc(sources.id)) as Promise<SourceRow[]>;
		},
		async setSourceOrigins(id, allowedOrigins) {
			await db.update(sources).set({ allowedOrigins }).where(eq(sources.id, id));
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
				.orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)) as Promise<KeyListing[]>;
		},
		async summary(now) {
			const [usersN, disabledN, sourcesN, keysN, failedN] = await Promise.all([
				count(db.select({ n }).from(users)),
				count(
					db
						.select({ n })
						.from(users)
						.where(sql`${users.disabled} = 1`)
				),
				count(db.select({ n }).from(sources)),
				count(db.select({ n }).from(apiKeys).where(isNull(apiKeys.revokedAt))),
				count(
					db
						.select({ n })
						.from(auditLog)
						.where(and(sql`${auditLog.action} = 'auth.sign_in_failed'`, gte(auditLog.ts, now - 86_400_000)))
				)
			]);
			return {
				users: usersN,
				disabledUsers: disabledN,
				sources: sourcesN,
				activeKeys: keysN,
				failedSignIns24h: failedN
			};
		}
	};
}
