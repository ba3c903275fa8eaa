import type { Db } from '$lib/server/db';
import type { CxQuery } from '$lib/server/metrics';
import { MIN_N, newcombe, wilson, type Interval } from '$lib/server/stats';
import type { Storage } from '$lib/server/db/storage';
import { caseStore } from './cases';
import type { KpiRow } from './store';

/**
 * Follow-up KPIs from the cases table (the metrics registry stays the metrics engine's): each with n and a Wilson
 * 95% interval, null below the minimum n of 30 like every other KPI.
 *
 * - follow-up rate: cases with a follow-up attempt (contacted, resolved or unreachable) ÷ cases that are due
 *   (or already followed up) — a case opened an hour ago and not yet due does not count against the team;
 * - within-SLA rate: cases followed up before their due time ÷ the same cases;
 * - recovery rate (DOMAIN.md "Recovery rate"): a detractor is recovered when their next answer on the same metric
 *   within 30 days is not a detractor (NPS ≥ 7, CSAT ≥ 4, CES ≥ 5). Shown for two groups of detractor cases:
 *   followed up (reached: contacted or resolved; the 30 days and the "next answer" count from the follow-up) and
 *   not followed up (unreachable, or still open after their due time; counted from the detractor answer), so that
 *   regression to the mean, which lifts both, is visible. n = detractors whose next answer came within the window;
 *   those still inside it without an answer are `pending`, those whose window closed unanswered `noAnswer`.
 *   The difference (percentage points) carries Newcombe's hybrid score interval; it and each rate are null under
 *   the minimum n. Regulator complaints are not detractors and are left out.
 */

export interface CaseKpi {
	value: number | null;
	n: number;
	ci95: Interval | null;
	/** The count behind the value (numerator). */
	x: number;
}

/** A recovery rate: n = detractors with a next answer inside the window, x = those recovered. */
export interface RecoveryGroup extends CaseKpi {
	/** Still inside the 30-day window without an answer (their outcome is not known yet). */
	pending: number;
	/** Window closed without an answer on the metric. */
	noAnswer: number;
}

export interface Recovery {
	windowDays: number;
	followedUp: RecoveryGroup;
	notFollowedUp: RecoveryGroup;
	/** followedUp − notFollowedUp in percentage points, with Newcombe's 95% interval; null under the minimum n. */
	difference: { value: number; ci95: Interval } | null;
}

export interface CaseKpis {
	from: string;
	to: string;
	followUpRate: CaseKpi;
	withinSlaRate: CaseKpi;
	/** The followed-up group's recovery rate (as `recovery.followedUp`). */
	recoveryRate: CaseKpi;
	recovery: Recovery;
	cases: number;
	open: number;
	overdue: number;
}

export const RECOVERY_WINDOW_DAYS = 30;
const DAY = 86_400_000;

/** Not a detractor on the recovery rate's scale: NPS ≥ 7, CSAT ≥ 4, CES ≥ 5 (DOMAIN.md "Recovery rate"). */
export function isRecovered(metric: string | null, score: number | null): boolean {
	if (score === null) return false;
	if (metric === 'nps') return score >= 7;
	if (metric === 'csat') return score >= 4;
	if (metric === 'ces') return score >= 5;
	return false;
}

function proportion(x: number, n: number): CaseKpi {
	if (n < MIN_N) return { value: null, n, ci95: null, x };
	const ci = wilson(x, n);
	return { value: (x / n) * 100, n, ci95: ci ? [ci[0] * 100, ci[1] * 100] : null, x };
}

interface Tally {
	x: number;
	n: number;
	pending: number;
	noAnswer: number;
}

const group = (t: Tally): RecoveryGroup => ({
	...proportion(t.x, t.n),
	pending: t.pending,
	noAnswer: t.noAnswer
});

/** Where a case stands on the recovery rate (DOMAIN.md "Recovery rate"); null when it does not count at all. */
export interface RecoveryOutcome {
	/** Reached (contacted or resolved): counted from the follow-up; else from the detractor answer. */
	group: 'followedUp' | 'notFollowedUp';
	/** recovered / notRecovered: answered inside the window; pending: window still open; noAnswer: closed. */
	outcome: 'recovered' | 'notRecovered' | 'pending' | 'noAnswer';
}

/**
 * The one definition of a detractor's recovery, used by the follow-up KPIs and the value ledger: regulator
 * complaints are not detractors; a case not reached belongs to "not followed up" only once its due time has passed
 * without a follow-up; its next answer on the metric (KpiRow's) counts when it came within 30 days of the anchor.
 */
export function recoveryOutcome(r: KpiRow, now: number): RecoveryOutcome | null {
	if (r.reason !== 'detractor' || r.score === null) return null;
	const attempted = r.contactedAt !== null;
	const isReached = attempted && r.status !== 'unreachable';
	if (!isReached && r.status === 'open' && r.dueAt >= now) return null;
	const side = isReached ? 'followedUp' : 'notFollowedUp';
	const anchor = isReached ? (r.contactedAt as number) : r.openedAt;
	const window = RECOVERY_WINDOW_DAYS * DAY;
	if (r.nextTs !== null && r.nextTs <= anchor + window && r.nextTs <= now)
		return { group: side, outcome: isRecovered(r.nextMetric, r.nextScore) ? 'recovered' : 'notRecovered' };
	return { group: side, outcome: anchor + window > now ? 'pending' : 'noAnswer' };
}

/** The recovery outcome of every detractor case opened in [from, to) of these teams (null: all) that counts. */
export async function recoveries(
	target: Db | Storage,
	from: number,
	to: number,
	teams: string[] | null,
	now: number
): Promise<(RecoveryOutcome & { caseId: number; openedAt: number })[]> {
	const out: (RecoveryOutcome & { caseId: number; openedAt: number })[] = [];
	for (const r of await caseStore(target).kpiRows(from, to, teams)) {
		const o = recoveryOutcome(r, now);
		if (o) out.push({ ...o, caseId: r.id, openedAt: r.openedAt });
	}
	return out;
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
	let open = 0;
	let overdue = 0;
	const tally = () => ({ x: 0, n: 0, pending: 0, noAnswer: 0 });
	const reached = tally();
	const notReached = tally();
	for (const r of rows) {
		if (r.status === 'open') {
			open++;
			if (r.dueAt < now) overdue++;
		}
		const attempted = r.contactedAt !== null;
		if (attempted || r.dueAt < now) {
			due++;
			if (attempted) {
				followed++;
				if ((r.contactedAt as number) <= r.dueAt) inTime++;
			}
		}
		const o = recoveryOutcome(r, now);
		if (!o) continue;
		const t = o.group === 'followedUp' ? reached : notReached;
		if (o.outcome === 'recovered' || o.outcome === 'notRecovered') {
			t.n++;
			if (o.outcome === 'recovered') t.x++;
		} else if (o.outcome === 'pending') t.pending++;
		else t.noAnswer++;
	}
	const followedUp = group(reached);
	const notFollowedUp = group(notReached);
	const d =
		followedUp.value !== null && notFollowedUp.value !== null
			? newcombe(reached.x, reached.n, notReached.x, notReached.n)
			: null;
	return {
		from: new Date(q.from).toISOString(),
		to: new Date(q.to).toISOString(),
		followUpRate: proportion(followed, due),
		withinSlaRate: proportion(inTime, due),
		recoveryRate: proportion(reached.x, reached.n),
		recovery: {
			windowDays: RECOVERY_WINDOW_DAYS,
			followedUp,
			notFollowedUp,
			difference:
				d && followedUp.value !== null && notFollowedUp.value !== null
					? { value: followedUp.value - notFollowedUp.value, ci95: [d[0] * 100, d[1] * 100] }
					: null
		},
		cases: rows.length,
		open,
		overdue
	};
}
