import { error } from '@sveltejs/kit';
import { z } from 'zod';
import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as dashboards from '$lib/server/dashboards';
import { DAY_MS, FILTER_PARAMS, pickParams } from '$lib/components/filters/filter-state';

const Tv = z.object({
	tv: z.enum(['1', '0']).optional(),
	rotate: z.coerce.number().int().min(5).max(600).default(20)
});

/**
 * The executive wallboard: the same snapshot GET /api/v1/stream sends, computed for the first paint. `?tv=1`
 * adds TV mode's other pages (KPIs by channel, journeys, open alerts); `rotate` is its page interval in seconds.
 */
export const load: PageServerLoad = async ({ locals, url, depends }) => {
	const user = requireUser(locals);
	depends('app:wallboard');
	const tv = Tv.safeParse({
		tv: url.searchParams.get('tv') ?? undefined,
		rotate: url.searchParams.get('rotate') || undefined
	});
	if (!tv.success)
		error(400, { code: 'invalid_parameter', message: `rotate: ${tv.error.issues[0].message}` });
	const scope = scopeOf(user);
	const now = Date.now();
	const q = dashboards.dashboardQuery(pickParams(url.searchParams, FILTER_PARAMS), scope, now, 'today');
	if (!q.ok) error(400, { code: 'invalid_parameter', message: q.message });
	restrictTeams(scope, q.filters.values.team);
	const db = storage();
	const tvMode = tv.data.tv === '1';
	// Journeys take days to finish: TV mode shows those started in the last 7 days when the board shows today.
	const journeyPeriod =
		q.filters.range === 'today' ? { from: q.period.to - 7 * DAY_MS, to: q.period.to } : q.period;
	return {
		now,
		filters: q.filters,
		period: q.period,
		snapshot: await dashboards.wallboardSnapshot(db, q.query, q.filters.range, now),
		meta: dashboards.wallboardMeta(),
		options: tvMode ? null : await dashboards.filterOptions(db, scope),
		tv: tvMode
			? {
					rotate: tv.data.rotate,
					channels: await dashboards.channelBoard(db, q.query),
					journeys: await dashboards.journeyBoard(db, journeyPeriod, q.filters.values, now),
					journeyDays: Math.round((journeyPeriod.to - journeyPeriod.from) / DAY_MS),
					alerts: await dashboards.alertsBoard(db, scope)
				}
			: null
	};
};
