import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { readJson } from '$lib/server/alerts/http';
import * as outreach from '$lib/server/outreach';
import { audienceActor, audienceErrorResponse } from '$lib/server/outreach/http';

/** GET /api/v1/audiences → {"audiences":[…]} newest first (a manager: those drawn from their teams). */
export const GET: RequestHandler = async ({ locals }) => {
	const user = requireRole(locals, 'admin', 'manager', 'executive');
	return json({ audiences: await outreach.listAudiences(storage(), scopeOf(user)) });
};

/**
 * POST /api/v1/audiences {"name","rule":{…},"holdoutPercent":10,"outcome":{"kind","days"},"teams"?} → 201 the
 * audience, its members frozen now. Managers (limited to their teams) and admins; audited.
 */
export const POST: RequestHandler = async (event) => {
	const user = requireRole(event.locals, 'admin', 'manager');
	const body = await readJson(event.request);
	if (!body.ok) return body.response;
	try {
		const audience = await outreach.createAudience(storage(), body.body, audienceActor(user, event));
		return json(audience, { status: 201, headers: { location: `/api/v1/audiences/${audience.id}` } });
	} catch (error) {
		return audienceErrorResponse(error);
	}
};
