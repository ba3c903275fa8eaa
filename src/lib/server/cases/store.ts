import { and, eq, lt, sql, type Column, type SQL } from 'drizzle-orm';
import type { CaseNoteRow, CaseReason, CaseStatus, FollowUpCaseRow } from '$lib/server/db/schema';
import { teamCondition } from '$lib/server/auth/scope';

/**
 * The storage of follow-up cases, one implementation per engine (sqlite.ts, postgres.ts; chosen by `byEngine` in
 * cases.ts). The decisions (which events open a case, who gets it, which status changes are allowed, the simulated
 * demo history) are pure functions in logic.ts that both implementations call; the stores only read and write.
 */

export const HOUR = 3_600_000;
export const SLA_KEY = 'case_sla_hours';

/** The fields of an event a case is opened from (a live event or a stored row). */
export interface CaseSource {
	id: string;
	type: string;
	ts: number;
	customerId: string;
	metric?: string | null;
	score?: number | null;
	regulator?: boolean | null;
	text?: string | null;
	channel?: string | null;
	teamId?: string | null;
	agentId?: string | null;
	contactId?: string | null;
	category?: string | null;
	surveyId?: string | null;
}

export interface Person {
	id: string;
	name: string;
	email: string;
}

export type NewCaseNote = Omit<CaseNoteRow, 'id' | 'authorId'> & { authorId?: string | null };

/** A change to one case decided by logic.ts (`planUpdate`): the columns to set and the notes recording it. */
export interface CaseUpdate {
	set: Partial<FollowUpCaseRow>;
	notes: NewCaseNote[];
}

/** The queue's filter, resolved: a manager's teams, and `overdueAt` = now when only overdue cases are wanted. */
export interface CaseQuery {
	teams: string[] | null;
	status?: CaseStatus;
	team?: string;
	reason?: CaseReason;
	/** A user id, or `none` for the unassigned. */
	assignee?: string;
	overdueAt?: number;
}

/**
 * One case of the KPI period with the customer's first answer on the case's metric after its recovery anchor (the
 * follow-up of a case reached, else the detractor answer), any time later: the 30-day window is judged by the caller.
 */
export interface KpiRow {
	id: number;
	customerId: string;
	reason: string;
	metric: string | null;
	score: number | null;
	status: string;
	openedAt: number;
	dueAt: number;
	contactedAt: number | null;
	nextMetric: string | null;
	nextScore: number | null;
	nextTs: number | null;
}

export interface CaseStore {
	/** The stored SLA setting (any JSON), or undefined. */
	slaSetting(): Promise<unknown>;
	saveSla(hours: number): Promise<void>;
	/**
	 * In one transaction: inserts a case per candidate whose key is new (team and agent from the contact it names
	 * when the event has none), each given to the least-loaded manager of its team. Returns the new cases.
	 */
	open(
		candidates: readonly { key: string; source: CaseSource }[],
		slaMs: number,
		now: number
	): Promise<FollowUpCaseRow[]>;
	/** Stored detractor answers and regulator complaints in [from, to), oldest first. */
	detractorSources(from: number, to: number): Promise<CaseSource[]>;
	/** Writes the simulated demo history in one transaction. */
	applyAll(updates: readonly { id: number; update: CaseUpdate }[]): Promise<void>;
	page(q: CaseQuery, limit: number, offset: number): Promise<{ rows: FollowUpCaseRow[]; total: number }>;
	get(id: number): Promise<FollowUpCaseRow | undefined>;
	notes(caseId: number): Promise<CaseNoteRow[]>;
	people(ids: string[]): Promise<Person[]>;
	/** The enabled managers of a team (none for no team) and the enabled admins. */
	assignees(teamId: string | null): Promise<(Person & { role: string })[]>;
	/**
	 * Works one case in one transaction: reads it (locked), asks `decide` (which may throw to change nothing) and
	 * writes what it decided. `decide` gets the possible assignees of the case's team when `withAssignees`.
	 */
	update(
		id: number,
		withAssignees: boolean,
		decide: (row: FollowUpCaseRow | undefined, assignees: readonly Person[]) => CaseUpdate
	): Promise<void>;
	counts(teams: string[] | null, now: number): Promise<{ open: number; contacted: number; overdue: number }>;
	kpiRows(from: number, to: number, teams: string[] | null): Promise<KpiRow[]>;
	/** The customer's latest open or contacted case among these teams. */
	openCaseOf(customerId: string, teams: string[] | null): Promise<FollowUpCaseRow | undefined>;
}

// ---------------------------------------------------------------------------- what both engines share

/** The row of a new case (before its assignment). */
export function caseValues(
	key: string,
	e: CaseSource,
	team: { teamId: string | null; agentId: string | null },
	slaMs: number,
	now: number
): Omit<FollowUpCaseRow, 'id'> {
	const reason: CaseReason = e.type === 'complaint' ? 'regulator_complaint' : 'detractor';
	return {
		key,
		customerId: e.customerId,
		reason,
		eventId: e.id,
		metric: reason === 'detractor' ? (e.metric ?? null) : null,
		score: reason === 'detractor' ? (e.score ?? null) : null,
		comment: e.text ? e.text.slice(0, 2000) : reason === 'regulator_complaint' ? (e.category ?? null) : null,
		channel: e.channel ?? null,
		teamId: team.teamId,
		agentId: team.agentId,
		assigneeId: null,
		status: 'open',
		openedAt: e.ts,
		dueAt: e.ts + slaMs,
		contactedAt: null,
		closedAt: null,
		closedBy: null,
		createdAt: now,
		updatedAt: now
	};
}

/** Team and agent of a case: the event's own, else those of the contact it names (`contact`, looked up). */
export function teamOfCase(
	e: CaseSource,
	contact: { teamId: string | null; agentId: string | null } | undefined
): { teamId: string | null; agentId: string | null } {
	if (e.teamId) return { teamId: e.teamId, agentId: e.agentId ?? null };
	return { teamId: contact?.teamId ?? null, agentId: e.agentId ?? contact?.agentId ?? null };
}

/** The manager with the fewest open cases (the first on a tie: the list is by load, then e-mail), counted as given one more. */
export function leastLoaded(managers: { id: string; open: number }[]): string | null {
	if (managers.length === 0) return null;
	const least = managers.reduce((a, b) => (b.open < a.open ? b : a));
	least.open++;
	return least.id;
}

type CaseColumns = Record<
	'id' | 'teamId' | 'status' | 'reason' | 'assigneeId' | 'dueAt' | 'openedAt',
	Column
>;

/** The WHERE of the queue (either engine's follow_up_cases table). */
export function caseWhere(t: CaseColumns, q: CaseQuery): SQL | undefined {
	const conditions: (SQL | undefined)[] = [teamCondition(t.teamId, q.teams)];
	if (q.status) conditions.push(eq(t.status, q.status));
	if (q.team) conditions.push(eq(t.teamId, q.team));
	if (q.reason) conditions.push(eq(t.reason, q.reason));
	if (q.assignee === 'none') conditions.push(sql`${t.assigneeId} IS NULL`);
	else if (q.assignee) conditions.push(eq(t.assigneeId, q.assignee));
	if (q.overdueAt !== undefined) conditions.push(and(eq(t.status, 'open'), lt(t.dueAt, q.overdueAt)));
	return and(...conditions.filter((c): c is SQL => c !== undefined));
}

/** The queue's order: open ones by due time, then contacted ones by due time, then closed ones, newest first. */
export function caseOrder(t: CaseColumns): SQL[] {
	return [
		sql`CASE ${t.status} WHEN 'open' THEN 0 WHEN 'contacted' THEN 1 ELSE 2 END`,
		sql`CASE WHEN ${t.status} IN ('open', 'contacted') THEN ${t.dueAt} ELSE -${t.openedAt} END`,
		sql`${t.id} DESC`
	];
}

/** The managers of a team with their open-case counts, fewest first (ties by e-mail). `?`: the team. */
export const TEAM_MANAGERS = `SELECT u.id, (SELECT count(*) FROM follow_up_cases c
	   WHERE c.assignee_id = u.id AND c.status IN ('open', 'contacted')) AS open
	 FROM users u JOIN user_teams t ON t.user_id = u.id
	 WHERE t.team_id = ? AND u.role = 'manager' AND u.disabled = 0
	 ORDER BY open, u.email`;

/** Team and agent of the contact an answer names. `?`: customer, contact id. */
// `type <> 'journey'` lets SQLite use the partial (customer_id, ts) index.
export const CONTACT_TEAM = `SELECT team_id AS "teamId", agent_id AS "agentId" FROM events
	 WHERE customer_id = ? AND type <> 'journey' AND type = 'contact' AND id = ? LIMIT 1`;

/**
 * The cases opened in [?, ?) (then the teams, when limited) with the customer's first survey answer on the case's
 * metric after its recovery anchor (index on customer_id, ts): the follow-up for a case reached (contacted or
 * resolved), else the detractor answer itself (a case not reached: open, or unreachable), so the same rate can be
 * shown for detractors not followed up (DOMAIN.md "Recovery rate").
 */
export function kpiSql(teams: string[] | null): string {
	const teamSql =
		teams === null
			? ''
			: teams.length
				? ` AND c.team_id IN (${teams.map(() => '?').join(',')})`
				: ' AND 1 = 0';
	const anchor = `CASE WHEN c.contacted_at IS NOT NULL AND c.status <> 'unreachable' THEN c.contacted_at
	   ELSE c.opened_at END`;
	return `SELECT c.id, c.customer_id AS "customerId", c.reason, c.metric, c.score, c.status,
	   c.opened_at AS "openedAt", c.due_at AS "dueAt", c.contacted_at AS "contactedAt",
	   n.metric AS "nextMetric", n.score AS "nextScore", n.ts AS "nextTs"
	 FROM follow_up_cases c
	 LEFT JOIN events n ON n.seq = (
	   SELECT e.seq FROM events e
	   WHERE c.reason = 'detractor' AND e.customer_id = c.customer_id AND e.type <> 'journey'
	     AND e.type = 'feedback'
	     AND e.ts > ${anchor} AND e.score IS NOT NULL
	     AND e.metric = c.metric
	   ORDER BY e.ts, e.seq LIMIT 1)
	 WHERE c.opened_at >= ? AND c.opened_at < ?${teamSql}`;
}

/** `?` placeholders numbered for PostgreSQL ($1, $2 …). */
export function numbered(text: string): string {
	let n = 0;
	return text.replace(/\?/g, () => `$${++n}`);
}
