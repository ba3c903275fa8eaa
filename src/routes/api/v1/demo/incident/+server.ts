import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole } from '$lib/server/auth/guard';
import { incidentState, setIncident } from '$lib/server/alerts/incident';
import { readJson } from '$lib/server/alerts/http';
import { storage } from '$lib/server/db';

/** GET /api/v1/demo/incident → {"enabled","running","incident","since","by","phase"}: the live simulator’s outage switch, the same on every server process (admins). */
export const GET: RequestHandler = async ({ locals }) => {
	requireRole(locals, 'admin');
	return json(await incidentState(storage()));
};

const Body = z.object({ on: z.boolean() }).strict();

/** POST /api/v1/demo/incident {"on": true|false}: plants (or ends) an outage in the live demo (admins). */
export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireRole(locals, 'admin');
	const body = await readJson(request);
	if (!body.ok) return body.response;
	const parsed = Body.safeParse(body.body);
	if (!parsed.success) return apiError(400, 'on: expected true or false', 'invalid_parameter');
	const state = await setIncident(storage(), parsed.data.on, user.email);
	if (!state) return apiError(409, 'The live demo simulator is not running', 'demo_not_running');
	return json(state);
};
