import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { pgSchema, type PgDb } from '$lib/server/db/postgres';
import type { PgTx } from '$lib/server/db/pg-tx';
import type { CaseNoteRow, FollowUpCaseRow } from '$lib/server/db/schema';
import { teamCondition } from '$lib/server/auth/scope';
import {
	caseOrder,
	caseValues,
	caseWhere,
	CONTACT_TEAM,
	kpiSql,
	leastLoaded,
	numbered,
	SLA_KEY,
	TEAM_MANAGERS,
	teamOfCase,
	type CaseSource,
	type CaseStore,
	type CaseUpdate,
	type KpiRow
} from './store';

const { alertSettings, caseNotes, followUpCases, users, userTeams } = pgSchema;

/** Serialises opening cases (and so assigning them by load) between processes sharing the database. */
const OPEN_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('resonance follow-up cases', 0))`;

/** SQL text with `?` placeholders (shared with SQLite) bound to these values, for drizzle's `execute`. */
function bound(text: string, params: readonly unknown[]): SQL {
	const parts = text.split('?');
	const chunks: SQL[] = [sql.raw(parts[0])];
	parts.slice(1).forEach((part, i) => chunks.push(sql`${params[i]}`, sql.raw(part)));
	return sql.join(chunks);
}

/**
 * Follow-up cases on PostgreSQL. Several server processes may open cases at once (each from the events it ingested,
 * and the start-up backfill): the unique key makes the insert of a case already opened elsewhere do nothing (a
 * second process waits for the first's commit, then skips it). Working a case locks its row (FOR UPDATE), so two
 * managers changing one case at once are applied one after the other, each judged against the other's result.
 */
export function postgresCaseStore(db: PgDb): CaseStore {
	async function assignees(tx: PgDb | PgTx, teamId: string | null) {
		const managers = teamId
			? await tx
					.select({ id: users.id, name: users.name, email: users.email, role: users.role })
					.from(users)
					.innerJoin(userTeams, eq(userTeams.userId, users.id))
					.where(and(eq(userTeams.teamId, teamId), eq(users.role, 'manager'), eq(users.disabled, false)))
			: [];
		const admins = await tx
			.select({ id: users.id, name: users.name, email: users.email, role: users.role })
			.from(users)
			.where(and(eq(users.role, 'admin'), eq(users.disabled, false)));
		return [...managers, ...admins];
	}

	async function apply(tx: PgTx, id: number, update: CaseUpdate) {
		if (update.notes.length) await tx.insert(caseNotes).values(update.notes);
		if (Object.keys(update.set).length)
			await tx.update(followUpCases).set(update.set).where(eq(followUpCases.id, id));
	}

	return {
		async slaSetting() {
			const [row] = await db.select().from(alertSettings).where(eq(alertSettings.key, SLA_KEY));
			return row?.value;
		},
		async saveSla(value) {
			await db
				.insert(alertSettings)
				.values({ key: SLA_KEY, value })
				.onConflictDoUpdate({ target: alertSettings.key, set: { value } });
		},
		async open(candidates, slaMs, now) {
			if (!candidates.length) return [];
			// Most candidates of a start-up backfill were opened before (by this process or another): skip them in
			// one query rather than one insert each.
			const known = await db
				.select({ key: followUpCases.key })
				.from(followUpCases)
				.where(
					inArray(
						followUpCases.key,
						candidates.map((c) => c.key)
					)
				);
			const seen = new Set(known.map((r) => r.key));
			const fresh = candidates.filter((c) => !seen.has(c.key));
			if (!fresh.length) return [];
			return db.transaction(async (tx) => {
				// One opener at a time across processes: two openers reading a team's loads at once would both give
				// their case to the same least-loaded manager. Held to the commit, so the next one reads these cases.
				await tx.execute(sql.raw(OPEN_LOCK));
				// Managers per team with their loads, read once per batch and kept up to date here.
				const managers = new Map<string, { id: string; open: number }[]>();
				const opened: FollowUpCaseRow[] = [];
				for (const { key, source: e } of fresh) {
					const [contact] =
						e.teamId || !e.contactId
							? []
							: await tx.execute<{ teamId: string | null; agentId: string | null }>(
									bound(CONTACT_TEAM, [e.customerId, e.contactId])
								);
					const team = teamOfCase(e, contact);
					const [inserted] = await tx
						.insert(followUpCases)
						.values(caseValues(key, e, team, slaMs, now))
						.onConflictDoNothing()
						.returning();
					if (!inserted) continue;
					const row = inserted as FollowUpCaseRow;
					if (team.teamId) {
						let list = managers.get(team.teamId);
						if (!list) {
							const rows = await tx.execute<{ id: string; open: number }>(
								bound(TEAM_MANAGERS, [team.teamId])
							);
							list = rows.map((r) => ({ id: r.id, open: Number(r.open) }));
							managers.set(team.teamId, list);
						}
						const assigneeId = leastLoaded(list);
						if (assigneeId) {
							await tx.update(followUpCases).set({ assigneeId }).where(eq(followUpCases.id, row.id));
							row.assigneeId = assigneeId;
						}
					}
					opened.push(row);
				}
				return opened;
			});
		},
		async detractorSources(from, to) {
			const rows = await db.$client.unsafe<(Omit<CaseSource, 'regulator'> & { regulator: number | null })[]>(
				`SELECT id, type, ts, customer_id AS "customerId", metric, score, regulator, text, channel,
				   team_id AS "teamId", agent_id AS "agentId", contact_id AS "contactId", category,
				   properties::jsonb ->> 'surveyId' AS "surveyId"
				 FROM events WHERE ts >= $1 AND ts < $2 AND (
				   (type = 'feedback' AND ((metric = 'nps' AND score <= 6) OR (metric = 'csat' AND score <= 2)
				     OR (metric = 'ces' AND score <= 3)))
				   OR (type = 'complaint' AND regulator = 1))
				 ORDER BY ts, seq`,
				[from, to]
			);
			return rows.map((r) => ({ ...r, regulator: r.regulator === null ? null : Number(r.regulator) === 1 }));
		},
		async applyAll(updates) {
			if (!updates.length) return;
			await db.transaction(async (tx) => {
				for (const { id, update } of updates) await apply(tx, id, update);
			});
		},
		async page(q, limit, offset) {
			const where = caseWhere(followUpCases, q);
			const [count] = await db
				.select({ n: sql<number>`count(*)` })
				.from(followUpCases)
				.where(where);
			const rows = await db
				.select()
				.from(followUpCases)
				.where(where)
				.orderBy(...caseOrder(followUpCases))
				.limit(limit)
				.offset(offset);
			return { rows: rows as FollowUpCaseRow[], total: Number(count?.n ?? 0) };
		},
		async get(id) {
			const [row] = await db.select().from(followUpCases).where(eq(followUpCases.id, id));
			return row as FollowUpCaseRow | undefined;
		},
		async notes(caseId) {
			return (await db
				.select()
				.from(caseNotes)
				.where(eq(caseNotes.caseId, caseId))
				.orderBy(asc(caseNotes.ts), asc(caseNotes.id))) as CaseNoteRow[];
		},
		async people(ids) {
			if (!ids.length) return [];
			return db
				.select({ id: users.id, name: users.name, email: users.email })
				.from(users)
				.where(inArray(users.id, ids));
		},
		async assignees(teamId) {
			return assignees(db, teamId);
		},
		async update(id, withAssignees, decide) {
			await db.transaction(async (tx) => {
				const [row] = await tx.select().from(followUpCases).where(eq(followUpCases.id, id)).for('update');
				const found = row as FollowUpCaseRow | undefined;
				const people = found && withAssignees ? await assignees(tx, found.teamId) : [];
				await apply(tx, id, decide(found, people));
			});
		},
		async counts(teams, now) {
			const [row] = await db
				.select({
					open: sql<number>`count(*) FILTER (WHERE ${followUpCases.status} = 'open')`,
					contacted: sql<number>`count(*) FILTER (WHERE ${followUpCases.status} = 'contacted')`,
					overdue: sql<number>`count(*) FILTER (WHERE ${followUpCases.status} = 'open' AND ${followUpCases.dueAt} < ${now})`
				})
				.from(followUpCases)
				.where(teamCondition(followUpCases.teamId, teams));
			return {
				open: Number(row?.open ?? 0),
				contacted: Number(row?.contacted ?? 0),
				overdue: Number(row?.overdue ?? 0)
			};
		},
		async kpiRows(from, to, teams) {
			return db.$client.unsafe<KpiRow[]>(numbered(kpiSql(teams)), [from, to, ...(teams ?? [])]);
		},
		async openCaseOf(customerId, teams) {
			const [row] = await db
				.select()
				.from(followUpCases)
				.where(
					and(
						eq(followUpCases.customerId, customerId),
						inArray(followUpCases.status, ['open', 'contacted']),
						teamCondition(followUpCases.teamId, teams)
					)
				)
				.orderBy(desc(followUpCases.openedAt), desc(followUpCases.id))
				.limit(1);
			return row as FollowUpCaseRow | undefined;
		}
	};
}
