/**
 * The global filter bar as URL state (shared by server loads and the browser, so it stays free of server imports).
 * Parameter names are those of GET /api/v1/kpis (`from`, `to`, `channel`, `segment`, `team`, `journey`, `region`),
 * plus `range`, a relative preset (today, 7d, 30d, 90d) so a wallboard link keeps showing "the last 7 days".
 * A link with `from` is a custom period and ignores `range`. Any view is therefore a shareable link, and the
 * browser's back/forward buttons walk through filter changes.
 */

export const RANGES = ['today', '7d', '30d', '90d'] as const;
export type RangePreset = (typeof RANGES)[number];

/** The dimensions the filter bar offers (the API also takes agent and reason). */
export const FILTER_DIMENSIONS = ['channel', 'segment', 'team', 'journey', 'region'] as const;
export type FilterDimension = (typeof FILTER_DIMENSIONS)[number];

/** Every dimension the KPI and events APIs filter by. */
export const API_DIMENSIONS = ['channel', 'team', 'agent', 'segment', 'journey', 'region', 'reason'] as const;
export type ApiDimension = (typeof API_DIMENSIONS)[number];

export interface Filters {
	/** A preset, or 'custom' when the link names `from` (and maybe `to`). */
	range: RangePreset | 'custom';
	/** The custom period as written in the link (a date YYYY-MM-DD in China time, or ISO-8601); null for presets. */
	from: string | null;
	to: string | null;
	values: Record<FilterDimension, string[]>;
}

export interface Period {
	/** Epoch ms, inclusive. */
	from: number;
	/** Epoch ms, exclusive. */
	to: number;
	/** The period compared against, or null to let the API use the previous period of equal length. */
	compare: { from: number; to: number } | null;
	/** True for presets: the period ends now and keeps moving, so a live stream makes sense. */
	live: boolean;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const PRESET_DAYS: Record<RangePreset, number> = { today: 1, '7d': 7, '30d': 30, '90d': 90 };

/** Parameters that belong to the filter bar (changing a filter rewrites all of them). */
export const FILTER_PARAMS: readonly string[] = ['range', 'from', 'to', ...FILTER_DIMENSIONS];

/** Parameters of an open drill-down (see dashboards/drill.ts); a filter change closes the drill. */
export const DRILL_PARAMS: readonly string[] = [
	'drill',
	'drillFrom',
	'drillTo',
	'drillLabel',
	'drillDetractor',
	...API_DIMENSIONS.map((d) => `drill${d[0].toUpperCase()}${d.slice(1)}`)
];

/**
 * A copy of only the named parameters, read one by one (SvelteKit then re-runs a load only when one of them
 * changes, not when a drill-down opens).
 */
export function pickParams(params: URLSearchParams, names: readonly string[]): URLSearchParams {
	const out = new URLSearchParams();
	for (const name of names) for (const value of params.getAll(name)) out.append(name, value);
	return out;
}

/** A copy of the parameters with some set (a string) or removed (null). */
export function withParams(params: URLSearchParams, changes: Record<string, string | null>): URLSearchParams {
	const out = new URLSearchParams(params);
	for (const [name, value] of Object.entries(changes))
		if (value === null) out.delete(name);
		else out.set(name, value);
	return out;
}

/** `path?query`, or the bare path when the query is empty. */
export function hrefOf(path: string, params: URLSearchParams): string {
	const search = params.toString();
	return search ? `${path}?${search}` : path;
}

export function isRangePreset(value: string | null | undefined): value is RangePreset {
	return (RANGES as readonly string[]).includes(value ?? '');
}

/** All values of a repeatable parameter: `channel=phone&channel=chat` or `channel=phone,chat`; blanks dropped. */
export function listParam(params: URLSearchParams, name: string): string[] {
	const values = params
		.getAll(name)
		.flatMap((v) => v.split(','))
		.map((v) => v.trim())
		.filter((v) => v !== '');
	return [...new Set(values)];
}

export function emptyValues(): Record<FilterDimension, string[]> {
	return { channel: [], segment: [], team: [], journey: [], region: [] };
}

/** URL → filters. Reads only the filter parameters (so a SvelteKit load re-runs only when they change). */
export function readFilters(params: URLSearchParams, defaultRange: RangePreset): Filters {
	const values = emptyValues();
	for (const d of FILTER_DIMENSIONS) values[d] = listParam(params, d);
	const from = params.get('from')?.trim() || null;
	if (from) return { range: 'custom', from, to: params.get('to')?.trim() || null, values };
	const range = params.get('range');
	return { range: isRangePreset(range) ? range : defaultRange, from: null, to: null, values };
}

/**
 * Filters → URL, keeping every other parameter of `base` (e.g. `tv`, `by`, `kpi`) except an open drill-down.
 * The default range is left out so plain links stay short.
 */
export function writeFilters(
	filters: Filters,
	base: URLSearchParams,
	defaultRange: RangePreset
): URLSearchParams {
	const out = new URLSearchParams();
	for (const [name, value] of base)
		if (!FILTER_PARAMS.includes(name) && !DRILL_PARAMS.includes(name)) out.append(name, value);
	if (filters.range === 'custom') {
		if (filters.from) out.set('from', filters.from);
		if (filters.to) out.set('to', filters.to);
	} else if (filters.range !== defaultRange) out.set('range', filters.range);
	for (const d of FILTER_DIMENSIONS) for (const v of filters.values[d]) out.append(d, v);
	return out;
}

/** An instant as the API reads it: a date (that day's midnight in China time) or ISO-8601 with an offset. */
export function parseInstant(text: string | null | undefined): number | null {
	if (!text) return null;
	const ms = DATE_ONLY.test(text) ? Date.parse(`${text}T00:00:00+08:00`) : Date.parse(text);
	return Number.isFinite(ms) ? ms : null;
}

/** Midnight (China time, UTC+8, no daylight saving) of the day an instant falls in. */
export function chinaMidnight(ts: number): number {
	return Math.floor((ts + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
}

/** The China-time calendar date (YYYY-MM-DD) of an instant. */
export function chinaDate(ts: number): string {
	return new Date(ts + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The end of a live period: the next whole minute after now, so links made within a minute agree. */
export function liveEnd(now: number): number {
	return Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
}

/**
 * The period a preset means at `now`: whole China-time days ending today (today so far), compared with the same
 * stretch of time N days earlier (today so far vs the same hours yesterday).
 */
export function presetPeriod(range: RangePreset, now: number): Period {
	const days = PRESET_DAYS[range];
	const from = chinaMidnight(now) - (days - 1) * DAY_MS;
	const to = liveEnd(now);
	return { from, to, compare: { from: from - days * DAY_MS, to: to - days * DAY_MS }, live: true };
}

/**
 * The period of a filter state at `now`. A custom period whose bounds do not parse falls back to the default
 * preset here; the server validates the same text with the API's parser and answers 400 naming the parameter.
 */
export function periodOf(filters: Filters, now: number, defaultRange: RangePreset = 'today'): Period {
	if (filters.range !== 'custom') return presetPeriod(filters.range, now);
	const from = parseInstant(filters.from);
	const to = filters.to ? parseInstant(filters.to) : liveEnd(now);
	if (from === null || to === null || !(from < to)) return presetPeriod(defaultRange, now);
	return { from, to, compare: null, live: false };
}

/** The query string of GET /api/v1/kpis and /api/v1/events for these filters, with absolute bounds. */
export function apiParams(
	filters: Filters,
	now: number,
	defaultRange: RangePreset = 'today'
): URLSearchParams {
	const period = periodOf(filters, now, defaultRange);
	const out = new URLSearchParams();
	out.set('from', new Date(period.from).toISOString());
	out.set('to', new Date(period.to).toISOString());
	if (period.compare) {
		out.set('compareFrom', new Date(period.compare.from).toISOString());
		out.set('compareTo', new Date(period.compare.to).toISOString());
	}
	for (const d of FILTER_DIMENSIONS) for (const v of filters.values[d]) out.append(d, v);
	return out;
}

/** The query string of GET /api/v1/stream: the preset and the dimension filters (the server tracks "now"). */
export function streamParams(filters: Filters): URLSearchParams {
	const out = new URLSearchParams();
	if (filters.range !== 'custom') out.set('range', filters.range);
	for (const d of FILTER_DIMENSIONS) for (const v of filters.values[d]) out.append(d, v);
	return out;
}

/** The live stream of a filter state, or null when its period does not end now (no new data would come). */
export function liveStreamUrl(filters: Filters, period: Pick<Period, 'live'>): string | null {
	return period.live ? `/api/v1/stream?${streamParams(filters)}` : null;
}

/** The custom period as the date inputs show it: first and last day, both inclusive (China time). */
export function inclusiveDates(period: Pick<Period, 'from' | 'to'>): { first: string; last: string } {
	return { first: chinaDate(period.from), last: chinaDate(period.to - 1) };
}

/** Date inputs (first and last day, inclusive) → the custom filter's `from`/`to` (to exclusive, as the API). */
export function customRange(first: string, last: string): { from: string; to: string } | null {
	if (!DATE_ONLY.test(first) || !DATE_ONLY.test(last)) return null;
	const start = parseInstant(first);
	const end = parseInstant(last);
	if (start === null || end === null || end < start) return null;
	return { from: first, to: chinaDate(end + DAY_MS) };
}

/** Whether any dimension filter is set (for a "clear" button and summaries). */
export function hasDimensionFilters(filters: Filters): boolean {
	return FILTER_DIMENSIONS.some((d) => filters.values[d].length > 0);
}
