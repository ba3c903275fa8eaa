import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { scopedCxQuery } from '$lib/server/auth/cx-query';
import * as cases from '$lib/server/cases';

/**
 * GET /api/v1/cases/kpis?from=&to=&team= → {"followUpRate","withinSlaRate","recoveryRate"} each {value, n, ci95, x}
 * (percentages, Wilson 95% intervals, null below n = 30), "recovery" {windowDays, followedUp, notFollowedUp (each
 * {value, n, ci95, x, pending, noAnswer}), difference {value, ci95} (points, Newcombe) or null}, plus case counts;
 * for cases opened in [from, to) (default: the last 30 days).
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const params = new URLSearchParams(url.searchParams);
	const now = Date.now();
	if (!params.has('from')) params.set('from', new Date(now - 30 * 86_400_000).toISOString());
	const asked = scopedCxQuery(locals, params, now);
	if ('refused' in asked) return asked.refused;
	return json(await cases.caseKpis(storage(), asked.query, now), {
		headers: { 'cache-control': 'no-store' }
	});
};
