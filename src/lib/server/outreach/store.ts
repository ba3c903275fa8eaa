import type { AudienceGroup, AudienceRow, audiences } from '$lib/server/db/schema';
import type { MemberFacts } from './results';
import type { Member } from './split';

/**
 * The storage of outreach audiences, one implementation per engine (sqlite.ts, postgres.ts; chosen once by
 * `byEngine` in audiences.ts): reading the candidates a rule names, freezing the members, and reading what happened
 * to them afterwards.
 */
export interface OutreachStore {
	/** Customers with an instance of the journey in progress (not past its deadline at `now`) whose last step is
	 * `step` and whose last step event is at or before `stalledSince`. */
	stalledCustomers(journey: string, step: string, stalledSince: number, now: number): Promise<string[]>;
	/** Customers with a detractor follow-up case opened in [since, now] that is still open and uncontacted, in the
	 * given teams (null: any). */
	detractorCustomers(since: number, now: number, teams: string[] | null): Promise<string[]>;
	/** Of these customers, those with a contact, answer or complaint of one of the teams in [since, now]. */
	customersOfTeams(
		customerIds: readonly string[],
		teams: readonly string[],
		since: number,
		now: number
	): Promise<string[]>;
	/** Inserts the audience and, in the same transaction, the members `split` gives for its new id. */
	insertAudience(
		row: Omit<typeof audiences.$inferInsert, 'id' | 'members' | 'treatment' | 'holdout'>,
		split: (id: number) => Member[]
	): Promise<AudienceRow>;
	audience(id: number): Promise<AudienceRow | null>;
	/** Newest first. */
	listAudiences(limit: number): Promise<AudienceRow[]>;
	/** One group's customer ids in id order. */
	members(id: number, group: AudienceGroup): Promise<string[]>;
	/** Every member with the first complaint, journey completion (of `journey`, if any) and answer in (from, to]. */
	memberFacts(id: number, journey: string | null, from: number, to: number): Promise<MemberFacts[]>;
	/** Members per group with a contact tagged `properties.audience` = this audience at or after `from`. */
	reach(id: number, from: number): Promise<Record<AudienceGroup, number>>;
}

/** Picks each member's first answer (rows in time order) and folds complaints and completions in. */
export function foldFacts(
	members: readonly { customerId: string; group: AudienceGroup }[],
	complaints: readonly { customerId: string; ts: number }[],
	completions: readonly { customerId: string; ts: number }[],
	answers: readonly { customerId: string; ts: number; detractor: boolean }[]
): MemberFacts[] {
	const facts = new Map<string, MemberFacts>();
	for (const m of members)
		facts.set(m.customerId, {
			customerId: m.customerId,
			group: m.group,
			complaintAt: null,
			completedAt: null,
			answerAt: null,
			answerDetractor: null
		});
	for (const c of complaints) {
		const f = facts.get(c.customerId);
		if (f) f.complaintAt = Math.min(f.complaintAt ?? Infinity, Number(c.ts));
	}
	for (const c of completions) {
		const f = facts.get(c.customerId);
		if (f) f.completedAt = Math.min(f.completedAt ?? Infinity, Number(c.ts));
	}
	for (const a of answers) {
		const f = facts.get(a.customerId);
		if (f && (f.answerAt === null || Number(a.ts) < f.answerAt)) {
			f.answerAt = Number(a.ts);
			f.answerDetractor = Boolean(a.detractor);
		}
	}
	return [...facts.values()];
}

/** A detractor answer in SQL (cases.ts `isDetractor`): NPS 0–6, CSAT 1–2, CES 1–3; the same text on both engines. */
export const DETRACTOR_SQL = `CASE WHEN (e.metric = 'nps' AND e.score <= 6) OR (e.metric = 'csat' AND e.score <= 2)
	OR (e.metric = 'ces' AND e.score <= 3) THEN 1 ELSE 0 END`;
