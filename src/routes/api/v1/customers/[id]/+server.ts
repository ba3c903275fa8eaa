import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiError } from '$lib/server/auth/api-error';
import { requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { database } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/**
 * GET /api/v1/customers/<id>?limit= → the customer's timeline: every event in time order with the journeys it
 * belongs to (`lanes`), and the journeys. A manager does not see contacts and answers of other teams.
 */
export const GET: RequestHandler = ({ locals, params, url }) => {
	const user = requireUser(locals);
	const limit = journeys.intParam(url.searchParams, 'limit', 2000, 10_000);
	if (!limit.ok) return journeys.badParameter(limit.error);
	const timeline = journeys.customerTimeline(database(), params.id, {
		teams: scopeOf(user).teams,
		limit: limit.value
	});
	if (!timeline) return apiError(404, `No customer "${params.id}"`, 'not_found', { parameter: 'id' });
	return json(timeline);
};
