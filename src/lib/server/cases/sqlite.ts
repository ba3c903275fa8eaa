import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import {
	alertSettings,
	caseNotes,
	followUpCases,
	users,
	userTeams,
	type FollowUpCaseRow
} from '$lib/server/db/schema';
import { teamCondition } from '$lib/server/auth/scope';
import {
	caseOrder,
	caseValues,
	caseWhere,
	CONTACT_TEAM,
	kpiSql,
	leastLoaded,
	SLA_KEY,
	TEAM_MANAGERS,
	teamOfCase,
	type CaseSource,
	type CaseStore,
	type CaseUpdate,
	type KpiRow
} from './store';

interface StoredSource extends Omit<CaseSource, 'regulator'> {
	regulator: number | null;
}

/** Follow-up cases on SQLite: synchronous better-sqlite3 calls, writes in IMMEDIATE transactions. */
export function sqliteCaseStore(db: Db): CaseStore {
	const teamManagers = db.$client.prepare(TEAM_MANAGERS);
	const contactTeam = db.$client.prepare(CONTACT_TEAM);

	function assignees(teamId: string | null) {
		const managers = teamId
			? db
					.select({ id: users.id, name: users.name, email: users.email, role: users.role })
					.from(users)
					.innerJoin(userTeams, eq(userTeams.userId, users.id))
					.where(and(eq(userTeams.teamId, teamId), eq(users.role, 'manager'), eq(users.disabled, false)))
					.all()
			: [];
		const admins = db
			.select({ id: users.id, name: users.name, email: users.email, role: users.role })
			.from(users)
			.where(and(eq(users.role, 'admin'), eq(users.disabled, false)))
			.all();
		return [...managers, ...admins];
	}

	function apply(id: number, update: CaseUpdate) {
		for (const note of update.notes) db.insert(caseNotes).values(note).run();
		if (Object.keys(update.set).length)
			db.update(followUpCases).set(update.set).where(eq(followUpCases.id, id)).run();
	}

	return {
		async slaSetting() {
			return db.select().from(alertSettings).where(eq(alertSettings.key, SLA_KEY)).get()?.value;
		},
		async saveSla(value) {
			db.insert(alertSettings)
				.values({ key: SLA_KEY, value })
				.onConflictDoUpdate({ target: alertSettings.key, set: { value } })
				.run();
		},
		async open(candidates, slaMs, now) {
			// Managers per team with their loads, read once per batch and kept up to date here.
			const managers = new Map<string, { id: string; open: number }[]>();
			const assign = (teamId: string | null): string | null => {
				if (!teamId) return null;
				let list = managers.get(teamId);
				if (!list) managers.set(teamId, (list = teamManagers.all(teamId) as { id: string; open: number }[]));
				return leastLoaded(list);
			};
			// IMMEDIATE (here and below): the write lock first, so a commit of the ingestion writer thread between our
			// reads and writes makes us wait instead of failing with SQLITE_BUSY_SNAPSHOT.
			const write = db.$client.transaction(() => {
				const opened: FollowUpCaseRow[] = [];
				for (const { key, source: e } of candidates) {
					const contact =
						e.teamId || !e.contactId
							? undefined
							: (contactTeam.get(e.customerId, e.contactId) as
									{ teamId: string | null; agentId: string | null } | undefined);
					const team = teamOfCase(e, contact);
					const row = db
						.insert(followUpCases)
						.values(caseValues(key, e, team, slaMs, now))
						.onConflictDoNothing()
						.returning()
						.get();
					if (!row) continue;
					const assigneeId = assign(team.teamId);
					if (assigneeId) {
						db.update(followUpCases).set({ assigneeId }).where(eq(followUpCases.id, row.id)).run();
						row.assigneeId = assigneeId;
					}
					opened.push(row);
				}
				return opened;
			});
			return write.immediate();
		},
		async detractorSources(from, to) {
			const rows = db.$client
				.prepare(
					`SELECT id, type, ts, customer_id AS customerId, metric, score, regulator, text, channel,
					   team_id AS teamId, agent_id AS agentId, contact_id AS contactId, category,
					   json_extract(properties, '$.surveyId') AS surveyId
					 FROM events WHERE ts >= ? AND ts < ? AND (
					   (type = 'feedback' AND ((metric = 'nps' AND score <= 6) OR (metric = 'csat' AND score <= 2)
					     OR (metric = 'ces' AND score <= 3)))
					   OR (type = 'complaint' AND regulator = 1))
					 ORDER BY ts`
				)
				.all(from, to) as StoredSource[];
			return rows.map((r) => ({ ...r, regulator: r.regulator === null ? null : r.regulator === 1 }));
		},
		async applyAll(updates) {
			const write = db.$client.transaction(() => {
				for (const { id, update } of updates) apply(id, update);
			});
			write.immediate();
		},
		async page(q, limit, offset) {
			const where = caseWhere(followUpCases, q);
			const total =
				db
					.select({ n: sql<number>`count(*)` })
					.from(followUpCases)
					.where(where)
					.get()?.n ?? 0;
			const rows = db
				.select()
				.from(followUpCases)
				.where(where)
				.orderBy(...caseOrder(followUpCases))
				.limit(limit)
				.offset(offset)
				.all();
			return { rows, total };
		},
		async get(id) {
			return db.select().from(followUpCases).where(eq(followUpCases.id, id)).get();
		},
		async notes(caseId) {
			return db
				.select()
				.from(caseNotes)
				.where(eq(caseNotes.caseId, caseId))
				.orderBy(asc(caseNotes.ts), asc(caseNotes.id))
				.all();
		},
		async people(ids) {
			if (!ids.length) return [];
			return db
				.select({ id: users.id, name: users.name, email: users.email })
				.from(users)
				.where(inArray(users.id, ids))
				.all();
		},
		async assignees(teamId) {
			return assignees(teamId);
		},
		async update(id, withAssignees, decide) {
			const write = db.$client.transaction(() => {
				const row = db.select().from(followUpCases).where(eq(followUpCases.id, id)).get();
				apply(id, decide(row, row && withAssignees ? assignees(row.teamId) : []));
			});
			write.immediate();
		},
		async counts(teams, now) {
			const row = db
				.select({
					open: sql<number>`coalesce(sum(${followUpCases.status} = 'open'), 0)`,
					contacted: sql<number>`coalesce(sum(${followUpCases.status} = 'contacted'), 0)`,
					overdue: sql<number>`coalesce(sum(${followUpCases.status} = 'open' AND ${followUpCases.dueAt} < ${now}), 0)`
				})
				.from(followUpCases)
				.where(teamCondition(followUpCases.teamId, teams))
				.get();
			return { open: row?.open ?? 0, contacted: row?.contacted ?? 0, overdue: row?.overdue ?? 0 };
		},
		async kpiRows(from, to, teams) {
			return db.$client.prepare(kpiSql(teams)).all(from, to, ...(teams ?? [])) as KpiRow[];
		},
		async openCaseOf(customerId, teams) {
			return db
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
				.get();
		}
	};
}
