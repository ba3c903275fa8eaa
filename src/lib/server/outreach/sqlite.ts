import { desc, eq } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { audienceMembers, audiences, type AudienceGroup, type AudienceRow } from '$lib/server/db/schema';
import { DETRACTOR_SQL, foldFacts, type OutreachStore } from './store';

/** The SQLite outreach store: synchronous statements behind the async interface. */

const CHUNK = 500;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export function sqliteOutreachStore(db: Db): OutreachStore {
	const client = db.$client;
	return {
		async stalledCustomers(journey, step, stalledSince, now) {
			const rows = client
				.prepare(
					`SELECT DISTINCT customer_id AS customerId FROM journey_instances
					 WHERE journey_key = ? AND status = 'in_progress' AND deadline > ? AND last_step = ?
					   AND last_event_at <= ?
					 ORDER BY customer_id`
				)
				.all(journey, now, step, stalledSince) as { customerId: string }[];
			return rows.map((r) => r.customerId);
		},

		async detractorCustomers(since, now, teams) {
			if (teams && teams.length === 0) return [];
			const rows = client
				.prepare(
					`SELECT DISTINCT customer_id AS customerId FROM follow_up_cases
					 WHERE reason = 'detractor' AND status = 'open' AND contacted_at IS NULL
					   AND opened_at >= ? AND opened_at <= ?
					   ${teams ? `AND team_id IN (${marks(teams.length)})` : ''}
					 ORDER BY customer_id`
				)
				.all(since, now, ...(teams ?? [])) as { customerId: string }[];
			return rows.map((r) => r.customerId);
		},

		async customersOfTeams(customerIds, teams, since, now) {
			if (teams.length === 0) return [];
			const found = new Set<string>();
			for (const ids of chunks(customerIds)) {
				// `type <> 'journey'` lets SQLite use the partial (customer_id, ts) index.
				const rows = client
					.prepare(
						`SELECT DISTINCT customer_id AS customerId FROM events
						 WHERE customer_id IN (${marks(ids.length)}) AND type <> 'journey' AND ts >= ? AND ts <= ?
						   AND team_id IN (${marks(teams.length)})`
					)
					.all(...ids, since, now, ...teams) as { customerId: string }[];
				for (const r of rows) found.add(r.customerId);
			}
			return [...found].sort();
		},

		async insertAudience(row, split) {
			// IMMEDIATE: the write lock first, so the ingestion writer thread cannot slip in between.
			const write = client.transaction((): AudienceRow => {
				const created = db
					.insert(audiences)
					.values({ ...row, members: 0, treatment: 0, holdout: 0 })
					.returning()
					.get();
				const members = split(created.id);
				for (const part of chunks(members, 300))
					db.insert(audienceMembers)
						.values(part.map((m) => ({ audienceId: created.id, customerId: m.customerId, group: m.group })))
						.run();
				const holdout = members.filter((m) => m.group === 'holdout').length;
				return db
					.update(audiences)
					.set({ members: members.length, treatment: members.length - holdout, holdout })
					.where(eq(audiences.id, created.id))
					.returning()
					.get();
			});
			return write.immediate();
		},

		async audience(id) {
			return db.select().from(audiences).where(eq(audiences.id, id)).get() ?? null;
		},

		async listAudiences(limit) {
			return db
				.select()
				.from(audiences)
				.orderBy(desc(audiences.createdAt), desc(audiences.id))
				.limit(limit)
				.all();
		},

		async members(id, group) {
			const rows = client
				.prepare(
					`SELECT customer_id AS customerId FROM audience_members
					 WHERE audience_id = ? AND grp = ? ORDER BY customer_id`
				)
				.all(id, group) as { customerId: string }[];
			return rows.map((r) => r.customerId);
		},

		async memberFacts(id, journey, from, to) {
			const members = client
				.prepare(
					`SELECT customer_id AS customerId, grp AS "group" FROM audience_members WHERE audience_id = ?`
				)
				.all(id) as { customerId: string; group: AudienceGroup }[];
			const eventsOf = (type: string, columns: string) =>
				client
					.prepare(
						`SELECT m.customer_id AS customerId, e.ts AS ts${columns}
						 FROM audience_members m
						 JOIN events e ON e.customer_id = m.customer_id AND e.type <> 'journey' AND e.ts > ? AND e.ts <= ?
						 WHERE m.audience_id = ? AND e.type = ?
						 ORDER BY e.ts, e.seq`
					)
					.all(from, to, id, type);
			const complaints = eventsOf('complaint', '') as { customerId: string; ts: number }[];
			const answers = eventsOf('feedback', `, ${DETRACTOR_SQL} AS detractor`) as {
				customerId: string;
				ts: number;
				detractor: number;
			}[];
			const completions = journey
				? (client
						.prepare(
							`SELECT m.customer_id AS customerId, j.ended_at AS ts
							 FROM audience_members m
							 JOIN journey_instances j ON j.customer_id = m.customer_id AND j.journey_key = ?
							 WHERE m.audience_id = ? AND j.status = 'completed' AND j.ended_at > ? AND j.ended_at <= ?`
						)
						.all(journey, id, from, to) as { customerId: string; ts: number }[])
				: [];
			return foldFacts(
				members,
				complaints,
				completions,
				answers.map((a) => ({ ...a, detractor: a.detractor === 1 }))
			);
		},

		async reach(id, from) {
			const rows = client
				.prepare(
					`SELECT m.grp AS "group", COUNT(DISTINCT m.customer_id) AS n
					 FROM audience_members m
					 JOIN events e ON e.customer_id = m.customer_id AND e.type <> 'journey' AND e.ts >= ?
					 WHERE m.audience_id = ? AND e.type = 'contact'
					   AND CAST(json_extract(e.properties, '$.audience') AS TEXT) = ?
					 GROUP BY m.grp`
				)
				.all(from, id, String(id)) as { group: AudienceGroup; n: number }[];
			const reach = { treatment: 0, holdout: 0 };
			for (const r of rows) reach[r.group] = r.n;
			return reach;
		}
	};
}
