import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as metrics from '$lib/server/metrics';

/**
 * GET /api/v1/kpis?from=&to=&by=&grain=&channel=&team=&agent=&segment=&journey=&region=&reason=&compare=&standardise=
 * → {"from","to","by","rows":[{"group","kpis":{"<key>":{"value","n","ci95",…}}}],"path",…} (DESIGN.md).
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	const scope = scopeOf(user);
	const parsed = metrics.parseCxQuery(url.searchParams, scope);
	if (!parsed.ok)
		return apiError(400, parsed.error.message, 'invalid_parameter', { parameter: parsed.error.parameter });
	// A manager naming a team outside their teams gets 403, never a silently narrowed answer.
	restrictTeams(scope, parsed.query.filters.team);
	return json(await metrics.kpis(storage(), parsed.query), { headers: { 'cache-control': 'no-store' } });
};
