import { z } from 'zod';
import type { Scope } from '$lib/server/auth/scope';
import * as metrics from '$lib/server/metrics';
import {
	FILTER_DIMENSIONS,
	RANGES,
	listParam,
	periodOf,
	presetPeriod,
	readFilters,
	type Filters,
	type Period,
	type RangePreset
} from '$lib/components/filters/filter-state';

/**
 * The dashboards' one query: the filter bar's URL state (filter-state.ts) turned into the metrics engine's CxQuery,
 * validated by the same parser as GET /api/v1/kpis, so a dashboard and the API never disagree about a link.
 */

export type DashboardQuery =
	| { ok: true; query: metrics.CxQuery; filters: Filters; period: Period }
	| { ok: false; parameter: string; message: string };

/** Only the filter parameters are read (a SvelteKit load that calls this re-runs only when they change). */
export function dashboardQuery(
	params: URLSearchParams,
	scope: Scope,
	now: number,
	defaultRange: RangePreset
): DashboardQuery {
	const range = params.get('range');
	if (range !== null && range !== '' && !(RANGES as readonly string[]).includes(range))
		return { ok: false, parameter: 'range', message: `range: must be one of ${RANGES.join(', ')}` };
	const filters = readFilters(params, defaultRange);
	const api = new URLSearchParams();
	if (filters.range === 'custom') {
		api.set('from', filters.from ?? '');
		if (filters.to) api.set('to', filters.to);
	} else {
		const p = presetPeriod(filters.range, now);
		api.set('from', new Date(p.from).toISOString());
		api.set('to', new Date(p.to).toISOString());
		if (p.compare) {
			api.set('compareFrom', new Date(p.compare.from).toISOString());
			api.set('compareTo', new Date(p.compare.to).toISOString());
		}
	}
	for (const d of FILTER_DIMENSIONS) for (const v of filters.values[d]) api.append(d, v);
	const parsed = metrics.parseCxQuery(api, scope, now);
	if (!parsed.ok) return { ok: false, parameter: parsed.error.parameter, message: parsed.error.message };
	const period = periodOf(filters, now, defaultRange);
	return { ok: true, query: parsed.query, filters, period };
}

const valueList = z.array(z.string().trim().min(1).max(256)).max(50);
const streamSchema = z.object({
	range: z.enum(RANGES).optional(),
	...(Object.fromEntries(FILTER_DIMENSIONS.map((d) => [d, valueList])) as Record<
		(typeof FILTER_DIMENSIONS)[number],
		typeof valueList
	>)
});

export type StreamParams =
	{ ok: true; params: URLSearchParams; teams: string[] } | { ok: false; parameter: string; message: string };

/**
 * The parameters of GET /api/v1/stream in canonical form (range, then each filter's values sorted), so viewers of
 * the same view share one filter key whatever order their links list the values in. Other parameters are ignored.
 */
export function parseStreamParams(params: URLSearchParams): StreamParams {
	const raw: Record<string, unknown> = { range: params.get('range') || undefined };
	for (const d of FILTER_DIMENSIONS) raw[d] = listParam(params, d);
	const parsed = streamSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const parameter = String(issue.path[0] ?? 'query');
		return { ok: false, parameter, message: `${parameter}: ${issue.message}` };
	}
	const out = new URLSearchParams();
	out.set('range', parsed.data.range ?? 'today');
	for (const d of FILTER_DIMENSIONS) for (const v of [...parsed.data[d]].sort()) out.append(d, v);
	return { ok: true, params: out, teams: parsed.data.team };
}
