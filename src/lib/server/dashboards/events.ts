import { z } from 'zod';
import { EVENT_TYPES } from '$lib/model';
import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { dashboardStores } from './store';
import type { Scope } from '$lib/server/auth/scope';
import { DIMENSIONS, KPI_KEYS, type Dimension, type KpiKey } from '$lib/server/metrics';
import { toCsv } from '$lib/components/dashboards/csv';
import type { DrillEvent, EventsPage } from '$lib/components/dashboards/types';

export type { DrillEvent, EventsPage };

/**
 * Drill-down records (GET /api/v1/events): raw events newest first, cursor-paged on (ts, seq), limited to what the
 * caller's role may see. Survey answers take team, agent, journey and reason from the contact they name, exactly
 * as the KPIs count them, so "the records behind a number" are the rows that number was computed from.
 */

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventsQuery {
	customerId: string | null;
	types: EventType[];
	/** Only the records this KPI counts (its denominator; complaints for complaint_rate, self-service contacts for
	 * containment_rate). */
	kpi: KpiKey | null;
	from: number | null;
	to: number | null;
	filters: Partial<Record<Dimension, string[]>>;
	/** Detractor answers only: NPS 0–6 or CSAT 1–2. */
	detractor: boolean;
	/** Only events with free text (a comment or a transcript). */
	hasText: boolean;
	limit: number;
	cursor: { ts: number; seq: number } | null;
	format: 'json' | 'csv';
}

export const DEFAULT_LIMIT = 50;
export const MAX_JSON_LIMIT = 500;
export const MAX_CSV_LIMIT = 10_000;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((s) => {
	if (DATE_ONLY.test(s)) return Date.parse(`${s}T00:00:00+08:00`);
	return Date.parse(s);
});
const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const valueList = z.array(z.string().trim().min(1).max(256)).max(200);

const paramsSchema = z.object({
	customerId: z.string().trim().min(1).max(256).optional(),
	type: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length),
	kpi: z.enum(KPI_KEYS).optional(),
	from: instant.optional(),
	to: instant.optional(),
	detractor: flag.optional(),
	hasText: flag.optional(),
	limit: z.coerce.number().int().min(1).optional(),
	cursor: z
		.string()
		.regex(/^\d{1,16}_\d{1,16}$/, 'must be the `next` of a previous page')
		.optional(),
	format: z.enum(['json', 'csv']).optional(),
	...(Object.fromEntries(DIMENSIONS.map((d) => [d, valueList])) as Record<Dimension, typeof valueList>)
});

export type ParseEvents =
	{ ok: true; query: EventsQuery } | { ok: false; parameter: string; message: string };

function list(params: URLSearchParams, name: string): string[] {
	return [
		...new Set(
			params
				.getAll(name)
				.flatMap((v) => v.split(','))
				.map((v) => v.trim())
				.filter((v) => v !== '')
		)
	];
}

/** URL → EventsQuery; an error names the parameter (the API answers 400 with it). */
export function parseEventsQuery(params: URLSearchParams): ParseEvents {
	const one = (name: string) => {
		const v = params.get(name)?.trim();
		return v ? v : undefined;
	};
	const raw: Record<string, unknown> = {
		customerId: one('customerId'),
		type: list(params, 'type'),
		kpi: one('kpi'),
		from: one('from'),
		to: one('to'),
		detractor: one('detractor'),
		hasText: one('hasText'),
		limit: one('limit'),
		cursor: one('cursor'),
		format: one('format')
	};
	for (const d of DIMENSIONS) raw[d] = list(params, d);
	const parsed = paramsSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const parameter = String(issue.path[0] ?? 'query');
		return { ok: false, parameter, message: `${parameter}: ${issue.message}` };
	}
	const p = parsed.data;
	const format = p.format ?? 'json';
	const max = format === 'csv' ? MAX_CSV_LIMIT : MAX_JSON_LIMIT;
	const limit = p.limit ?? (format === 'csv' ? MAX_CSV_LIMIT : DEFAULT_LIMIT);
	if (limit > max) return { ok: false, parameter: 'limit', message: `limit: at most ${max} for ${format}` };
	if (p.from !== undefined && p.to !== undefined && !(p.from < p.to))
		return { ok: false, parameter: 'from', message: 'from: must be before to' };
	const filters: EventsQuery['filters'] = {};
	for (const d of DIMENSIONS) if (p[d].length) filters[d] = p[d];
	const [ts, seq] = (p.cursor ?? '').split('_').map(Number);
	return {
		ok: true,
		query: {
			customerId: p.customerId ?? null,
			types: p.type,
			kpi: p.kpi ?? null,
			from: p.from ?? null,
			to: p.to ?? null,
			filters,
			detractor: p.detractor ?? false,
			hasText: p.hasText ?? false,
			limit,
			cursor: p.cursor ? { ts, seq } : null,
			format
		}
	};
}

// The records a KPI counts, as conditions over one event row `e` (measures.ts is the definition they follow).
const REQUEST = `(e.handled_by = 'agent' OR (e.handled_by IS NULL AND e.outcome = 'abandoned'))`;
const SHORT_ABANDON = `(${REQUEST} AND e.outcome = 'abandoned' AND coalesce(e.wait_s, 0) < 5)`;
const COUNTED = `(e.type = 'contact' AND NOT ${SHORT_ABANDON})`;
const OFFERED = `(e.type = 'contact' AND ${REQUEST} AND NOT ${SHORT_ABANDON})`;
const ANSWERED = `(e.type = 'contact' AND e.handled_by = 'agent' AND coalesce(e.outcome, '') <> 'abandoned')`;
const ANSWERS = (metric: string) =>
	`(e.type = 'feedback' AND e.metric = '${metric}' AND e.score IS NOT NULL)`;
const COMPLAINTS = `e.type = 'complaint'`;
const CONTRIBUTING = `e.type IN ('contact', 'feedback', 'complaint')`;

export const KPI_RECORDS: Readonly<Record<KpiKey, string>> = {
	nps: ANSWERS('nps'),
	csat: ANSWERS('csat'),
	ces: ANSWERS('ces'),
	fcr: `(${COUNTED} AND e.first_contact = 1)`,
	aht_s: `(${ANSWERED} AND e.handle_s IS NOT NULL)`,
	asa_s: ANSWERED,
	service_level: OFFERED,
	answer_rate: `(e.type = 'contact' AND ${REQUEST})`,
	abandonment_rate: OFFERED,
	transfer_rate: ANSWERED,
	repeat_contact_rate: COUNTED,
	complaint_rate: COMPLAINTS,
	regulator_share: COMPLAINTS,
	containment_rate: `(${COUNTED} AND e.handled_by IN ('bot', 'ivr'))`,
	sentiment: `(e.sentiment IS NOT NULL AND ${CONTRIBUTING})`,
	cx_index: `(${CONTRIBUTING})`
};

const DETRACTOR = `(e.type = 'feedback' AND ((e.metric = 'nps' AND e.score <= 6) OR (e.metric = 'csat' AND e.score <= 2)))`;

/**
 * Said, word for word, when every record asked for is an answer or a complaint: the term of the partial index
 * events_answers_ts, which SQLite uses only when the query states it.
 */
const ANSWERS_AND_COMPLAINTS = `e.type IN ('feedback', 'complaint')`;
/** The KPIs whose records are all answers or complaints: those whose condition above is ANSWERS or COMPLAINTS. */
const ANSWER_KPIS: ReadonlySet<KpiKey> = new Set(
	(Object.keys(KPI_RECORDS) as KpiKey[]).filter(
		(k) => KPI_RECORDS[k] === ANSWERS(k) || KPI_RECORDS[k] === COMPLAINTS
	)
);

/** Whether every record the query can list is an answer or a complaint. */
function answersOrComplaintsOnly(q: EventsQuery): boolean {
	if (q.detractor || (q.kpi !== null && ANSWER_KPIS.has(q.kpi))) return true;
	return q.types.length > 0 && q.types.every((t) => t === 'feedback' || t === 'complaint');
}

/** The column each dimension filters: survey answers inherit team, agent, journey and reason from their contact. */
const DIMENSION_COLUMN: Record<Dimension, string> = {
	channel: 'e.channel',
	team: 'coalesce(e.team_id, c.team_id)',
	agent: 'coalesce(e.agent_id, c.agent_id)',
	segment: 'e.segment',
	journey: 'coalesce(e.journey, c.journey)',
	region: 'e.region',
	reason: 'coalesce(e.reason, c.reason)'
};

const COLUMNS = `e.seq, e.id, e.type, e.ts, e.customer_id, e.channel, e.name, coalesce(e.journey, c.journey) AS journey,
	e.handled_by, e.queue, coalesce(e.team_id, c.team_id) AS team_id, coalesce(e.agent_id, c.agent_id) AS agent_id,
	coalesce(e.reason, c.reason) AS reason, e.wait_s, e.handle_s, e.outcome, e.metric, e.score, e.text, e.contact_id,
	e.category, e.severity, e.regulator, e.segment, e.region, e.sentiment`;

interface Row {
	seq: number;
	id: string;
	type: string;
	ts: number;
	customer_id: string;
	channel: string | null;
	name: string | null;
	journey: string | null;
	handled_by: string | null;
	queue: string | null;
	team_id: string | null;
	agent_id: string | null;
	reason: string | null;
	wait_s: number | null;
	handle_s: number | null;
	outcome: string | null;
	metric: string | null;
	score: number | null;
	text: string | null;
	contact_id: string | null;
	category: string | null;
	severity: string | null;
	regulator: number | null;
	segment: string | null;
	region: string | null;
	sentiment: number | null;
}

type Param = string | number;

/**
 * The conditions of a query. `scopeTeams` is what the caller may see (restrictTeams' result: null = all teams);
 * a manager sees only events whose (inherited) team is one of theirs.
 */
function conditions(q: EventsQuery, scopeTeams: string[] | null): { where: string[]; params: Param[] } {
	const where: string[] = [];
	const params: Param[] = [];
	if (q.from !== null) {
		where.push('e.ts >= ?');
		params.push(q.from);
	}
	if (q.to !== null) {
		where.push('e.ts < ?');
		params.push(q.to);
	}
	if (q.types.length) {
		where.push(`e.type IN (${q.types.map(() => '?').join(', ')})`);
		params.push(...q.types);
	}
	if (q.kpi) where.push(KPI_RECORDS[q.kpi]);
	// Records with a text walk events_texts_ts instead (fewer rows than every answer): the term is left out then.
	// (One customer's records have their own indexes.)
	if (answersOrComplaintsOnly(q) && !q.hasText && q.customerId === null) where.push(ANSWERS_AND_COMPLAINTS);
	if (q.detractor) where.push(DETRACTOR);
	if (q.hasText) where.push(`e.text IS NOT NULL AND e.text <> ''`);
	for (const d of DIMENSIONS) {
		const values = d === 'team' ? teamValues(q.filters.team, scopeTeams) : q.filters[d];
		if (!values) continue;
		if (!values.length) {
			where.push('1 = 0');
			continue;
		}
		where.push(`${DIMENSION_COLUMN[d]} IN (${values.map(() => '?').join(', ')})`);
		params.push(...values);
	}
	if (q.cursor) {
		where.push('(e.ts < ? OR (e.ts = ? AND e.seq < ?))');
		params.push(q.cursor.ts, q.cursor.ts, q.cursor.seq);
	}
	return { where, params };
}

function teamValues(requested: string[] | undefined, scopeTeams: string[] | null): string[] | undefined {
	if (scopeTeams === null) return requested;
	return requested ? requested.filter((t) => scopeTeams.includes(t)) : scopeTeams;
}

function toEvent(r: Row): DrillEvent {
	const event: DrillEvent = {
		id: r.id,
		type: r.type,
		ts: new Date(r.ts).toISOString(),
		customerId: r.customer_id,
		channel: r.channel,
		name: r.name,
		journey: r.journey,
		handledBy: r.handled_by,
		queue: r.queue,
		teamId: r.team_id,
		agentId: r.agent_id,
		reason: r.reason,
		waitS: r.wait_s,
		handleS: r.handle_s,
		outcome: r.outcome,
		metric: r.metric,
		score: r.score,
		text: r.text,
		contactId: r.contact_id,
		category: r.category,
		severity: r.severity,
		regulator: r.regulator === null ? null : r.regulator === 1,
		segment: r.segment,
		region: r.region
	};
	if (r.text !== null && r.text !== '') event.sentiment = r.sentiment;
	return event;
}

/**
 * One page of records, newest first. With a customer id, each of the two per-customer indexes serves its part
 * (journey steps, everything else) and the parts are merged; otherwise the time index is walked backwards.
 */
export async function listEvents(db: Db | Storage, q: EventsQuery, scope: Scope): Promise<EventsPage> {
	const { sql, params } = recordsSql(q, scope);
	const rows = await byEngine(asStorage(db), dashboardStores).rows<Row>(sql, params);
	const page = rows.slice(0, q.limit);
	const last = page.at(-1);
	return {
		events: page.map(toEvent),
		next: rows.length > q.limit && last ? `${last.ts}_${last.seq}` : null
	};
}

/** The statement of one page of records (one row more than the page, to know whether another follows). */
export function recordsSql(q: EventsQuery, scope: Scope): { sql: string; params: Param[] } {
	const { where, params } = conditions(q, scope.teams);
	const from = 'FROM events e LEFT JOIN events c ON c.seq = e.linked_contact_seq';
	const order = 'ORDER BY ts DESC, seq DESC LIMIT ?';
	let sql: string;
	let all: Param[];
	if (q.customerId !== null) {
		const part = (typeCondition: string) =>
			`SELECT ${COLUMNS} ${from} WHERE e.customer_id = ? AND ${typeCondition}${where.map((w) => ` AND ${w}`).join('')}`;
		sql = `SELECT * FROM (${part(`e.type = 'journey'`)} UNION ALL ${part(`e.type <> 'journey'`)}) AS parts ${order}`;
		all = [q.customerId, ...params, q.customerId, ...params, q.limit + 1];
	} else {
		sql = `SELECT ${COLUMNS} ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY e.ts DESC, e.seq DESC LIMIT ?`;
		all = [...params, q.limit + 1];
	}
	return { sql, params: all };
}

/** The CSV columns of GET /api/v1/events?format=csv: the JSON fields, in the same order. */
export const EVENT_CSV_COLUMNS = [
	'id',
	'type',
	'ts',
	'customerId',
	'channel',
	'name',
	'journey',
	'handledBy',
	'queue',
	'teamId',
	'agentId',
	'reason',
	'waitS',
	'handleS',
	'outcome',
	'metric',
	'score',
	'text',
	'contactId',
	'category',
	'severity',
	'regulator',
	'segment',
	'region',
	'sentiment'
] as const satisfies readonly (keyof DrillEvent)[];

/** The same page as CSV (one row per event, the JSON fields as columns; sentiment blank without text). */
export function eventsCsv(events: readonly DrillEvent[]): string {
	return toCsv(
		EVENT_CSV_COLUMNS,
		events.map((e) => EVENT_CSV_COLUMNS.map((c) => e[c] ?? null))
	);
}
