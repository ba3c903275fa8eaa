import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/**
 * GET /api/v1/journeys/<key>/customers?breakpoint=<id>&from=&to=&segment=&channel=&limit=&offset= → the
 * journeys behind a breakpoint (`drop:2`, `lost:2`, `transition:app:b>phone:contact`, `switch:b@app>phone`),
 * newest first; each customer opens at /customers/<id>.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const user = requireUser(locals);
	const query = journeys.parseJourneyQuery(url.searchParams);
	if (!query.ok) return journeys.badParameter(query.error);
	const limit = journeys.intParam(url.searchParams, 'limit', 50, 200);
	if (!limit.ok) return journeys.badParameter(limit.error);
	const offset = Number(url.searchParams.get('offset') ?? 0);
	if (!Number.isInteger(offset) || offset < 0 || offset > 1_000_000)
		return journeys.badParameter({ param: 'offset', message: 'offset: a whole number from 0' });
	const db = storage();
	const found = await journeys.journeyOrResponse(db, params.key);
	if (found instanceof Response) return found;
	const id = url.searchParams.get('breakpoint') ?? '';
	const selector = journeys.parseSelector(id, found.definition);
	if (!selector)
		return journeys.badParameter({
			param: 'breakpoint',
			message: 'breakpoint: drop:<n>, lost:<n>, transition:… or switch:…'
		});
	const page = await journeys.affectedJourneys(db, params.key, query.value, selector, {
		limit: limit.value,
		offset,
		// A manager sees the customers their teams served, as on the timeline.
		teams: scopeOf(user).teams
	});
	return json({ journey: params.key, breakpoint: id, ...page });
};
