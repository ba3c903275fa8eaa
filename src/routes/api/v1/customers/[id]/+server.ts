import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { actorOf, clientIp } from '$lib/server/auth/request';
import { scopeOf } from '$lib/server/auth/scope';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';
import { deleteCustomer } from '$lib/server/privacy';

/**
 * GET /api/v1/customers/<id>?limit= → the customer's timeline: every event in time order with the journeys it
 * belongs to (`lanes`), and the journeys. A manager does not see contacts and answers of other teams.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const user = requireUser(locals);
	const limit = journeys.intParam(url.searchParams, 'limit', 2000, 10_000);
	if (!limit.ok) return journeys.badParameter(limit.error);
	const timeline = await journeys.customerTimeline(storage(), params.id, {
		teams: scopeOf(user).teams,
		limit: limit.value
	});
	if (!timeline) return apiError(404, `No customer "${params.id}"`, 'not_found', { parameter: 'id' });
	return json(timeline);
};

/**
 * DELETE /api/v1/customers/<id> (admin) → {"customerId","removed":{"<table>":rows},"total"}: the customer's personal
 * data deleted (PIPL); aggregates stay. Idempotent: again, it answers 200 with zero rows.
 */
export const DELETE: RequestHandler = async (event) => {
	const user = requireRole(event.locals, 'admin');
	const id = event.params.id.trim();
	if (!id || id.length > 200)
		return apiError(400, 'id: a customer id of 1 to 200 characters', 'invalid_id', { parameter: 'id' });
	const { removed, total } = await deleteCustomer(storage(), id, actorOf(user), { ip: clientIp(event) });
	return json({ customerId: id, removed, total });
};
