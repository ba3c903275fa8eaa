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
 * Stores the demo's finished outreach audience after its history (issue 19): the members the generator drew, split
 * by the same stable hash (outreach/split.ts) for the id the database gives it, created when the generator drew it.
 * In a new database that id is the one the generator split for, so the treatment the history called back is the
 * treatment stored; were it not (an audience created while seeding), the stored split is still a fair one and the
 * lift shows no effect. Returns the audience row.
 */
export async function storeDemoAudience(target: Db | Storage, plan: OutreachPlan): Promise<AudienceRow> {
	const store = byEngine(asStorage(target), {
		sqlite: sqliteOutreachStore,
		postgres: postgresOutreachStore
	});
	const row = await store.insertAudience(
		{
			name: DEMO_AUDIENCE_NAME,
			rule: { kind: 'risk', minScore: 0.05 },
			outcome: { kind: 'no_complaint', days: DEMO_OUTREACH.outcomeDays },
			holdoutPercent: plan.holdoutPercent,
			teams: null,
			createdAt: plan.createdAt,
			createdBy: null
		},
		(id) => splitMembers(id, plan.customerIds, plan.holdoutPercent)
	);
	if (row.id !== plan.audienceId)
		console.warn(
			`[resonance] demo: the outreach audience got id ${row.id}, not ${plan.audienceId}: its split differs from the one the history called back`
		);
	return row;
}
