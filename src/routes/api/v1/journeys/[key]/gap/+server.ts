import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/**
 * GET /api/v1/journeys/<key>/gap?from=&to=&segment=&channel= → touchpoint CSAT / NPS beside the journey-level
 * scores (a manager sees only the answers about their teams).
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const user = requireUser(locals);
	const query = journeys.parseJourneyQuery(url.searchParams);
	if (!query.ok) return journeys.badParameter(query.error);
	const db = storage();
	const found = await journeys.journeyOrResponse(db, params.key);
	if (found instanceof Response) return found;
	return json(await journeys.touchpointGap(db, params.key, query.value, { teams: scopeOf(user).teams }));
};
