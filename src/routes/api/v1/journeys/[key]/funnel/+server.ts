import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/**
 * GET /api/v1/journeys/<key>/funnel?from=&to=&segment=&channel=&by=segment|channel → per step the customers
 * reaching it in order, conversions (percent) and the median / p90 seconds from the previous step.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	requireUser(locals);
	const query = journeys.parseJourneyQuery(url.searchParams);
	if (!query.ok) return journeys.badParameter(query.error);
	const by = journeys.enumParam(url.searchParams, 'by', ['segment', 'channel'] as const);
	if (!by.ok) return journeys.badParameter(by.error);
	const db = storage();
	const found = await journeys.journeyOrResponse(db, params.key);
	if (found instanceof Response) return found;
	return json(await journeys.funnel(db, found.definition, query.value, { by: by.value }));
};
