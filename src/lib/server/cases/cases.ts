import { z } from 'zod';
import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import { CASE_STATUSES, type CaseReason, type CaseStatus, type FollowUpCaseRow } from '$lib/server/db/schema';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { canSeeTeam, type Scope } from '$lib/server/auth/scope';
import { postgresCaseStore } from './postgres';
import { sqliteCaseStore } from './sqlite';
import { HOUR, type CaseSource, type CaseStore, type CaseUpdate, type Person } from './store';

export type { CaseSource } from './store';

/**
 * Follow-up cases (回访, closing the loop): every detractor answer (NPS 0–6, CSAT 1–2, CES 1–3; one case per
 * survey) and every regulator-referred complaint opens a case for the manager of the agent's team, due within
 * the SLA (48 h by default). Managers work their queue: open → contacted → resolved / unreachable, with notes and
 * reassignment.
 */

export const DEFAULT_SLA_HOURS = 48;

const caseStores = { sqlite: sqliteCaseStore, postgres: postgresCaseStore };

/** This storage's case store (sqlite.ts or postgres.ts). */
export function caseStore(target: Db | Storage): CaseStore {
	return byEngine(asStorage(target), caseStores);
}
const store = caseStore;

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

export async function getSlaHours(target: Db | Storage): Promise<number> {
	const value = Number(await store(target).slaSetting());
	return Number.isFinite(value) && value > 0 ? value : DEFAULT_SLA_HOURS;
}

export async function setSlaHours(target: Db | Storage, hours: number): Promise<number> {
	const value = z
		.number()
		.min(1)
		.max(24 * 30)
		.parse(hours);
	await store(target).saveSla(value);
	return value;
}

// ------------------------------------------------------------------------------------------------ opening

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

/**
 * Opens the cases a batch of events calls for (detractor answers, regulator complaints); events that already
 * opened one (same key) are skipped, so replays and the start-up backfill never duplicate, in any process. Each new
 * case goes to the manager of its team with the fewest open cases. Returns the new cases.
 */
export async function openCases(
	target: Db | Storage,
	events: readonly CaseSource[],
	now = Date.now()
): Promise<FollowUpCaseRow[]> {
	const candidates = events.flatMap((source) => {
		const key = caseKey(source);
		return key === null ? [] : [{ key, source }];
	});
	if (candidates.length === 0) return [];
	const slaMs = (await getSlaHours(target)) * HOUR;
	return store(target).open(candidates, slaMs, now);
}

/**
 * Opens the cases of the last `days` days from stored events (at start, so a new demo has a queue). With
 * `simulateWork` (the demo only) older cases get a believable follow-up history, marked as simulated in their
 * notes, so the follow-up rates have something to show.
 */
export async function backfillCases(
	target: Db | Storage,
	options: { days: number; now?: number; simulateWork?: boolean }
): Promise<{ scanned: number; opened: number }> {
	const now = options.now ?? Date.now();
	const from = now - options.days * 24 * HOUR;
	const rows = await store(target).detractorSources(from, now);
	const opened = await openCases(target, rows, now);
	if (options.simulateWork)
		await store(target).applyAll(
			opened.flatMap((c) => {
				const update = simulatedFollowUp(c, now);
				return update ? [{ id: c.id, update }] : [];
			})
		);
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
export function simulatedFollowUp(c: FollowUpCaseRow, now: number): CaseUpdate | null {
	const u = unit(c.key);
	const v = unit(`${c.key}#`);
	const sla = c.dueAt - c.openedAt;
	let contactedAt: number | null = null;
	let closedAt: number | null = null;
	let status: CaseStatus = 'open';
	if (c.dueAt <= now) {
		if (unit(`${c.key}!`) < 0.03) return null;
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
	if (contactedAt === null || contactedAt > now) return null;
	if (closedAt !== null && closedAt > now) {
		closedAt = null;
		status = 'contacted';
	}
	// Whole milliseconds: the times are integer columns (bigint on PostgreSQL).
	contactedAt = Math.round(contactedAt);
	closedAt = closedAt === null ? null : Math.round(closedAt);
	return {
		set: { status, contactedAt, closedAt, closedBy: closedAt ? 'demo' : null, updatedAt: now },
		notes: [{ caseId: c.id, ts: contactedAt, kind: 'note', text: SIMULATED, authorName: 'demo' }]
	};
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

async function views(
	target: Db | Storage,
	rows: readonly FollowUpCaseRow[],
	now: number
): Promise<CaseView[]> {
	const ids = [...new Set(rows.map((r) => r.assigneeId).filter((id): id is string => id !== null))];
	const people = new Map((await store(target).people(ids)).map((u) => [u.id, u]));
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
export async function listCases(
	target: Db | Storage,
	scope: Scope,
	filter: z.output<typeof caseFilterSchema>,
	who: { id: string },
	now = Date.now()
): Promise<{ cases: CaseView[]; next: number | null; total: number }> {
	const start = filter.cursor ?? 0;
	const { rows, total } = await store(target).page(
		{
			teams: scope.teams,
			status: filter.status,
			team: filter.team,
			reason: filter.reason,
			assignee: filter.assignee === 'me' ? who.id : filter.assignee,
			overdueAt: filter.overdue === '1' || filter.overdue === 'true' ? now : undefined
		},
		filter.limit + 1,
		start
	);
	const next = rows.length > filter.limit ? start + filter.limit : null;
	return { cases: await views(target, rows.slice(0, filter.limit), now), next, total };
}

export async function getCase(target: Db | Storage, id: number, scope: Scope, now = Date.now()) {
	const row = await store(target).get(id);
	if (!row || !canSeeTeam(scope, row.teamId)) return undefined;
	const notes = (await store(target).notes(id)).map((n) => ({
		id: n.id,
		ts: n.ts,
		kind: n.kind,
		text: n.text,
		author: n.authorName
	}));
	return { ...(await views(target, [row], now))[0], notes };
}

/** People a case can be given to: the managers of its team, and the admins. */
export async function assignees(
	target: Db | Storage,
	teamId: string | null
): Promise<(Person & { role: string })[]> {
	return sortByEmail(await store(target).assignees(teamId));
}

function sortByEmail<T extends { email: string }>(people: T[]): T[] {
	return people.sort((a, b) => a.email.localeCompare(b.email));
}

/** The customer's latest open or contacted case among the teams (null: every team), for the agent-desktop card. */
export async function customerOpenCase(
	target: Db | Storage,
	customerId: string,
	teams: string[] | null
): Promise<FollowUpCaseRow | undefined> {
	return store(target).openCaseOf(customerId, teams);
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

export interface CaseActor {
	id: string;
	name: string;
	email: string;
	scope: Scope;
}

/**
 * What a patch does to a case (pure): the columns to set and the notes recording each change. Throws a CaseError
 * for a case the actor may not see, a status change not allowed from the current status, or an assignee who is not
 * among `candidates` (the managers of the case's team and the admins).
 */
export function planUpdate(
	row: FollowUpCaseRow | undefined,
	id: number,
	patch: CasePatch,
	actor: CaseActor,
	candidates: readonly { id: string }[],
	now: number
): CaseUpdate {
	if (!row || !canSeeTeam(actor.scope, row.teamId)) throw new CaseError(404, 'not_found', `No case ${id}`);
	const author = actor.name || actor.email;
	const note = (kind: string, text: string) => ({
		caseId: id,
		ts: now,
		kind,
		text,
		authorId: actor.id,
		authorName: author
	});
	const update: CaseUpdate = { set: { updatedAt: now }, notes: [] };
	const set = update.set;
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
		update.notes.push(note('status', patch.status));
	}
	if (patch.assigneeId !== undefined && patch.assigneeId !== row.assigneeId) {
		if (patch.assigneeId !== null && !candidates.some((u) => u.id === patch.assigneeId))
			throw new CaseError(400, 'invalid_assignee', 'assigneeId: not a manager of this team or an admin');
		set.assigneeId = patch.assigneeId;
		update.notes.push(note('assign', patch.assigneeId ?? ''));
	}
	if (patch.note) update.notes.push(note('note', patch.note));
	return update;
}

/**
 * Works a case: a status change, a reassignment and/or a note, each written to the case's notes, in one transaction
 * that holds the case (two managers working it at once, in any process, are applied one after the other).
 */
export async function updateCase(
	target: Db | Storage,
	id: number,
	patch: CasePatch,
	actor: CaseActor,
	now = Date.now()
) {
	const reassigning = patch.assigneeId !== undefined && patch.assigneeId !== null;
	await store(target).update(id, reassigning, (row, candidates) =>
		planUpdate(row, id, patch, actor, candidates, now)
	);
	return getCase(target, id, actor.scope, now);
}

/** Open and overdue counts a caller may see (for the queue's header). */
export async function caseCounts(
	target: Db | Storage,
	scope: Scope,
	now = Date.now()
): Promise<{ open: number; contacted: number; overdue: number }> {
	return store(target).counts(scope.teams, now);
}
