import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import * as outreach from '$lib/server/outreach';
import { audienceErrorResponse, audienceId } from '$lib/server/outreach/http';

/** GET /api/v1/audiences/<id> → {"id","name","createdAt","members","treatment","holdout",…}. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireRole(locals, 'admin', 'manager', 'executive');
	const id = audienceId(params.id);
	if (id === null) return apiError(404, `No audience ${params.id}`);
	try {
		return json(await outreach.getAudience(storage(), id, scopeOf(user)));
	} catch (error) {
		return audienceErrorResponse(error);
	}
};
