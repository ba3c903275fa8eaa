import { and, gte, isNull, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { apiKeys, auditLog, sources, users } from '$lib/server/db/schema';

export interface AdminSummary {
	users: number;
	disabledUsers: number;
	sources: number;
	activeKeys: number;
	failedSignIns24h: number;
}

/** The counts on the admin landing page. */
export function adminSummary(db: Db, now = Date.now()): AdminSummary {
	const count = (q: { n: number } | undefined) => q?.n ?? 0;
	const n = sql<number>`count(*)`;
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
