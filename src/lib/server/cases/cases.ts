import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import {
	alertSettings,
	CASE_STATUSES,
	caseNotes,
	followUpCases,
	users,
	userTeams,
	type CaseReason,
	type CaseStatus,
	type FollowUpCaseRow
} from '$lib/server/db/schema';
import { canSeeTeam, teamCondition, type Scope } from '$lib/server/auth/scope';

/**
 * Follow-up cases (回访, closing the loop): every detractor answer (NPS 0–6, CSAT 1–2, CES 1–3; one case per
 * survey) and every regulator-referred complaint opens a case for the manager of the agent's team, due within
 * the SLA (48 h by default). Managers work their queue: open → contacted → resolved / unreachable, with notes and
 * reassignment.
 */

export const DEFAULT_SLA_HOURS = 48;
const HOUR = 3_600_000;
const SLA_KEY = 'case_sla_hours';

export function isDetractor(metric: string | null | undefined, score: number | null | undefined): boolean {
	if (score === null || score === undefined) return false;
	if (metric === 'nps') return score <= 6;
	if (metric === 'csat') return score <= 2;
	if (metric === 'ces') return score <= 3;
	return false;
}

/** A score on 0…1 whatever the scale (NPS 0–10, CSAT 1–5, CES 1–7), to compare answers across metrics. */
export function normalizedScore(metric: string | null, score: number | null): number | null {
	if (score === null) return null;
	if (metric === 'nps') return score / 10;
	if (metric === 'csat') return (score - 1) / 4;
	if (metric === 'ces') return (score - 1) / 6;
	return null;
}

export function getSlaHours(db: Db): number {
	const row = db.select().from(alertSettings).where(eq(alertSettings.key, SLA_KEY)).get();
	const value = Number(row?.value);
	return Number.isFinite(value) && value > 0 ? value : DEFAULT_SLA_HOURS;
}

export function setSlaHours(db: Db, hours: number): number {
	const value = z
		.number()
		.min(1)
		.max(24 * 30)
		.parse(hours);
	db.insert(alertSettings)
		.values({ key: SLA_KEY, value })
		.onConflictDoUpdate({ target: alertSettings.key, set: { value } })
		.run();
	return value;
}

// ------------------------------------------------------------------------------------------------ opening

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

export function caseKey(e: CaseSource): string | null {
	if (e.type === 'complaint' && e.regulator) return `rc:${e.id}`;
	if (e.type === 'feedback' && isDetractor(e.metric, e.score))
		return `fb:${e.customerId}:${e.surveyId ?? e.contactId ?? e.id}`;
	return null;
}

export function sourceOf(e: CxEvent): CaseSource {
	const survey = e.properties?.surveyId;
	return {
		id: e.id,
		type: e.type,
		ts: e.ts,
		customerId: e.customerId,
		metric: e.metric,
		score: e.score,
		regulator: e.regulator,
		text: e.text,
		channel: e.channel,
		teamId: e.teamId,
		agentId: e.agentId,
		contactId: e.contactId,
		category: e.category,
		surveyId: typeof survey === 'string' ? survey : null
	};
}

/** The managers of a team with their open-case counts, fewest first (ties by e-mail). */
function teamManagers(db: Db, teamId: string): { id: string; open: number }[] {
	return db.$client
		.prepare(
			`SELECT u.id, (SELECT count(*) FROM follow_up_cases c
			   WHERE c.assignee_id = u.id AND c.status IN ('open', 'contacted')) AS open
			 FROM users u JOIN user_teams t ON t.user_id = u.id
			 WHERE t.team_id = ? AND u.role = 'manager' AND u.disabled = 0
			 ORDER BY open, u.email`
		)
		.all(teamId) as { id: string; open: number }[];
}

/** The manager of a team with the fewest open cases (ties by e-mail), or null when the team has none. */
export function managerFor(db: Db, teamId: string | null): string | null {
	return teamId ? (teamManagers(db, teamId)[0]?.id ?? null) : null;
}

/** Team and agent of a survey answer or complaint: its own, else those of the contact it names. */
function teamOf(db: Db, e: CaseSource): { teamId: string | null; agentId: string | null } {
	if (e.teamId) return { teamId: e.teamId, agentId: e.agentId ?? null };
	if (!e.contactId) return { teamId: null, agentId: e.agentId ?? null };
	const contact = db.$client
		.prepare(
			// `type <> 'journey'` lets SQLite use the partial (customer_id, ts) index.
			`SELECT team_id AS teamId, agent_id AS agentId FROM events
			 WHERE customer_id = ? AND type <> 'journey' AND type = 'contact' AND id = ? LIMIT 1`
		)
		.get(e.customerId, e.contactId) as { teamId: string | null; agentId: string | null } | undefined;
	return { teamId: contact?.teamId ?? null, agentId: e.agentId ?? contact?.agentId ?? null };
}

/**
 * Opens the cases a batch of events calls for (detractor answers, regulator complaints); events that already
 * opened one (same key) are skipped, so replays and the start-up backfill never duplicate. Returns the new cases.
 */
export function openCases(db: Db, events: readonly CaseSource[], now = Date.now()): FollowUpCaseRow[] {
	const candidates = events.filter((e) => caseKey(e) !== null);
	if (candidates.length === 0) return [];
	const slaMs = getSlaHours(db) * HOUR;
	// Managers per team with their loads, read once per batch and kept up to date here.
	const managers = new Map<string, { id: string; open: number }[]>();
	const assign = (teamId: string | null): string | null => {
		if (!teamId) return null;
		let list = managers.get(teamId);
		if (!list) managers.set(teamId, (list = teamManagers(db, teamId)));
		if (list.length === 0) return null;
		const least = list.reduce((a, b) => (b.open < a.open ? b : a));
		least.open++;
		return least.id;
	};
	// IMMEDIATE (here and below): the write lock first, so a commit of the ingestion writer thread between our
	// reads and writes makes us wait instead of failing with SQLITE_BUSY_SNAPSHOT.
	const write = db.$client.transaction(() => {
		const opened: FollowUpCaseRow[] = [];
		for (const e of candidates) {
			const key = caseKey(e) as string;
			const { teamId, agentId } = teamOf(db, e);
			const reason: CaseReason = e.type === 'complaint' ? 'regulator_complaint' : 'detractor';
			const row = db
				.insert(followUpCases)
				.values({
					key,
					customerId: e.customerId,
					reason,
					eventId: e.id,
					metric: reason === 'detractor' ? (e.metric ?? null) : null,
					score: reason === 'detractor' ? (e.score ?? null) : null,
					comment: e.text
						? e.text.slice(0, 2000)
						: reason === 'regulator_complaint'
							? (e.category ?? null)
							: null,
					channel: e.channel ?? null,
					teamId,
					agentId,
					assigneeId: null,
					status: 'open',
					openedAt: e.ts,
					dueAt: e.ts + slaMs,
					createdAt: now,
					updatedAt: now
				})
				.onConflictDoNothing()
				.returning()
				.get();
			if (!row) continue;
			const assigneeId = assign(teamId);
			if (assigneeId) {
				db.update(followUpCases).set({ assigneeId }).where(eq(followUpCases.id, row.id)).run();
				row.assigneeId = assigneeId;
			}
			opened.push(row);
		}
		return opened;
	});
	return write.immediate();
}

interface StoredSource {
	id: string;
	type: string;
	ts: number;
	customerId: string;
	metric: string | null;
	score: number | null;
	regulator: number | null;
	text: string | null;
	channel: string | null;
	teamId: string | null;
	agentId: string | null;
	contactId: string | null;
	category: string | null;
	surveyId: string | null;
}

/**
 * Opens the cases of the last `days` days from stored events (at start, so a new demo has a queue). With
 * `simulateWork` (the demo only) older cases get a believable follow-up history, marked as simulated in their
 * notes, so the follow-up rates have something to show.
 */
export function backfillCases(
	db: Db,
	options: { days: number; now?: number; simulateWork?: boolean }
): { scanned: number; opened: number } {
	const now = options.now ?? Date.now();
	const from = now - options.days * 24 * HOUR;
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
		.all(from, now) as StoredSource[];
	const opened = openCases(
		db,
		rows.map((r) => ({ ...r, regulator: r.regulator === null ? null : r.regulator === 1 })),
		now
	);
	if (options.simulateWork) simulateFollowUps(db, opened, now);
	return { scanned: rows.length, opened: opened.length };
}

/** A deterministic value in [0, 1) per text (FNV-1a), for the simulated follow-up history. */
function unit(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	h ^= h >>> 15;
	h = Math.imul(h, 0x2c1b3c6d);
	h ^= h >>> 12;
	return (h >>> 0) / 4294967296;
}

const SIMULATED = '（演示）模拟回访记录 · demo: simulated follow-up';

/**
 * A diligent team's past: almost every case already due was worked (most in time, some unreachable, some late;
 * 3% slipped through and are overdue), about half of the cases not yet due have been called. So a new demo starts
 * with a queue of open cases, a few overdue ones, and follow-up rates with history to show.
 */
function simulateFollowUps(db: Db, cases: readonly FollowUpCaseRow[], now: number): void {
	const write = db.$client.transaction(() => {
		for (const c of cases) {
			const u = unit(c.key);
			const v = unit(`${c.key}#`);
			const sla = c.dueAt - c.openedAt;
			let contactedAt: number | null = null;
			let closedAt: number | null = null;
			let status: CaseStatus = 'open';
			if (c.dueAt <= now) {
				if (unit(`${c.key}!`) < 0.03) continue;
				if (u < 0.7) {
					contactedAt = c.openedAt + Math.min(sla * 0.9, (2 + 40 * v) * HOUR);
					status = u < 0.5 ? 'resolved' : 'contacted';
					if (status === 'resolved') closedAt = contactedAt + (1 + 20 * v) * HOUR;
				} else if (u < 0.82) {
					contactedAt = closedAt = c.openedAt + Math.min(sla * 0.9, (20 + 24 * v) * HOUR);
					status = 'unreachable';
				} else {
					contactedAt = Math.max(c.dueAt + 60_000, Math.min(c.dueAt + (2 + 20 * v) * HOUR, now - 600_000));
					status = u > 0.9 ? 'resolved' : 'contacted';
					if (status === 'resolved') closedAt = contactedAt + 3 * HOUR;
				}
			} else if (u < 0.5) {
				contactedAt = c.openedAt + (2 + 40 * v) * HOUR;
				status = u < 0.3 ? 'resolved' : 'contacted';
				if (status === 'resolved') closedAt = contactedAt + (1 + 10 * v) * HOUR;
			}
			if (contactedAt === null || contactedAt > now) continue;
			if (closedAt !== null && closedAt > now) {
				closedAt = null;
				status = 'contacted';
			}
			db.update(followUpCases)
				.set({ status, contactedAt, closedAt, closedBy: closedAt ? 'demo' : null, updatedAt: now })
				.where(eq(followUpCases.id, c.id))
				.run();
			db.insert(caseNotes)
				.values({ caseId: c.id, ts: contactedAt, kind: 'note', text: SIMULATED, authorName: 'demo' })
				.run();
		}
	});
	write.immediate();
}

// ------------------------------------------------------------------------------------------------ reading

export interface CaseView {
	id: number;
	customerId: string;
	reason: CaseReason;
	eventId: string;
	metric: string | null;
	score: number | null;
	comment: string | null;
	channel: string | null;
	team: string | null;
	agent: string | null;
	assignee: { id: string; name: string; email: string } | null;
	status: CaseStatus;
	openedAt: number;
	dueAt: number;
	overdue: boolean;
	contactedAt: number | null;
	closedAt: number | null;
	closedBy: string | null;
}

function views(db: Db, rows: readonly FollowUpCaseRow[], now: number): CaseView[] {
	const ids = [...new Set(rows.map((r) => r.assigneeId).filter((id): id is string => id !== null))];
	const people = ids.length
		? new Map(
				db
					.select({ id: users.id, name: users.name, email: users.email })
					.from(users)
					.where(inArray(users.id, ids))
					.all()
					.map((u) => [u.id, u])
			)
		: new Map<string, { id: string; name: string; email: string }>();
	return rows.map((r) => ({
		id: r.id,
		customerId: r.customerId,
		reason: r.reason,
		eventId: r.eventId,
		metric: r.metric,
		score: r.score,
		comment: r.comment,
		channel: r.channel,
		team: r.teamId,
		agent: r.agentId,
		assignee: r.assigneeId ? (people.get(r.assigneeId) ?? null) : null,
		status: r.status,
		openedAt: r.openedAt,
		dueAt: r.dueAt,
		overdue: r.status === 'open' && r.dueAt < now,
		contactedAt: r.contactedAt,
		closedAt: r.closedAt,
		closedBy: r.closedBy
	}));
}

export const caseFilterSchema = z.object({
	status: z.enum(CASE_STATUSES).optional(),
	team: z.string().trim().min(1).max(64).optional(),
	/** `me`, `none` or a user id. */
	assignee: z.string().trim().min(1).max(64).optional(),
	reason: z.enum(['detractor', 'regulator_complaint']).optional(),
	overdue: z.enum(['1', '0', 'true', 'false']).optional(),
	limit: z.coerce.number().int().min(1).max(500).default(50),
	/** Where the page starts (the `next` of the previous page). */
	cursor: z.coerce.number().int().min(0).max(1_000_000).optional()
});
export type CaseFilter = z.input<typeof caseFilterSchema>;

/**
 * Cases a caller may see (a manager: their teams), the most urgent first: open ones by due time, then contacted
 * ones by due time, then closed ones, newest first. Paged: `next` is the cursor of the following page, null on the last.
 */
export function listCases(
	db: Db,
	scope: Scope,
	filter: z.output<typeof caseFilterSchema>,
	who: { id: string },
	now = Date.now()
): { cases: CaseView[]; next: number | null; total: number } {
	const conditions: (SQL | undefined)[] = [teamCondition(followUpCases.teamId, scope.teams)];
	if (filter.status) conditions.push(eq(followUpCases.status, filter.status));
	if (filter.team) conditions.push(eq(followUpCases.teamId, filter.team));
	if (filter.reason) conditions.push(eq(followUpCases.reason, filter.reason));
	if (filter.assignee === 'me') conditions.push(eq(followUpCases.assigneeId, who.id));
	else if (filter.assignee === 'none') conditions.push(sql`${followUpCases.assigneeId} IS NULL`);
	else if (filter.assignee) conditions.push(eq(followUpCases.assigneeId, filter.assignee));
	if (filter.overdue === '1' || filter.overdue === 'true')
		conditions.push(and(eq(followUpCases.status, 'open'), lt(followUpCases.dueAt, now)));
	const where = and(...conditions.filter((c): c is SQL => c !== undefined));
	const total =
		db
			.select({ n: sql<number>`count(*)` })
			.from(followUpCases)
			.where(where)
			.get()?.n ?? 0;
	const start = filter.cursor ?? 0;
	const rows = db
		.select()
		.from(followUpCases)
		.where(where)
		.orderBy(
			sql`CASE ${followUpCases.status} WHEN 'open' THEN 0 WHEN 'contacted' THEN 1 ELSE 2 END`,
			sql`CASE WHEN ${followUpCases.status} IN ('open', 'contacted') THEN ${followUpCases.dueAt} ELSE -${followUpCases.openedAt} END`,
			desc(followUpCases.id)
		)
		.limit(filter.limit + 1)
		.offset(start)
		.all();
	const next = rows.length > filter.limit ? start + filter.limit : null;
	return { cases: views(db, rows.slice(0, filter.limit), now), next, total };
}

export function getCase(db: Db, id: number, scope: Scope, now = Date.now()) {
	const row = db.select().from(followUpCases).where(eq(followUpCases.id, id)).get();
	if (!row || !canSeeTeam(scope, row.teamId)) return undefined;
	const notes = db
		.select()
		.from(caseNotes)
		.where(eq(caseNotes.caseId, id))
		.orderBy(asc(caseNotes.ts), asc(caseNotes.id))
		.all()
		.map((n) => ({ id: n.id, ts: n.ts, kind: n.kind, text: n.text, author: n.authorName }));
	return { ...views(db, [row], now)[0], notes };
}

/** People a case can be given to: the managers of its team, and the admins. */
export function assignees(
	db: Db,
	teamId: string | null
): { id: string; name: string; email: string; role: string }[] {
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
	return [...managers, ...admins].sort((a, b) => a.email.localeCompare(b.email));
}

// ------------------------------------------------------------------------------------------------ working

export const casePatchSchema = z
	.object({
		status: z.enum(CASE_STATUSES).optional(),
		/** A user id, or null to unassign. */
		assigneeId: z.string().trim().min(1).max(64).nullable().optional(),
		note: z.string().trim().min(1).max(4000).optional()
	})
	.strict()
	.refine((p) => p.status !== undefined || p.assigneeId !== undefined || p.note !== undefined, {
		message: 'give status, assigneeId or note',
		path: ['status']
	});
export type CasePatch = z.output<typeof casePatchSchema>;

export class CaseError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string
	) {
		super(message);
	}
}

const ALLOWED: Record<CaseStatus, readonly CaseStatus[]> = {
	open: ['contacted', 'resolved', 'unreachable'],
	contacted: ['resolved', 'unreachable', 'open'],
	resolved: ['open'],
	unreachable: ['open', 'contacted']
};

/** Works a case: a status change, a reassignment and/or a note, each written to the case's notes. */
export function updateCase(
	db: Db,
	id: number,
	patch: CasePatch,
	actor: { id: string; name: string; email: string; scope: Scope },
	now = Date.now()
) {
	const row = db.select().from(followUpCases).where(eq(followUpCases.id, id)).get();
	if (!row || !canSeeTeam(actor.scope, row.teamId)) throw new CaseError(404, 'not_found', `No case ${id}`);
	const author = actor.name || actor.email;
	const write = db.$client.transaction(() => {
		const set: Partial<FollowUpCaseRow> = { updatedAt: now };
		if (patch.status !== undefined && patch.status !== row.status) {
			if (!ALLOWED[row.status].includes(patch.status))
				throw new CaseError(409, 'conflict', `status: cannot go from ${row.status} to ${patch.status}`);
			set.status = patch.status;
			if (patch.status !== 'open' && row.contactedAt === null) set.contactedAt = now;
			if (patch.status === 'resolved' || patch.status === 'unreachable') {
				set.closedAt = now;
				set.closedBy = actor.email;
			} else {
				set.closedAt = null;
				set.closedBy = null;
			}
			db.insert(caseNotes)
				.values({
					caseId: id,
					ts: now,
					kind: 'status',
					text: patch.status,
					authorId: actor.id,
					authorName: author
				})
				.run();
		}
		if (patch.assigneeId !== undefined && patch.assigneeId !== row.assigneeId) {
			if (patch.assigneeId !== null && !assignees(db, row.teamId).some((u) => u.id === patch.assigneeId))
				throw new CaseError(400, 'invalid_assignee', 'assigneeId: not a manager of this team or an admin');
			set.assigneeId = patch.assigneeId;
			db.insert(caseNotes)
				.values({
					caseId: id,
					ts: now,
					kind: 'assign',
					text: patch.assigneeId ?? '',
					authorId: actor.id,
					authorName: author
				})
				.run();
		}
		if (patch.note)
			db.insert(caseNotes)
				.values({
					caseId: id,
					ts: now,
					kind: 'note',
					text: patch.note,
					authorId: actor.id,
					authorName: author
				})
				.run();
		db.update(followUpCases).set(set).where(eq(followUpCases.id, id)).run();
	});
	write.immediate();
	return getCase(db, id, actor.scope, now);
}

/** Open and overdue counts a caller may see (for the queue's header). */
export function caseCounts(db: Db, scope: Scope, now = Date.now()) {
	const where = teamCondition(followUpCases.teamId, scope.teams);
	const row = db
		.select({
			open: sql<number>`coalesce(sum(${followUpCases.status} = 'open'), 0)`,
			contacted: sql<number>`coalesce(sum(${followUpCases.status} = 'contacted'), 0)`,
			overdue: sql<number>`coalesce(sum(${followUpCases.status} = 'open' AND ${followUpCases.dueAt} < ${now}), 0)`
		})
		.from(followUpCases)
		.where(where)
		.get();
	return { open: row?.open ?? 0, contacted: row?.contacted ?? 0, overdue: row?.overdue ?? 0 };
}
