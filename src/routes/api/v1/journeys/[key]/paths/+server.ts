import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/**
 * GET /api/v1/journeys/<key>/paths?from=&to=&segment=&channel=&top=&depth= → the path map: nodes keyed by
 * position (`2:phone:call_agent`), end nodes, an `other` bucket past the top N paths, links with value, share and
 * the NPS / CSAT of the journeys on them.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	requireUser(locals);
	const query = journeys.parseJourneyQuery(url.searchParams);
	if (!query.ok) return journeys.badParameter(query.error);
	const top = journeys.intParam(url.searchParams, 'top', 12, 50);
	if (!top.ok) return journeys.badParameter(top.error);
	const depth = journeys.intParam(url.searchParams, 'depth', 8, 20);
	if (!depth.ok) return journeys.badParameter(depth.error);
	const db = storage();
	const found = await journeys.journeyOrResponse(db, params.key);
	if (found instanceof Response) return found;
	return json(
		await journeys.pathMap(db, found.definition, query.value, { top: top.value, maxDepth: depth.value })
	);
};
