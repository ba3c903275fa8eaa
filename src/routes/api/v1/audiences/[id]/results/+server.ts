import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import * as outreach from '$lib/server/outreach';
import { audienceErrorResponse, audienceId } from '$lib/server/outreach/http';

/**
 * GET /api/v1/audiences/<id>/results → {"treatment":{"n","converted","rate"},"holdout":{…},"lift","lift95","p",
 * "final","reach","overTime"} (rates and lift in percentage points; `final` false until the window has passed).
 */
export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireRole(locals, 'admin', 'manager', 'executive');
	const id = audienceId(params.id);
	if (id === null) return apiError(404, `No audience ${params.id}`);
	try {
		const results = await outreach.audienceResults(storage(), id, scopeOf(user));
		return json(results, { headers: { 'cache-control': 'no-store' } });
	} catch (error) {
		return audienceErrorResponse(error);
	}
};
