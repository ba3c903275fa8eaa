import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/**
 * GET /api/v1/journeys/<key>/breakpoints?from=&to=&segment=&channel=&limit= → service breakpoints ranked by
 * journeys lost × score gap, each with its evidence (affected, lost, gap with both n).
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	requireUser(locals);
	const query = journeys.parseJourneyQuery(url.searchParams);
	if (!query.ok) return journeys.badParameter(query.error);
	const limit = journeys.intParam(url.searchParams, 'limit', 10, 100);
	if (!limit.ok) return journeys.badParameter(limit.error);
	const db = storage();
	const found = await journeys.journeyOrResponse(db, params.key);
	if (found instanceof Response) return found;
	return json(await journeys.breakpoints(db, found.definition, query.value, { limit: limit.value }));
};
