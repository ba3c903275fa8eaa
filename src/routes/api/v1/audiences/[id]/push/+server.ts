import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole } from '$lib/server/auth/guard';
import { readJson } from '$lib/server/alerts/http';
import * as outreach from '$lib/server/outreach';
import { audienceActor, audienceErrorResponse, audienceId } from '$lib/server/outreach/http';

/**
 * POST /api/v1/audiences/<id>/push {"url","secret"} → {"status","delivered","customers","error"}: the treatment
 * list sent once as a signed webhook (`X-Resonance-Signature: sha256=<HMAC-SHA256 of the body>`); audited.
 */
export const POST: RequestHandler = async (event) => {
	const user = requireRole(event.locals, 'admin', 'manager');
	const id = audienceId(event.params.id);
	if (id === null) return apiError(404, `No audience ${event.params.id}`);
	const body = await readJson(event.request);
	if (!body.ok) return body.response;
	try {
		return json(await outreach.pushAudience(storage(), id, body.body, audienceActor(user, event)));
	} catch (error) {
		return audienceErrorResponse(error);
	}
};
