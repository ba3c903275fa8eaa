import {
	API_DIMENSIONS,
	DRILL_PARAMS,
	FILTER_DIMENSIONS,
	periodOf,
	type ApiDimension,
	type Filters,
	type RangePreset
} from '$lib/components/filters/filter-state';

/**
 * A drill-down as URL state: what was clicked (a tile, a chart point, a table row) names the records behind it.
 * `?drill=<kpi>` opens the records a KPI counts (e.g. the CSAT answers), narrowed by `drillFrom`/`drillTo` (a time
 * bucket) and `drill<Dimension>` (a group such as one agent), on top of the view's own filters. Loads never read
 * these parameters, so opening a drill-down does not recompute the page, and the link can be shared.
 */
export interface DrillSpec {
	/** A KPI key (its records), or null for every record of the view. */
	kpi: string | null;
	/** Only detractor answers with a comment (NPS 0–6, CSAT 1–2). */
	detractor: boolean;
	/** A sub-period (epoch ms), or null for the view's period. */
	from: number | null;
	to: number | null;
	/** One value per dimension, overriding the view's filter of that dimension. */
	dims: Partial<Record<ApiDimension, string>>;
	/** What was clicked, for the panel's title. */
	label: string | null;
}

const dimParam = (d: ApiDimension) => `drill${d[0].toUpperCase()}${d.slice(1)}`;

function instant(value: string | null): number | null {
	if (!value) return null;
	const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
	return Number.isFinite(ms) ? ms : null;
}

export function readDrill(params: URLSearchParams): DrillSpec | null {
	const drill = params.get('drill');
	if (!drill) return null;
	const dims: DrillSpec['dims'] = {};
	for (const d of API_DIMENSIONS) {
		const v = params.get(dimParam(d));
		if (v) dims[d] = v;
	}
	return {
		kpi: drill === 'all' ? null : drill,
		detractor: params.get('drillDetractor') === '1',
		from: instant(params.get('drillFrom')),
		to: instant(params.get('drillTo')),
		dims,
		label: params.get('drillLabel')
	};
}

/** The page's parameters with this drill-down open (any previous one replaced). */
export function withDrill(base: URLSearchParams, spec: DrillSpec): URLSearchParams {
	const out = withoutDrill(base);
	out.set('drill', spec.kpi ?? 'all');
	if (spec.detractor) out.set('drillDetractor', '1');
	if (spec.from !== null) out.set('drillFrom', new Date(spec.from).toISOString());
	if (spec.to !== null) out.set('drillTo', new Date(spec.to).toISOString());
	for (const d of API_DIMENSIONS) {
		const v = spec.dims[d];
		if (v) out.set(dimParam(d), v);
	}
	if (spec.label) out.set('drillLabel', spec.label);
	return out;
}

export function withoutDrill(base: URLSearchParams): URLSearchParams {
	const out = new URLSearchParams();
	for (const [name, value] of base) if (!DRILL_PARAMS.includes(name)) out.append(name, value);
	return out;
}

/** The URL of GET /api/v1/events for a page of a drill-down (cursor) or its CSV export. */
export function eventsUrl(
	query: URLSearchParams | string,
	options: { cursor?: string | null; csv?: boolean } = {}
): string {
	const out = new URLSearchParams(query);
	if (options.cursor) out.set('cursor', options.cursor);
	if (options.csv) {
		out.set('limit', '10000');
		out.set('format', 'csv');
	}
	return `/api/v1/events?${out}`;
}

/** A drill spec with defaults filled in. */
export function drillSpec(partial: Partial<DrillSpec>): DrillSpec {
	return { kpi: null, detractor: false, from: null, to: null, dims: {}, label: null, ...partial };
}

/**
 * The query of GET /api/v1/events behind a drill-down: the view's period and filters, narrowed by the drill
 * (its sub-period, its group values and the KPI whose records it shows).
 */
export function drillEventsParams(
	spec: DrillSpec,
	filters: Filters,
	now: number,
	defaultRange: RangePreset,
	limit = 50
): URLSearchParams {
	const period = periodOf(filters, now, defaultRange);
	const out = new URLSearchParams();
	if (spec.kpi) out.set('kpi', spec.kpi);
	if (spec.detractor) {
		out.set('detractor', '1');
		out.set('hasText', '1');
	}
	out.set('from', new Date(spec.from ?? period.from).toISOString());
	out.set('to', new Date(spec.to ?? period.to).toISOString());
	for (const d of API_DIMENSIONS) {
		const own = spec.dims[d];
		if (own) out.set(d, own);
		else if ((FILTER_DIMENSIONS as readonly string[]).includes(d))
			for (const v of filters.values[d as (typeof FILTER_DIMENSIONS)[number]]) out.append(d, v);
	}
	out.set('limit', String(limit));
	return out;
}
