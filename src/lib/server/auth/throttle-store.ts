import { and, desc, eq, gt, gte } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { auditLog } from '$lib/server/db/schema';

/** What a sign-in throttle decision reads: failures come from the audit log, attempts in flight from the store. */
export interface ThrottleQuery {
	email: string;
	ip: string | null;
	windowStart: number;
	perAccount: number;
	perIp: number;
	now: number;
}

export interface ThrottleFacts {
	/** The newest successful sign-in of the account within the window. */
	lastSuccess: number | undefined;
	/** Failures newest first (at most the limit), counted since the window start or the last success. */
	account: { failures: number[]; pending: number };
	ip: { failures: number[]; pending: number } | null;
}

export type Admission<V> = { verdict: V; release?: () => Promise<void> };

/**
 * Sign-in attempts in flight: `admit` reads the facts, lets `decide` judge them and, when admitted, counts the
 * attempt as in flight for `keys` until `release`, all in one atomic step (across processes on PostgreSQL).
 */
export interface ThrottleStore {
	facts(query: ThrottleQuery): Promise<ThrottleFacts>;
	admit<V extends { blocked: boolean }>(
		query: ThrottleQuery,
		keys: readonly string[],
		decide: (facts: ThrottleFacts) => V
	): Promise<Admission<V>>;
}

/**
 * SQLite: one process serves the database (db/server-lock.ts), so attempts in flight are counted in memory. The
 * check and the count happen in one synchronous step, so 30 parallel attempts cannot all pass before any counts.
 */
function sqliteThrottleStore(db: Db): ThrottleStore {
	const inFlight = new Map<string, number>();
	const adjust = (key: string, by: number) => {
		const next = (inFlight.get(key) ?? 0) + by;
		if (next > 0) inFlight.set(key, next);
		else inFlight.delete(key);
	};
	const failureTimes = (by: 'account' | 'ip', value: string, since: number, limit: number) =>
		db
			.select({ ts: auditLog.ts })
			.from(auditLog)
			.where(
				and(
					eq(auditLog.action, 'auth.sign_in_failed'),
					gte(auditLog.ts, since),
					by === 'account' ? eq(auditLog.target, value) : eq(auditLog.ip, value)
				)
			)
			.orderBy(desc(auditLog.ts))
			.limit(limit)
			.all()
			.map((r) => r.ts);
	const facts = (q: ThrottleQuery): ThrottleFacts => {
		const lastSuccess = db
			.select({ ts: auditLog.ts })
			.from(auditLog)
			.where(
				and(eq(auditLog.action, 'auth.sign_in'), eq(auditLog.target, q.email), gt(auditLog.ts, q.windowStart))
			)
			.orderBy(desc(auditLog.ts))
			.limit(1)
			.get()?.ts;
		const accountSince = lastSuccess === undefined ? q.windowStart : lastSuccess + 1;
		return {
			lastSuccess,
			account: {
				failures: failureTimes('account', q.email, accountSince, q.perAccount),
				pending: inFlight.get(`account:${q.email}`) ?? 0
			},
			ip: q.ip
				? {
						failures: failureTimes('ip', q.ip, q.windowStart, q.perIp),
						pending: inFlight.get(`ip:${q.ip}`) ?? 0
					}
				: null
		};
	};
	return {
		async facts(q) {
			return facts(q);
		},
		async admit(q, keys, decide) {
			const verdict = decide(facts(q));
			if (verdict.blocked) return { verdict };
			for (const key of keys) adjust(key, 1);
			let released = false;
			return {
				verdict,
				release: async () => {
					if (released) return;
					released = true;
					for (const key of keys) adjust(key, -1);
				}
			};
		}
	};
}

/** An attempt in flight counts for at most this long (a process that dies mid-check leaves its rows behind). */
export const PENDING_TTL_MS = 60_000;
/** The first key of the two-int advisory locks that serialize admissions per account and per address ('sign'). */
const LOCK_CLASS = 0x7369676e;

/**
 * PostgreSQL: several processes share the database, so attempts in flight are rows of `sign_in_pending` (an UNLOGGED
 * table of the custom migration 0001). An admission locks its account and address (transaction-scoped advisory
 * locks, taken in a fixed order), reads failures and attempts in flight, and inserts its own rows before the lock
 * is released: two processes together admit no more than the limit.
 */
function postgresThrottleStore(db: PgDb): ThrottleStore {
	const facts = async (
		sql: postgres.Sql | postgres.TransactionSql,
		q: ThrottleQuery
	): Promise<ThrottleFacts> => {
		const [success] = await sql<{ ts: number }[]>`
			SELECT ts FROM audit_log
			WHERE action = 'auth.sign_in' AND target = ${q.email} AND ts > ${q.windowStart}
			ORDER BY ts DESC LIMIT 1`;
		const lastSuccess = success?.ts;
		const accountSince = lastSuccess === undefined ? q.windowStart : lastSuccess + 1;
		const keys = [`account:${q.email}`, ...(q.ip ? [`ip:${q.ip}`] : [])];
		const pendingRows = await sql<{ key: string; n: number }[]>`
			SELECT key, count(*) AS n FROM sign_in_pending
			WHERE key = ANY(${keys}::text[]) AND expires_at > ${q.now}
			GROUP BY key`;
		const pending = new Map(pendingRows.map((r) => [r.key, Number(r.n)]));
		const accountFailures = await sql<{ ts: number }[]>`
			SELECT ts FROM audit_log
			WHERE action = 'auth.sign_in_failed' AND ts >= ${accountSince} AND target = ${q.email}
			ORDER BY ts DESC LIMIT ${q.perAccount}`;
		const ipFailures = q.ip
			? await sql<{ ts: number }[]>`
				SELECT ts FROM audit_log
				WHERE action = 'auth.sign_in_failed' AND ts >= ${q.windowStart} AND ip = ${q.ip}
				ORDER BY ts DESC LIMIT ${q.perIp}`
			: [];
		return {
			lastSuccess,
			account: { failures: accountFailures.map((r) => Number(r.ts)), pending: pending.get(keys[0]) ?? 0 },
			ip: q.ip
				? { failures: ipFailures.map((r) => Number(r.ts)), pending: pending.get(`ip:${q.ip}`) ?? 0 }
				: null
		};
	};
	return {
		async facts(q) {
			return facts(db.$client, q);
		},
		async admit(q, keys, decide) {
			const admitted = await db.$client.begin(async (sql) => {
				for (const key of [...keys].sort())
					await sql`SELECT pg_advisory_xact_lock(${LOCK_CLASS}::int, hashtext(${key}))`;
				await sql`DELETE FROM sign_in_pending WHERE key = ANY(${[...keys]}::text[]) AND expires_at <= ${q.now}`;
				const verdict = decide(await facts(sql, q));
				if (verdict.blocked) return { verdict, ids: [] as number[] };
				const rows = await sql<{ id: number }[]>`
					INSERT INTO sign_in_pending (key, expires_at)
					SELECT k, ${q.now + PENDING_TTL_MS}::bigint FROM unnest(${[...keys]}::text[]) AS k
					RETURNING id`;
				return { verdict, ids: rows.map((r) => Number(r.id)) };
			});
			if (admitted.verdict.blocked) return { verdict: admitted.verdict };
			let released = false;
			return {
				verdict: admitted.verdict,
				release: async () => {
					if (released) return;
					released = true;
					await db.$client`DELETE FROM sign_in_pending WHERE id = ANY(${admitted.ids}::bigint[])`;
				}
			};
		}
	};
}

export const throttleStores = { sqlite: sqliteThrottleStore, postgres: postgresThrottleStore };
