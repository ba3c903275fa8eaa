import type { RequestHandler } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { RECHECK_INTERVAL_MS, recheckKeyOf, recheckOf } from '$lib/server/auth/recheck';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as dashboards from '$lib/server/dashboards';
import { filterKey, liveHub } from '$lib/server/live/hub';
import { sseResponse } from '$lib/server/live/stream';

/**
 * GET /api/v1/stream?range=today|7d|30d|90d&channel=&segment=&team=&journey=&region= — Server-Sent Events:
 * `event: kpis` (the wallboard snapshot, ≈ 100 ms after a commit that changes the view's numbers, at most five a
 * second per view),
 * `event: alert` (from the alerts module) and `event: ping` every 15 s. Scoped like every read: a manager's stream
 * covers their teams, and naming another team is 403. The caller is re-checked every few seconds (recheck.ts).
 */
export const GET: RequestHandler = ({ locals, url }) => {
	const user = requireUser(locals);
	const scope = scopeOf(user);
	const parsed = dashboards.parseStreamParams(url.searchParams);
	if (!parsed.ok) return apiError(400, parsed.message, 'invalid_parameter', { parameter: parsed.parameter });
	restrictTeams(scope, parsed.teams);
	const hub = liveHub();
	const key = filterKey(scope, parsed.params);
	// Closed within seconds of sign-out, disable, revoke or a change of role or teams (the client reconnects).
	return sseResponse((send) => hub.subscribe(key, send), {
		recheck: recheckOf(storage(), locals),
		recheckMs: RECHECK_INTERVAL_MS,
		// A wall of screens on one session or key asks once per interval, not once per screen.
		recheckKey: recheckKeyOf(locals)
	});
};
