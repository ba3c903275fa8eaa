import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { clientIp } from '$lib/server/auth/request';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/** GET /api/v1/journeys/<key>: one definition. */
export const GET: RequestHandler = async ({ locals, params }) => {
	requireUser(locals);
	const found = await journeys.journeyOrResponse(storage(), params.key);
	return found instanceof Response ? found : json({ journey: journeys.journeyJson(found) });
};

/** PUT /api/v1/journeys/<key>: replace a definition (admin); its instances are re-stitched in the background. */
export const PUT: RequestHandler = async (event) => {
	const { locals, params, request } = event;
	const admin = requireRole(locals, 'admin');
	const body: unknown = await request.json().catch(() => undefined);
	if (!body || typeof body !== 'object') return apiError(400, 'body: not a JSON object', 'invalid_body');
	const db = storage();
	try {
		const input = { ...(body as journeys.JourneyDefinitionInput), key: params.key };
		const saved = await journeys.saveJourney(db, input, admin.email, {
			create: false,
			audit: { actor: { id: admin.id, email: admin.email }, ip: clientIp(event) }
		});
		void journeys.restitchInBackground(db, { journeys: [saved.definition.key] });
		return json({ journey: journeys.journeyJson(saved) });
	} catch (error) {
		return journeys.validationResponse(error);
	}
};
