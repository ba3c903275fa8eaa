import { error } from '@sveltejs/kit';
import { z } from 'zod';
import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as dashboards from '$lib/server/dashboards';
import * as metrics from '$lib/server/metrics';
import { FILTER_PARAMS, pickParams } from '$lib/components/filters/filter-state';

const View = z.object({
	by: z.enum(['day', 'week']).default('day'),
	kpi: z.enum(dashboards.TREND_KPIS).default('csat'),
	control: z.enum(dashboards.CONTROL_KPIS).default('csat')
});

/**
 * The manager's trends: CSAT, NPS and FCR by day or week, a p-chart, teams and agents (marked only where the
 * difference is significant) and detractor comments, all limited to the caller's teams. `by` is the trend grain,
 * `kpi` the agent table's KPI, `control` the p-chart's rate; the filters are the filter bar's (default 30 days).
 */
export const load: PageServerLoad = async ({ locals, url, depends }) => {
	const user = requireUser(locals);
	depends('app:trends');
	const view = View.safeParse({
		by: url.searchParams.get('by') || undefined,
		kpi: url.searchParams.get('kpi') || undefined,
		control: url.searchParams.get('control') || undefined
	});
	if (!view.success) {
		const issue = view.error.issues[0];
		error(400, { code: 'invalid_parameter', message: `${String(issue.path[0])}: ${issue.message}` });
	}
	const scope = scopeOf(user);
	const now = Date.now();
	const q = dashboards.dashboardQuery(pickParams(url.searchParams, FILTER_PARAMS), scope, now, '30d');
	if (!q.ok) error(400, { code: 'invalid_parameter', message: q.message });
	restrictTeams(scope, q.filters.values.team);
	const db = storage();
	const { by, kpi, control } = view.data;
	const labels = Object.fromEntries(
		dashboards.TREND_KPIS.map((k) => [
			k,
			{ label: metrics.KPIS[k].label, description: metrics.KPIS[k].description }
		])
	);
	const comments = await dashboards.listEvents(
		db,
		{
			customerId: null,
			types: [],
			kpi: null,
			from: q.query.from,
			to: q.query.to,
			filters: q.query.filters,
			detractor: true,
			hasText: true,
			limit: 8,
			cursor: null,
			format: 'json'
		},
		scope
	);
	return {
		now,
		view: view.data,
		filters: q.filters,
		period: q.period,
		scoped: scope.teams !== null,
		labels,
		satisfaction: await dashboards.satisfaction(db, q.query, by),
		control: await dashboards.controlChart(db, q.query, control, by),
		teams: await dashboards.teamTable(db, q.query),
		agents: await dashboards.agentTable(db, q.query, kpi),
		comments,
		options: await dashboards.filterOptions(db, scope)
	};
};
