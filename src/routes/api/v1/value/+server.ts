import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as metrics from '$lib/server/metrics';
import * as value from '$lib/server/value';

/**
 * GET /api/v1/value?from=&to=&channel=&team=&agent=&segment=&journey=&region=&reason= → the value ledger
 * (DESIGN.md): {"costs":{"byChannel":[…],"outbound","total"},"savings","failureDemand","valueCreated","net",
 * "waterfall","trend","inputs"}, each figure with its formula and inputs. A manager sees only their teams.
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	const scope = scopeOf(user);
	const parsed = metrics.parseCxQuery(url.searchParams, scope);
	if (!parsed.ok)
		return apiError(400, parsed.error.message, 'invalid_parameter', { parameter: parsed.error.parameter });
	restrictTeams(scope, parsed.query.filters.team);
	return json(await value.valueLedger(storage(), parsed.query), { headers: { 'cache-control': 'no-store' } });
};
