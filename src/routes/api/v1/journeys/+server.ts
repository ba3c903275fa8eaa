import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { clientIp } from '$lib/server/auth/request';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/** GET /api/v1/journeys: the journey definitions (`?all=1`: with disabled ones, admins only). */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	const all = url.searchParams.get('all') === '1';
	if (all && user.role !== 'admin')
		return apiError(403, 'all: only admins see disabled journeys', 'forbidden');
	return json({
		journeys: (await journeys.listJourneys(storage(), { includeDisabled: all })).map(journeys.journeyJson)
	});
};

/** POST /api/v1/journeys: create a definition (admin); its journeys are stitched in the background. */
export const POST: RequestHandler = async (event) => {
	const { locals, request } = event;
	const admin = requireRole(locals, 'admin');
	const body: unknown = await request.json().catch(() => undefined);
	if (body === undefined) return apiError(400, 'body: not valid JSON', 'invalid_body');
	const db = storage();
	try {
		const saved = await journeys.saveJourney(db, body as journeys.JourneyDefinitionInput, admin.email, {
			create: true,
			audit: { actor: { id: admin.id, email: admin.email }, ip: clientIp(event) }
		});
		void journeys.restitchInBackground(db, { journeys: [saved.definition.key] });
		return json({ journey: journeys.journeyJson(saved) }, { status: 201 });
	} catch (error) {
		return journeys.validationResponse(error);
	}
};
