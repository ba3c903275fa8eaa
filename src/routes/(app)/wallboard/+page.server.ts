import { error } from '@sveltejs/kit';
import { z } from 'zod';
import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as dashboards from '$lib/server/dashboards';
import { FILTER_PARAMS, pickParams } from '$lib/components/filters/filter-state';

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
	const view = await dashboards.wallboardView(
		db,
		q,
		tv.data.tv === '1' ? { rotate: tv.data.rotate, alerts: scope } : null,
		now
	);
	return { ...view, options: view.tv ? null : await dashboards.filterOptions(db, scope) };
};
