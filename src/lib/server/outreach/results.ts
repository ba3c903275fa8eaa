import { newcombe, twoProportionZ, twoSidedP, type Interval } from '$lib/server/stats';
import type { AudienceGroup } from '$lib/server/db/schema';
import type { OutcomeKind } from './rules';

/**
 * Results of an audience (DESIGN.md "Risk and outreach"): per group the members whose outcome is known, those
 * converted and the rate; the lift (treatment − holdout) with Newcombe's hybrid score interval (method 10) and the
 * two-sided p-value of the two-proportion z-test. Rates and lift in percentage points. Pure: the store reads the
 * facts, these functions count them.
 */

export const DAY = 86_400_000;

/** What happened to one member after the audience was created (times in ms; null: not within the window). */
export interface MemberFacts {
	customerId: string;
	group: AudienceGroup;
	/** First complaint. */
	complaintAt: number | null;
	/** First completion of the rule's journey. */
	completedAt: number | null;
	/** First survey answer and whether it was a detractor. */
	answerAt: number | null;
	answerDetractor: boolean | null;
}

export interface GroupOutcome {
	/** Members whose outcome counts (not_detractor: those who answered). */
	n: number;
	converted: number;
	/** Percent; null when n is 0. */
	rate: number | null;
}

export interface Lift {
	treatment: GroupOutcome;
	holdout: GroupOutcome;
	/** Treatment rate − holdout rate, percentage points. */
	lift: number | null;
	lift95: Interval | null;
	p: number | null;
}

/**
 * Whether a member converted by `asOf`: journey_completed — completed the journey; no_complaint — no complaint;
 * not_detractor — the next answer was not a detractor (null, not counted, while they have not answered).
 */
export function converted(kind: OutcomeKind, facts: MemberFacts, asOf: number): boolean | null {
	if (kind === 'journey_completed') return facts.completedAt !== null && facts.completedAt <= asOf;
	if (kind === 'no_complaint') return !(facts.complaintAt !== null && facts.complaintAt <= asOf);
	if (facts.answerAt === null || facts.answerAt > asOf) return null;
	return facts.answerDetractor === false;
}

const pct = (x: number) => x * 100;

/** The lift of treatment over holdout from their counts. */
export function lift(
	treatment: { n: number; converted: number },
	holdout: { n: number; converted: number }
): Lift {
	const group = (g: { n: number; converted: number }): GroupOutcome => ({
		n: g.n,
		converted: g.converted,
		rate: g.n > 0 ? pct(g.converted / g.n) : null
	});
	const t = group(treatment);
	const h = group(holdout);
	const interval = newcombe(treatment.converted, treatment.n, holdout.converted, holdout.n);
	const z = twoProportionZ(treatment.converted, treatment.n, holdout.converted, holdout.n);
	return {
		treatment: t,
		holdout: h,
		lift: t.rate !== null && h.rate !== null ? t.rate - h.rate : null,
		lift95: interval ? [pct(interval[0]), pct(interval[1])] : null,
		p: z === null ? null : twoSidedP(z)
	};
}

/** The counts per group as of a moment. */
export function outcomeCounts(
	kind: OutcomeKind,
	members: readonly MemberFacts[],
	asOf: number
): Record<AudienceGroup, { n: number; converted: number }> {
	const counts = { treatment: { n: 0, converted: 0 }, holdout: { n: 0, converted: 0 } };
	for (const m of members) {
		const c = converted(kind, m, asOf);
		if (c === null) continue;
		counts[m.group].n++;
		if (c) counts[m.group].converted++;
	}
	return counts;
}

export interface LiftOnDay extends Lift {
	/** Days since the audience was created (1 = the first day's outcomes). */
	day: number;
}

/** The lift as outcomes arrived, one point per day since creation, up to the window or now (for the page). */
export function liftOverTime(
	kind: OutcomeKind,
	members: readonly MemberFacts[],
	createdAt: number,
	windowDays: number,
	now: number
): LiftOnDay[] {
	const days = Math.min(windowDays, Math.floor((now - createdAt) / DAY));
	const points: LiftOnDay[] = [];
	for (let day = 1; day <= days; day++) {
		const counts = outcomeCounts(kind, members, createdAt + day * DAY);
		points.push({ day, ...lift(counts.treatment, counts.holdout) });
	}
	return points;
}
