import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import type { AudienceRow } from '$lib/server/db/schema';
import { postgresOutreachStore } from '$lib/server/outreach/postgres';
import { sqliteOutreachStore } from '$lib/server/outreach/sqlite';
import { splitMembers } from '$lib/server/outreach/split';
import { DEMO_OUTREACH, type OutreachPlan } from './generator';

/** The name of the demo's finished audience (the demo's data speak Chinese, as a Chinese bank's would). */
export const DEMO_AUDIENCE_NAME = '投诉风险客户主动回访';

/**
 * The id the demo's audience will have, asked for before the history is generated (the history splits its members
 * and tags its call-backs with it): on PostgreSQL a value taken from the id sequence (nobody else gets it), on SQLite
 * the next free id (an audience someone creates while the demo seeds may take it; storeDemoAudience then falls back
 * to a new id). Not 1: a database that already has audiences gets the demo's after them.
 */
export async function reserveDemoAudienceId(target: Db | Storage): Promise<number> {
	return byEngine(asStorage(target), {
		sqlite: async (db) =>
			Number(db.$client.prepare('SELECT COALESCE(MAX(id), 0) + 1 FROM audiences').pluck().get()),
		postgres: async (db) => {
			const [row] = await db.$client.unsafe(
				`SELECT nextval(pg_get_serial_sequence('audiences', 'id')) AS id`
			);
			return Number(row.id);
		}
	});
}

type NewAudience = Parameters<ReturnType<typeof sqliteOutreachStore>['insertAudience']>[0];

/**
 * Stores the demo's finished outreach audience after its history (issue 19) under the id the history used
 * (`plan.audienceId`, from reserveDemoAudienceId): the members the generator drew, split by the same stable hash
 * (outreach/split.ts), created when the generator drew it, so the treatment the history called back (contacts tagged
 * `properties.audience` with that id) is the treatment stored. Should that id be taken by then (an audience created
 * on SQLite while seeding), the audience gets a new one: its split is still a fair one, and the lift shows no effect.
 * Returns the audience row; callers find the audience by its id (or by DEMO_AUDIENCE_NAME), never by assuming 1.
 */
export async function storeDemoAudience(target: Db | Storage, plan: OutreachPlan): Promise<AudienceRow> {
	const store = byEngine(asStorage(target), {
		sqlite: sqliteOutreachStore,
		postgres: postgresOutreachStore
	});
	const values: NewAudience = {
		name: DEMO_AUDIENCE_NAME,
		rule: { kind: 'risk', minScore: 0.05 },
		outcome: { kind: 'no_complaint', days: DEMO_OUTREACH.outcomeDays },
		holdoutPercent: plan.holdoutPercent,
		teams: null,
		createdAt: plan.createdAt,
		createdBy: null
	};
	const split = (id: number) => splitMembers(id, plan.customerIds, plan.holdoutPercent);
	const taken = await store.audience(plan.audienceId);
	// The id the history used, given explicitly (the store's type leaves ids to the database).
	const row = taken
		? await store.insertAudience(values, split)
		: await store.insertAudience({ ...values, id: plan.audienceId } as NewAudience, split);
	if (row.id !== plan.audienceId)
		console.warn(
			`[resonance] demo: the outreach audience got id ${row.id}, not ${plan.audienceId}: its split differs from the one the history called back`
		);
	return row;
}
