import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireUser } from '$lib/server/auth/guard';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as metrics from '$lib/server/metrics';
import * as cases from '$lib/server/cases';

/**
 * GET /api/v1/cases/kpis?from=&to=&team= → {"followUpRate","withinSlaRate","recoveryRate"} each {value, n, ci95, x}
 * (percentages, Wilson 95% intervals, null below n = 30), "recovery" {windowDays, followedUp, notFollowedUp (each
 * {value, n, ci95, x, pending, noAnswer}), difference {value, ci95} (points, Newcombe) or null}, plus case counts;
 * for cases opened in [from, to) (default: the last 30 days).
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	const scope = scopeOf(user);
	const params = new URLSearchParams(url.searchParams);
	const now = Date.now();
	if (!params.has('from')) params.set('from', new Date(now - 30 * 86_400_000).toISOString());
	const parsed = metrics.parseCxQuery(params, scope, now);
	if (!parsed.ok)
		return apiError(400, parsed.error.message, 'invalid_parameter', { parameter: parsed.error.parameter });
	restrictTeams(scope, parsed.query.filters.team);
	return json(await cases.caseKpis(storage(), parsed.query, now), {
		headers: { 'cache-control': 'no-store' }
	});
};
