import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole } from '$lib/server/auth/guard';
import { clientIp } from '$lib/server/auth/request';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/** GET /api/v1/journeys/event-names[?unmapped=1]: journey event names seen at ingest by volume (admin). */
export const GET: RequestHandler = async ({ locals, url }) => {
	requireRole(locals, 'admin');
	const unmappedOnly = url.searchParams.get('unmapped') === '1';
	return json({
		names: await journeys.eventNameVolumes(storage(), { unmappedOnly, limit: 500 }),
		mappings: await journeys.listMappings(storage())
	});
};

const Mapping = z.object({
	eventName: z.string().trim().min(1).max(200),
	journeyKey: z.string().trim().min(1).max(48),
	stepEvent: z.string().trim().min(1).max(100)
});

/** POST /api/v1/journeys/event-names {eventName, journeyKey, stepEvent}: map a name to a step (admin). */
export const POST: RequestHandler = async (event) => {
	const { locals, request } = event;
	const admin = requireRole(locals, 'admin');
	const parsed = Mapping.safeParse(await request.json().catch(() => undefined));
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const parameter = String(issue?.path[0] ?? 'body');
		return apiError(400, `${parameter}: ${issue?.message ?? 'invalid'}`, 'invalid_parameter', { parameter });
	}
	const db = storage();
	try {
		await journeys.mapEventName(db, parsed.data, admin.email, Date.now(), {
			actor: { id: admin.id, email: admin.email },
			ip: clientIp(event)
		});
		void journeys.restitchInBackground(db, { journeys: [parsed.data.journeyKey] });
		return json({ mapping: parsed.data }, { status: 201 });
	} catch (error) {
		return journeys.validationResponse(error);
	}
};

/** DELETE /api/v1/journeys/event-names?eventName=&journeyKey=: remove a mapping (admin). */
export const DELETE: RequestHandler = async (event) => {
	const { locals, url } = event;
	const admin = requireRole(locals, 'admin');
	const eventName = url.searchParams.get('eventName') ?? '';
	const journeyKey = url.searchParams.get('journeyKey') ?? '';
	if (!eventName) return journeys.badParameter({ param: 'eventName', message: 'eventName: required' });
	if (!journeyKey) return journeys.badParameter({ param: 'journeyKey', message: 'journeyKey: required' });
	const db = storage();
	if (
		!(await journeys.unmapEventName(db, eventName, journeyKey, {
			actor: { id: admin.id, email: admin.email },
			ip: clientIp(event)
		}))
	)
		return apiError(404, `No mapping of ${eventName} in ${journeyKey}`, 'not_found');
	void journeys.restitchInBackground(db, { journeys: [journeyKey] });
	return new Response(null, { status: 204 });
};
