import { error } from '@sveltejs/kit';
import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import * as dashboards from '$lib/server/dashboards';
import * as journeys from '$lib/server/journeys';
import * as metrics from '$lib/server/metrics';
import { customerOpenCase } from '$lib/server/cases';
import { customerRiskView } from '$lib/server/risk';
import type { EmbedContext } from './guard';

/**
 * The data of each embed view, read only through the context's effective parameters and scope (guard.ts), so
 * every query of a view carries the token's locked filters. The page loads are thin wrappers around these.
 */

export class EmbedViewError extends Error {
	constructor(
		readonly status: 400 | 404,
		message: string
	) {
		super(message);
	}
}

/** Runs a view's reader, answering its refusals as SvelteKit errors (400, 404). */
export async function viewOrError<T>(read: () => T | Promise<T>): Promise<T> {
	try {
		return await read();
	} catch (e) {
		if (e instanceof EmbedViewError)
			error(e.status, { code: e.status === 404 ? 'not_found' : 'invalid_parameter', message: e.message });
		throw e;
	}
}

function dashboardQuery(ctx: EmbedContext, now: number) {
	const q = dashboards.dashboardQuery(ctx.params, ctx.scope, now, 'today');
	if (!q.ok) throw new EmbedViewError(400, q.message);
	return q;
}

/** Embed-safe presentation of the token, for the page (never the secret, never other integrations). */
export function presentation(ctx: EmbedContext) {
	return {
		origins: ctx.integration.origins,
		locale: ctx.claims.locale,
		theme: ctx.claims.theme,
		expiresAt: ctx.claims.exp * 1000
	};
}

/** Alerts are center-wide or per team: an embed shows them only when the team is its only locked dimension. */
function alertsAllowed(ctx: EmbedContext): boolean {
	return Object.keys(ctx.claims.filters).every(
		(f) => f === 'team' || f === 'range' || f === 'from' || f === 'to'
	);
}

/** The wallboard (and the kpis tiles) of the token's scoped query; TV mode's alerts only where alertsAllowed. */
export async function wallboardView(
	db: Db | Storage,
	ctx: EmbedContext,
	tv: { rotate: number } | null,
	now = Date.now()
) {
	const q = dashboardQuery(ctx, now);
	return dashboards.wallboardView(
		db,
		q,
		tv ? { rotate: tv.rotate, alerts: alertsAllowed(ctx) ? ctx.scope : null } : null,
		now
	);
}

export const TREND_VIEW_KPIS = ['cx_index', 'csat', 'nps', 'fcr', 'ces'] as const;

/** One KPI by day over the period (res.key names the KPI; cx_index by default). */
export async function trendView(db: Db | Storage, ctx: EmbedContext, now = Date.now()) {
	const kpi = (ctx.claims.res.key ?? 'cx_index') as metrics.KpiKey;
	if (!(kpi in metrics.KPIS)) throw new EmbedViewError(400, `res.key: ${kpi} is not a KPI`);
	const q = dashboardQuery(ctx, now);
	const seq = await dashboards.lastSeq(db);
	const daily = await metrics.kpis(db, {
		...q.query,
		by: 'day',
		grain: null,
		compare: null,
		standardise: false
	});
	const total = (await metrics.kpis(db, { ...q.query, by: null, grain: null })).rows[0].kpis[kpi];
	const def = metrics.KPIS[kpi];
	return {
		now,
		filters: q.filters,
		period: q.period,
		seq,
		kpi,
		label: def.label,
		unit: def.unit,
		target: total.target,
		total: { value: total.value, n: total.n, ci95: total.ci95 },
		points: daily.rows.map((r) => ({
			bucket: r.group ?? '',
			value: r.kpis[kpi].value,
			n: r.kpis[kpi].n,
			ci95: r.kpis[kpi].ci95
		}))
	};
}

function journeyQuery(ctx: EmbedContext, now: number) {
	const q = journeys.parseJourneyQuery(ctx.params, now);
	if (!q.ok) throw new EmbedViewError(400, q.error.message);
	return q.value;
}

/** A journey's funnel or path map (res.key names the journey), scoped to the locked teams. */
export async function journeyView(db: Db | Storage, ctx: EmbedContext, now = Date.now()) {
	const record = await journeys.getJourney(db, ctx.claims.res.key ?? '');
	if (!record) throw new EmbedViewError(404, `No journey "${ctx.claims.res.key}"`);
	const query = journeyQuery(ctx, now);
	// Read first: every event up to this one is in the view (a live embed reloads when a later one is committed).
	const seq = await dashboards.lastSeq(db);
	const detail = await journeys.journeyDetail(db, record.definition, query, { teams: ctx.scope.teams, now });
	return {
		now,
		definition: record.definition,
		query,
		seq,
		live: query.to >= now,
		minN: journeys.MIN_N,
		funnel: detail.funnel,
		pathMap: detail.pathMap
	};
}

/**
 * The agent-desktop card of one customer: recent journeys and where they stalled, last scores, recent texts with
 * sentiment, the open follow-up case, the complaint risk (with the model's held-out AUC). Contacts and answers about teams outside the locked teams are left out.
 */
export async function customerView(db: Db | Storage, ctx: EmbedContext, now = Date.now()) {
	const id = ctx.claims.res.key ?? '';
	const timeline = await journeys.customerTimeline(db, id, { teams: ctx.scope.teams, limit: 200, now });
	if (!timeline) throw new EmbedViewError(404, 'No such customer');
	const events = timeline.events;
	const lanes = [...timeline.lanes].sort((a, b) => b.lastEventAt - a.lastEventAt).slice(0, 5);
	const scores = events
		.filter((e) => e.type === 'feedback' && e.metric && e.score !== null)
		.slice(0, 5)
		.map((e) => ({ ts: e.ts, metric: e.metric, score: e.score, channel: e.channel }));
	const texts = events
		.filter((e) => e.text)
		.slice(0, 5)
		.map((e) => ({ ts: e.ts, type: e.type, channel: e.channel, text: e.text, sentiment: e.sentiment }));
	const openCase = await customerOpenCase(db, id, ctx.scope.teams);
	// The complaint risk with its reasons and the model's held-out AUC (null when no model: nothing shown).
	const risk = await customerRiskView(db, id, ctx.scope.teams);
	return {
		customer: timeline.customer,
		risk,
		lanes,
		scores,
		texts,
		hidden: timeline.hidden,
		openCase: openCase
			? {
					id: openCase.id,
					reason: openCase.reason,
					status: openCase.status,
					openedAt: openCase.openedAt,
					dueAt: openCase.dueAt,
					overdue: openCase.dueAt < now
				}
			: null
	};
}

/** The KPI table of the view's scoped query as CSV (the embed export). */
export async function kpisCsv(db: Db | Storage, ctx: EmbedContext, now = Date.now()): Promise<string> {
	const q = dashboardQuery(ctx, now);
	const row = (await metrics.kpis(db, { ...q.query, by: null, grain: null })).rows[0];
	const lines = [['kpi', 'value', 'n', 'ci95_low', 'ci95_high', 'from', 'to', 'filters'].join(',')];
	const filters = ctx.params.toString();
	for (const [key, r] of Object.entries(row.kpis))
		lines.push(
			[
				key,
				r.value ?? '',
				r.n,
				r.ci95?.[0] ?? '',
				r.ci95?.[1] ?? '',
				new Date(q.query.from).toISOString(),
				new Date(q.query.to).toISOString(),
				`"${filters.replace(/"/g, '""')}"`
			].join(',')
		);
	return lines.join('\n') + '\n';
}
