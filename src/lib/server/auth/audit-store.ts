import { and, desc, eq, gte, ilike, like, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { auditLog } from '$lib/server/db/schema';
import { pgSchema } from '$lib/server/db/postgres';
import type { AuditFilter, AuditRow } from './audit';

/**
 * The audit log's storage, one implementation per engine (db/storage.ts): the only writer of audit_log.
 * The SQL is the same but for the actor search: SQLite's LIKE ignores ASCII case, PostgreSQL's needs ILIKE.
 */
export interface AuditStore {
	append(row: typeof auditLog.$inferInsert): Promise<void>;
	page(filter: AuditFilter, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }>;
}

function sqliteAuditStore(db: Db): AuditStore {
	return {
		async append(row) {
			db.insert(auditLog).values(row).run();
		},
		async page(filter, limit, offset) {
			const conditions: SQL[] = [];
			if (filter.action) conditions.push(eq(auditLog.action, filter.action));
			if (filter.actor) conditions.push(like(auditLog.actorEmail, `%${filter.actor}%`));
			if (filter.from !== undefined) conditions.push(gte(auditLog.ts, filter.from));
			if (filter.to !== undefined) conditions.push(lt(auditLog.ts, filter.to));
			const where = conditions.length ? and(...conditions) : undefined;
			const rows = db
				.select()
				.from(auditLog)
				.where(where)
				.orderBy(desc(auditLog.ts), desc(auditLog.id))
				.limit(limit)
				.offset(offset)
				.all();
			const total =
				db
					.select({ n: sql<number>`count(*)` })
					.from(auditLog)
					.where(where)
					.get()?.n ?? 0;
			return { rows, total };
		}
	};
}

function postgresAuditStore(db: PgDb): AuditStore {
	const t = pgSchema.auditLog;
	return {
		async append(row) {
			await db.insert(t).values(row);
		},
		async page(filter, limit, offset) {
			const conditions: SQL[] = [];
			if (filter.action) conditions.push(eq(t.action, filter.action));
			if (filter.actor) conditions.push(ilike(t.actorEmail, `%${filter.actor}%`));
			if (filter.from !== undefined) conditions.push(gte(t.ts, filter.from));
			if (filter.to !== undefined) conditions.push(lt(t.ts, filter.to));
			const where = conditions.length ? and(...conditions) : undefined;
			const rows = await db
				.select()
				.from(t)
				.where(where)
				.orderBy(desc(t.ts), desc(t.id))
				.limit(limit)
				.offset(offset);
			const [count] = await db
				.select({ n: sql<number>`count(*)` })
				.from(t)
				.where(where);
			return { rows: rows as AuditRow[], total: Number(count?.n ?? 0) };
		}
	};
}

export const auditStores = { sqlite: sqliteAuditStore, postgres: postgresAuditStore };
