import { desc, eq } from 'drizzle-orm';
import { pgSchema, type PgDb } from '$lib/server/db/postgres';
import type { AudienceGroup, AudienceRow } from '$lib/server/db/schema';
import { DETRACTOR_SQL, foldFacts, type OutreachStore } from './store';

/** The PostgreSQL outreach store: the SQLite store's statements with `= ANY(array)` for lists and jsonb for tags. */

export function postgresOutreachStore(db: PgDb): OutreachStore {
	const sql = db.$client;
	const t = pgSchema.audiences;
	const m = pgSchema.audienceMembers;
	return {
		async stalledCustomers(journey, step, stalledSince, now) {
			const rows = await sql<{ customerId: string }[]>`
				SELECT DISTINCT customer_id AS "customerId" FROM journey_instances
				WHERE journey_key = ${journey} AND status = 'in_progress' AND deadline > ${now} AND last_step = ${step}
				  AND last_event_at <= ${stalledSince}
				ORDER BY customer_id`;
			return rows.map((r) => r.customerId);
		},

		async detractorCustomers(since, now, teams) {
			if (teams && teams.length === 0) return [];
			const rows = await sql<{ customerId: string }[]>`
				SELECT DISTINCT customer_id AS "customerId" FROM follow_up_cases
				WHERE reason = 'detractor' AND status = 'open' AND contacted_at IS NULL
				  AND opened_at >= ${since} AND opened_at <= ${now}
				  ${teams ? sql`AND team_id = ANY(${teams}::text[])` : sql``}
				ORDER BY customer_id`;
			return rows.map((r) => r.customerId);
		},

		async customersOfTeams(customerIds, teams, since, now) {
			if (teams.length === 0 || customerIds.length === 0) return [];
			const rows = await sql<{ customerId: string }[]>`
				SELECT DISTINCT customer_id AS "customerId" FROM events
				WHERE customer_id = ANY(${customerIds as string[]}::text[]) AND type <> 'journey'
				  AND ts >= ${since} AND ts <= ${now} AND team_id = ANY(${teams as string[]}::text[])
				ORDER BY customer_id`;
			return rows.map((r) => r.customerId);
		},

		async insertAudience(row, split) {
			return db.transaction(async (tx) => {
				const [created] = await tx
					.insert(t)
					.values({ ...row, members: 0, treatment: 0, holdout: 0 })
					.returning();
				const members = split(created.id);
				for (let i = 0; i < members.length; i += 2000)
					await tx
						.insert(m)
						.values(
							members
								.slice(i, i + 2000)
								.map((x) => ({ audienceId: created.id, customerId: x.customerId, group: x.group }))
						);
				const holdout = members.filter((x) => x.group === 'holdout').length;
				const [updated] = await tx
					.update(t)
					.set({ members: members.length, treatment: members.length - holdout, holdout })
					.where(eq(t.id, created.id))
					.returning();
				return updated as AudienceRow;
			});
		},

		async audience(id) {
			const [row] = await db.select().from(t).where(eq(t.id, id));
			return (row as AudienceRow | undefined) ?? null;
		},

		async listAudiences(limit) {
			return (await db.select().from(t).orderBy(desc(t.createdAt), desc(t.id)).limit(limit)) as AudienceRow[];
		},

		async members(id, group) {
			const rows = await sql<{ customerId: string }[]>`
				SELECT customer_id AS "customerId" FROM audience_members
				WHERE audience_id = ${id} AND grp = ${group} ORDER BY customer_id`;
			return rows.map((r) => r.customerId);
		},

		async memberFacts(id, journey, from, to) {
			const members = await sql<{ customerId: string; group: AudienceGroup }[]>`
				SELECT customer_id AS "customerId", grp AS "group" FROM audience_members WHERE audience_id = ${id}`;
			const complaints = await sql<{ customerId: string; ts: number }[]>`
				SELECT m.customer_id AS "customerId", e.ts AS ts
				FROM audience_members m
				JOIN events e ON e.customer_id = m.customer_id AND e.type <> 'journey' AND e.ts > ${from} AND e.ts <= ${to}
				WHERE m.audience_id = ${id} AND e.type = 'complaint'
				ORDER BY e.ts, e.seq`;
			const answers = await sql<{ customerId: string; ts: number; detractor: number }[]>`
				SELECT m.customer_id AS "customerId", e.ts AS ts, ${sql.unsafe(DETRACTOR_SQL)} AS detractor
				FROM audience_members m
				JOIN events e ON e.customer_id = m.customer_id AND e.type <> 'journey' AND e.ts > ${from} AND e.ts <= ${to}
				WHERE m.audience_id = ${id} AND e.type = 'feedback'
				ORDER BY e.ts, e.seq`;
			const completions = journey
				? await sql<{ customerId: string; ts: number }[]>`
						SELECT m.customer_id AS "customerId", j.ended_at AS ts
						FROM audience_members m
						JOIN journey_instances j ON j.customer_id = m.customer_id AND j.journey_key = ${journey}
						WHERE m.audience_id = ${id} AND j.status = 'completed' AND j.ended_at > ${from} AND j.ended_at <= ${to}`
				: [];
			return foldFacts(
				members,
				complaints,
				completions,
				answers.map((a) => ({ ...a, detractor: Number(a.detractor) === 1 }))
			);
		},

		async reach(id, from) {
			const rows = await sql<{ group: AudienceGroup; n: number }[]>`
				SELECT m.grp AS "group", COUNT(DISTINCT m.customer_id) AS n
				FROM audience_members m
				JOIN events e ON e.customer_id = m.customer_id AND e.type <> 'journey' AND e.ts >= ${from}
				WHERE m.audience_id = ${id} AND e.type = 'contact'
				  AND (e.properties::jsonb ->> 'audience') = ${String(id)}
				GROUP BY m.grp`;
			const reach = { treatment: 0, holdout: 0 };
			for (const r of rows) reach[r.group] = Number(r.n);
			return reach;
		}
	};
}
