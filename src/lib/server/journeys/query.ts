import { z } from 'zod';
import { CHANNELS, SEGMENTS, type Channel, type Segment } from '$lib/model';
import { DAY_MS } from './core';

/**
 * The one query object of journey analytics: which journeys (by start time) and which customers. URL ⇄ query is
 * this pair of functions; `from` is inclusive, `to` exclusive, both epoch ms.
 */
export interface JourneyQuery {
	from: number;
	to: number;
	segment: Segment | null;
	/** The channel the journey started on. */
	channel: Channel | null;
}

export const DEFAULT_RANGE_DAYS = 30;
/** No value below this many (customers, answers, times): "insufficient data" (DOMAIN.md). */
export const MIN_N = 30;

const instant = z.union([
	z
		.string()
		.regex(/^\d{10,14}$/, 'epoch milliseconds or ISO-8601')
		.transform(Number),
	z.iso
		.datetime({ offset: true, local: false })
		.or(z.iso.date())
		.transform((s) => Date.parse(s))
]);

const querySchema = z.object({
	days: z.coerce.number().int().min(1).max(366).optional(),
	from: instant.optional(),
	to: instant.optional(),
	segment: z.enum(SEGMENTS).optional(),
	channel: z.enum(CHANNELS).optional()
});

export interface QueryError {
	/** The parameter at fault. */
	param: string;
	message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: QueryError };

function firstIssue(error: z.ZodError): QueryError {
	const issue = error.issues[0];
	const param = String(issue?.path[0] ?? 'query');
	return { param, message: `${param}: ${issue?.message ?? 'invalid'}` };
}

/**
 * Parses `from`, `to`, `days`, `segment`, `channel` (blank values are ignored). Without `from`, the range is the
 * `days` (default 30) before `to` (default now).
 */
export function parseJourneyQuery(params: URLSearchParams, now = Date.now()): Parsed<JourneyQuery> {
	const raw: Record<string, string> = {};
	for (const key of ['days', 'from', 'to', 'segment', 'channel']) {
		const v = params.get(key)?.trim();
		if (v) raw[key] = v;
	}
	const parsed = querySchema.safeParse(raw);
	if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
	const to = parsed.data.to ?? now;
	const from = parsed.data.from ?? to - (parsed.data.days ?? DEFAULT_RANGE_DAYS) * DAY_MS;
	if (!(from < to)) return { ok: false, error: { param: 'from', message: 'from: must be before to' } };
	return {
		ok: true,
		value: { from, to, segment: parsed.data.segment ?? null, channel: parsed.data.channel ?? null }
	};
}

/** The URL parameters of a query (only those that differ from the defaults when `now` is given). */
export function journeyQueryToParams(q: JourneyQuery, now?: number): URLSearchParams {
	const p = new URLSearchParams();
	const isDefault = now !== undefined && q.to === now && q.from === now - DEFAULT_RANGE_DAYS * DAY_MS;
	if (!isDefault) {
		p.set('from', new Date(q.from).toISOString());
		p.set('to', new Date(q.to).toISOString());
	}
	if (q.segment) p.set('segment', q.segment);
	if (q.channel) p.set('channel', q.channel);
	return p;
}

/** A positive integer parameter with a default and a ceiling. */
export function intParam(
	params: URLSearchParams,
	name: string,
	fallback: number,
	max: number
): Parsed<number> {
	const raw = params.get(name)?.trim();
	if (!raw) return { ok: true, value: fallback };
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1 || n > max)
		return { ok: false, error: { param: name, message: `${name}: a whole number from 1 to ${max}` } };
	return { ok: true, value: n };
}

/** An enumerated parameter (absent: null). */
export function enumParam<T extends string>(
	params: URLSearchParams,
	name: string,
	values: readonly T[]
): Parsed<T | null> {
	const raw = params.get(name)?.trim();
	if (!raw) return { ok: true, value: null };
	if (!(values as readonly string[]).includes(raw))
		return { ok: false, error: { param: name, message: `${name}: one of ${values.join(', ')}` } };
	return { ok: true, value: raw as T };
}

/** The SQL filter of a query over `journey_instances` (named parameters); `alias` prefixes the columns. */
export function instanceFilter(
	journeyKey: string,
	q: JourneyQuery,
	alias = ''
): { where: string; params: Record<string, string | number> } {
	const c = alias ? `${alias}.` : '';
	const parts = [`${c}journey_key = @journeyKey`, `${c}started_at >= @from`, `${c}started_at < @to`];
	const params: Record<string, string | number> = { journeyKey, from: q.from, to: q.to };
	if (q.segment) {
		parts.push(`${c}segment = @segment`);
		params.segment = q.segment;
	}
	if (q.channel) {
		parts.push(`${c}first_channel = @channel`);
		params.channel = q.channel;
	}
	return { where: parts.join(' AND '), params };
}

/**
 * A manager's scope over journey instances (named parameters): only customers with a record of one of the teams
 * (a contact, an answer, a complaint …), as the timeline shows them; null = every team, [] = nobody. Journeys carry
 * no team of their own, so this is the only way a breakpoint's customer list can respect the scope.
 */
export function teamScopeFilter(
	teams: readonly string[] | null,
	alias = 'journey_instances'
): { where: string; params: Record<string, string> } {
	if (teams === null) return { where: '1 = 1', params: {} };
	if (teams.length === 0) return { where: '1 = 0', params: {} };
	const names = teams.map((_, i) => `scopeTeam${i}`);
	return {
		where: `EXISTS (SELECT 1 FROM events scoped WHERE scoped.customer_id = ${alias}.customer_id
			AND scoped.team_id IN (${names.map((n) => `@${n}`).join(', ')}))`,
		params: Object.fromEntries(teams.map((t, i) => [names[i], t]))
	};
}

/** The stored status read at `now` (SQL). */
export const EFFECTIVE_STATUS = `CASE WHEN status = 'in_progress' AND deadline <= @now THEN 'abandoned' ELSE status END`;
