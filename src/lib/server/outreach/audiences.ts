import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import type { AudienceGroup, AudienceRow } from '$lib/server/db/schema';
import { audit } from '$lib/server/auth/audit';
import { restrictTeams, type Scope } from '$lib/server/auth/scope';
import { toCsv } from '$lib/components/dashboards/csv';
import { DAY, lift, liftOverTime, outcomeCounts, type Lift, type LiftOnDay } from './results';
import { parseAudienceInput, type AudienceOutcome, type AudienceRule } from './rules';
import { riskScoreSource } from '$lib/server/risk';
import type { RiskScoreSource } from './risk-source';
import { splitMembers } from './split';
import { postgresOutreachStore } from './postgres';
import { sqliteOutreachStore } from './sqlite';
import type { OutreachStore } from './store';

/**
 * Outreach audiences with a holdout (DOMAIN.md "Acting on what is measured"): create (evaluate the rule once →
 * limit to the caller's teams → split by a stable hash → freeze the members → audit), read, export the treatment
 * (never the holdout), and measure the lift of treatment over holdout as outcomes arrive.
 */

const stores = { sqlite: sqliteOutreachStore, postgres: postgresOutreachStore };
const store = (target: Db | Storage): OutreachStore => byEngine(asStorage(target), stores);

/** A customer belongs to a team's audience when that team handled a contact (or answer, complaint) of theirs lately. */
export const TEAM_LOOKBACK_DAYS = 90;

export class AudienceError extends Error {
	constructor(
		readonly status: 400 | 403 | 404,
		readonly code: string,
		message: string
	) {
		super(message);
	}
}

export interface AudienceActor {
	id: string | null;
	email: string | null;
	ip?: string | null;
	scope: Scope;
}

export interface AudienceView {
	id: number;
	name: string;
	createdAt: string;
	createdBy: string | null;
	rule: AudienceRule;
	outcome: AudienceOutcome;
	holdoutPercent: number;
	teams: string[] | null;
	members: number;
	treatment: number;
	holdout: number;
	/** When the outcome window closes for every member (all members enter at creation). */
	windowEndsAt: string;
}

function view(row: AudienceRow): AudienceView {
	const outcome = row.outcome as AudienceOutcome;
	return {
		id: row.id,
		name: row.name,
		createdAt: new Date(row.createdAt).toISOString(),
		createdBy: row.createdBy,
		rule: row.rule as AudienceRule,
		outcome,
		holdoutPercent: row.holdoutPercent,
		teams: row.teams ?? null,
		members: row.members,
		treatment: row.treatment,
		holdout: row.holdout,
		windowEndsAt: new Date(windowEnd(row)).toISOString()
	};
}

const windowEnd = (row: AudienceRow) => row.createdAt + (row.outcome as AudienceOutcome).days * DAY;

/** Whether the scope covers the audience: a manager sees audiences drawn only from their own teams. */
export function canSeeAudience(scope: Scope, row: Pick<AudienceRow, 'teams'>): boolean {
	if (scope.teams === null) return true;
	const teams = row.teams ?? null;
	return teams !== null && teams.every((team) => scope.teams?.includes(team));
}

async function visible(target: Db | Storage, id: number, scope: Scope): Promise<AudienceRow> {
	const row = await store(target).audience(id);
	// Someone else's audience reads as missing, so ids do not reveal what other teams target.
	if (!row || !canSeeAudience(scope, row)) throw new AudienceError(404, 'not_found', `No audience ${id}`);
	return row;
}

export interface CreateOptions {
	now?: number;
	risk?: RiskScoreSource;
}

/** Evaluates the rule now, splits and freezes the members, audits; answers the new audience. */
export async function createAudience(
	target: Db | Storage,
	body: unknown,
	actor: AudienceActor,
	options: CreateOptions = {}
): Promise<AudienceView> {
	const input = parseAudienceInput(body);
	const now = options.now ?? Date.now();
	const teams = restrictTeams(actor.scope, input.teams);
	const s = store(target);
	const rule = input.rule;
	let candidates: string[];
	if (rule.kind === 'breakpoint')
		candidates = await s.stalledCustomers(rule.journey, rule.step, now - rule.minDays * DAY, now);
	else if (rule.kind === 'detractors')
		candidates = await s.detractorCustomers(now - rule.days * DAY, now, teams);
	else candidates = await (options.risk ?? riskScoreSource(target)).customersAtOrAbove(rule.minScore);
	if (teams !== null && rule.kind !== 'detractors')
		candidates = await s.customersOfTeams(candidates, teams, now - TEAM_LOOKBACK_DAYS * DAY, now);
	const row = await s.insertAudience(
		{
			name: input.name,
			rule,
			outcome: input.outcome,
			holdoutPercent: input.holdoutPercent,
			teams,
			createdAt: now,
			createdBy: actor.email
		},
		(id) => splitMembers(id, candidates, input.holdoutPercent)
	);
	await audit(target, {
		action: 'audience.created',
		actor: { id: actor.id, email: actor.email },
		target: `audience:${row.id}`,
		ip: actor.ip ?? null,
		ts: now,
		details: {
			name: row.name,
			rule,
			teams,
			members: row.members,
			treatment: row.treatment,
			holdout: row.holdout
		}
	});
	return view(row);
}

export async function getAudience(target: Db | Storage, id: number, scope: Scope): Promise<AudienceView> {
	return view(await visible(target, id, scope));
}

/** The audiences the scope covers, newest first. */
export async function listAudiences(
	target: Db | Storage,
	scope: Scope,
	limit = 200
): Promise<AudienceView[]> {
	// Few audiences exist (they are made by hand); filtering after reading keeps the SQL plain.
	return (await store(target).listAudiences(1000))
		.filter((row) => canSeeAudience(scope, row))
		.slice(0, limit)
		.map(view);
}

export type ExportFormat = 'csv' | 'json';

export interface TreatmentExport {
	audience: AudienceView;
	customerIds: string[];
}

/**
 * The treatment list for the outbound team, audited as an export. The holdout is never exported, in any format
 * and for any role: listing it would let it be contacted, and the lift would measure nothing.
 */
export async function exportMembers(
	target: Db | Storage,
	id: number,
	group: AudienceGroup,
	actor: AudienceActor,
	how: { format: ExportFormat; via?: string }
): Promise<TreatmentExport> {
	const row = await visible(target, id, actor.scope);
	if (group !== 'treatment')
		throw new AudienceError(
			403,
			'holdout_not_exported',
			'The holdout is never exported: its members must not be contacted. Its size is in the audience.'
		);
	const customerIds = await store(target).members(id, 'treatment');
	await audit(target, {
		action: 'data.exported',
		actor: { id: actor.id, email: actor.email },
		target: `audience:${id}`,
		ip: actor.ip ?? null,
		details: { group, format: how.format, rows: customerIds.length, ...(how.via ? { via: how.via } : {}) }
	});
	return { audience: view(row), customerIds };
}

/** The treatment list as CSV: the audience id beside each customer, to tag the outreach contacts with. */
export function treatmentCsv(list: TreatmentExport): string {
	return toCsv(
		['customerId', 'audienceId', 'audienceName'],
		list.customerIds.map((c) => [c, list.audience.id, list.audience.name])
	);
}

export interface AudienceResults extends Lift {
	audience: AudienceView;
	/** False until the outcome window has passed for every member. */
	final: boolean;
	/** Members reached by a contact tagged with the audience; the holdout's should be 0. */
	reach: { treatment: number; holdout: number; treatmentShare: number | null };
	overTime: LiftOnDay[];
}

/** Outcome rates per group, the lift with its interval and p-value as of now, and the lift day by day. */
export async function audienceResults(
	target: Db | Storage,
	id: number,
	scope: Scope,
	now = Date.now()
): Promise<AudienceResults> {
	const row = await visible(target, id, scope);
	const outcome = row.outcome as AudienceOutcome;
	const rule = row.rule as AudienceRule;
	const end = windowEnd(row);
	const asOf = Math.min(now, end);
	const s = store(target);
	const facts = await s.memberFacts(id, rule.kind === 'breakpoint' ? rule.journey : null, row.createdAt, end);
	const counts = outcomeCounts(outcome.kind, facts, asOf);
	const reach = await s.reach(id, row.createdAt);
	return {
		audience: view(row),
		...lift(counts.treatment, counts.holdout),
		final: now >= end,
		reach: { ...reach, treatmentShare: row.treatment > 0 ? (100 * reach.treatment) / row.treatment : null },
		overTime: liftOverTime(outcome.kind, facts, row.createdAt, outcome.days, now)
	};
}
