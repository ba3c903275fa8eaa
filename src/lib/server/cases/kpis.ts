import type { Db } from '$lib/server/db';
import type { CxQuery } from '$lib/server/metrics';
import { MIN_N, wilson, type Interval } from '$lib/server/stats';
import type { Storage } from '$lib/server/db/storage';
import { caseStore, isDetractor, normalizedScore } from './cases';

/**
 * Follow-up KPIs from the cases table (the metrics registry stays the metrics engine's): each with n and a Wilson
 * 95% interval, null below the minimum n of 30 like every other KPI.
 *
 * - follow-up rate: cases with a follow-up attempt (contacted, resolved or unreachable) ÷ cases that are due
 *   (or already followed up) — a case opened an hour ago and not yet due does not count against the team;
 * - within-SLA rate: cases followed up before their due time ÷ the same cases;
 * - recovery rate: followed-up cases whose customer answered a survey afterwards with a better score than the one
 *   that opened the case (on 0…1 across scales; for a regulator complaint, any non-detractor answer) ÷ followed-up
 *   cases with such a later answer.
 */

export interface CaseKpi {
	value: number | null;
	n: number;
	ci95: Interval | null;
	/** The count behind the value (numerator). */
	x: number;
}

export interface CaseKpis {
	from: string;
	to: string;
	followUpRate: CaseKpi;
	withinSlaRate: CaseKpi;
	recoveryRate: CaseKpi;
	cases: number;
	open: number;
	overdue: number;
}

function proportion(x: number, n: number): CaseKpi {
	if (n < MIN_N) return { value: null, n, ci95: null, x };
	const ci = wilson(x, n);
	return { value: (x / n) * 100, n, ci95: ci ? [ci[0] * 100, ci[1] * 100] : null, x };
}

/**
 * Follow-up KPIs of the cases opened in [from, to) of a CxQuery, limited to its scope and team filter (other
 * filters do not apply to cases).
 */
export async function caseKpis(
	target: Db | Storage,
	q: Pick<CxQuery, 'from' | 'to' | 'filters' | 'scope'>,
	now = Date.now()
): Promise<CaseKpis> {
	let teams: string[] | null = q.filters.team ?? null;
	if (q.scope.teams !== null) teams = teams ? teams.filter((t) => q.scope.teams?.includes(t)) : q.scope.teams;
	const rows = await caseStore(target).kpiRows(q.from, q.to, teams);

	let due = 0;
	let followed = 0;
	let inTime = 0;
	let withAnswer = 0;
	let recovered = 0;
	let open = 0;
	let overdue = 0;
	for (const r of rows) {
		if (r.status === 'open') {
			open++;
			if (r.dueAt < now) overdue++;
		}
		const attempted = r.contactedAt !== null;
		if (!attempted && r.dueAt >= now) continue;
		due++;
		if (!attempted) continue;
		followed++;
		if ((r.contactedAt as number) <= r.dueAt) inTime++;
		if (r.nextScore === null) continue;
		withAnswer++;
		const better =
			r.reason === 'regulator_complaint' || r.score === null
				? !isDetractor(r.nextMetric, r.nextScore)
				: (normalizedScore(r.nextMetric, r.nextScore) ?? 0) > (normalizedScore(r.metric, r.score) ?? 1);
		if (better) recovered++;
	}
	return {
		from: new Date(q.from).toISOString(),
		to: new Date(q.to).toISOString(),
		followUpRate: proportion(followed, due),
		withinSlaRate: proportion(inTime, due),
		recoveryRate: proportion(recovered, withAnswer),
		cases: rows.length,
		open,
		overdue
	};
}
