import { z } from 'zod';
import type { Scope } from '$lib/server/auth/scope';
import { DIMENSIONS, type Dimension } from './measures';
import { bucketOf, chinaMidnight, DAY_MS, GRAINS, type Grain } from './time';

export type { Scope };

/**
 * One typed query for every KPI read (STYLE.md rule 3). Filters, grouping and scope are parsed once from the URL
 * into a CxQuery; everything downstream takes it. `scope` is the auth engineer's Scope (auth/scope.ts): null teams =
 * all teams; a manager's list of teams limits every answer.
 */
export interface CxQuery {
	/** Epoch ms, inclusive. */
	from: number;
	/** Epoch ms, exclusive. */
	to: number;
	/** One row per value of a dimension, or per hour/day/week bucket; null = one row (group null). */
	by: Dimension | Grain | null;
	/** Time buckets inside each group (a trend by channel: by=channel, grain=day); null = none. */
	grain: Grain | null;
	/** Each dimension limited to any of the listed values. */
	filters: Partial<Record<Dimension, string[]>>;
	/** The comparison period (the previous period of equal length by default); null = no comparison. */
	compare: { from: number; to: number } | null;
	/** Add reason-standardised FCR, AHT and CSAT (fcr_std, aht_s_std, csat_std). */
	standardise: boolean;
	scope: Scope;
}

/**
 * A question over the whole center for [from, to): one row, no filter, no comparison, not standardised, every
 * team; any other field given replaces its default.
 */
export function cxQuery(q: Pick<CxQuery, 'from' | 'to'> & Partial<CxQuery>): CxQuery {
	return {
		by: null,
		grain: null,
		filters: {},
		compare: null,
		standardise: false,
		scope: { teams: null },
		...q
	};
}

export const GROUP_BYS = [...DIMENSIONS, ...GRAINS] as const;
export const MAX_RANGE_DAYS = 400;
export const MAX_BUCKETS = 2_000;

export function isGrain(by: CxQuery['by']): by is Grain {
	return by === 'hour' || by === 'day' || by === 'week';
}

export function previousPeriod(from: number, to: number): { from: number; to: number } {
	return { from: from - (to - from), to: from };
}

/** A parameter that could not be read; `parameter` names it (the API answers 400 with it). */
export interface QueryError {
	parameter: string;
	message: string;
}

export type ParseResult = { ok: true; query: CxQuery } | { ok: false; error: QueryError };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** ISO-8601 with a time zone, or a date (YYYY-MM-DD) meaning that day's midnight in China time. */
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((s) => {
	if (DATE_ONLY.test(s)) return Date.parse(`${s}T00:00:00+08:00`);
	return Date.parse(s);
});

const valueList = z.array(z.string().trim().min(1).max(256)).max(200);

const paramsSchema = z.object({
	from: instant.optional(),
	to: instant.optional(),
	by: z.enum(GROUP_BYS).optional(),
	grain: z.enum(GRAINS).optional(),
	compare: z.enum(['previous', 'none']).optional(),
	compareFrom: instant.optional(),
	compareTo: instant.optional(),
	standardise: z.enum(['1', '0', 'true', 'false']).optional(),
	...(Object.fromEntries(DIMENSIONS.map((d) => [d, valueList])) as Record<Dimension, typeof valueList>)
});

function fail(parameter: string, message: string): ParseResult {
	return { ok: false, error: { parameter, message: `${parameter}: ${message}` } };
}

/**
 * URL → CxQuery. `from` defaults to the start of today (China time) and `to` to now; filters may repeat or be
 * comma-separated (`channel=phone&channel=chat` or `channel=phone,chat`); `compare=none` turns the comparison off,
 * `compareFrom`/`compareTo` choose another period; `standardise=1` adds the reason-standardised KPIs.
 */
export function parseCxQuery(params: URLSearchParams, scope: Scope, now = Date.now()): ParseResult {
	const one = (name: string) => params.get(name) ?? undefined;
	const raw: Record<string, unknown> = {
		from: one('from'),
		to: one('to'),
		by: one('by'),
		grain: one('grain'),
		compare: one('compare'),
		compareFrom: one('compareFrom'),
		compareTo: one('compareTo'),
		standardise: one('standardise')
	};
	for (const d of DIMENSIONS)
		raw[d] = params
			.getAll(d)
			.flatMap((v) => v.split(','))
			.map((v) => v.trim())
			.filter((v) => v !== '');
	const parsed = paramsSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		return fail(String(issue.path[0] ?? 'query'), issue.message);
	}
	const p = parsed.data;
	const to = p.to ?? now;
	const from = p.from ?? chinaMidnight(to - 1);
	if (!(from < to)) return fail('from', 'must be before to');
	if (to - from > MAX_RANGE_DAYS * DAY_MS)
		return fail('to', `the range may span at most ${MAX_RANGE_DAYS} days`);
	const by = p.by ?? null;
	const grain = p.grain ?? null;
	if (grain !== null && isGrain(by)) return fail('grain', 'cannot be combined with a time grouping (by)');
	const timeGrain = isGrain(by) ? by : grain;
	if (timeGrain && bucketOf(to - 1, timeGrain) - bucketOf(from, timeGrain) + 1 > MAX_BUCKETS)
		return fail(
			isGrain(by) ? 'by' : 'grain',
			`more than ${MAX_BUCKETS} ${timeGrain}s; choose a coarser grain`
		);
	let compare: CxQuery['compare'] = previousPeriod(from, to);
	if (p.compare === 'none') {
		if (p.compareFrom !== undefined || p.compareTo !== undefined)
			return fail('compare', 'none cannot be combined with compareFrom/compareTo');
		compare = null;
	} else if (p.compareFrom !== undefined || p.compareTo !== undefined) {
		if (p.compareFrom === undefined) return fail('compareFrom', 'required with compareTo');
		if (p.compareTo === undefined) return fail('compareTo', 'required with compareFrom');
		if (!(p.compareFrom < p.compareTo)) return fail('compareFrom', 'must be before compareTo');
		compare = { from: p.compareFrom, to: p.compareTo };
	}
	const filters: CxQuery['filters'] = {};
	for (const d of DIMENSIONS) {
		const values = [...new Set(p[d])];
		if (values.length) filters[d] = values;
	}
	return {
		ok: true,
		query: {
			from,
			to,
			by,
			grain,
			filters,
			compare,
			standardise: p.standardise === '1' || p.standardise === 'true',
			scope
		}
	};
}

/** CxQuery → URL parameters (the scope is not part of a link: it comes from who opens it). */
export function cxQueryToParams(q: CxQuery): URLSearchParams {
	const params = new URLSearchParams();
	params.set('from', new Date(q.from).toISOString());
	params.set('to', new Date(q.to).toISOString());
	if (q.by) params.set('by', q.by);
	if (q.grain) params.set('grain', q.grain);
	for (const d of DIMENSIONS) for (const v of q.filters[d] ?? []) params.append(d, v);
	const previous = previousPeriod(q.from, q.to);
	if (q.compare === null) params.set('compare', 'none');
	else if (q.compare.from !== previous.from || q.compare.to !== previous.to) {
		params.set('compareFrom', new Date(q.compare.from).toISOString());
		params.set('compareTo', new Date(q.compare.to).toISOString());
	}
	if (q.standardise) params.set('standardise', '1');
	return params;
}
