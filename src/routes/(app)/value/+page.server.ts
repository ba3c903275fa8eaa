import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as dashboards from '$lib/server/dashboards';
import * as value from '$lib/server/value';
import { FILTER_PARAMS, pickParams } from '$lib/components/filters/filter-state';
import { chinaMidnight } from '$lib/server/metrics/time';

/**
 * The value ledger (executives and admins): the filter bar's period and filters (default 30 days). `?tv=1` is the
 * ledger's wall screen: this China month so far, whatever the filters, refreshed every minute.
 */
export const load: PageServerLoad = async ({ locals, url, depends }) => {
	const user = requireRole(locals, 'admin', 'executive');
	depends('app:value');
	const scope = scopeOf(user);
	const now = Date.now();
	const db = storage();
	if (url.searchParams.get('tv') === '1') {
		const midnight = chinaMidnight(now);
		const d = new Date(midnight + 8 * 3_600_000);
		const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - 8 * 3_600_000;
		const ledger = await value.valueLedger(db, { from: monthStart, to: now, filters: {}, scope }, now);
		return { now, tv: true as const, ledger, filters: null, period: null, options: null };
	}
	const q = dashboards.dashboardQuery(pickParams(url.searchParams, FILTER_PARAMS), scope, now, '30d');
	if (!q.ok) error(400, { code: 'invalid_parameter', message: q.message });
	restrictTeams(scope, q.filters.values.team);
	return {
		now,
		tv: false as const,
		ledger: await value.valueLedger(db, q.query, now),
		filters: q.filters,
		period: q.period,
		options: await dashboards.filterOptions(db, scope)
	};
};
