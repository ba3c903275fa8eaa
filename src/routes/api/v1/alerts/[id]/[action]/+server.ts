import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import * as alerts from '$lib/server/alerts';
import { apiAlert, errorResponse, idParam } from '$lib/server/alerts/http';

const Body = z
	.object({
		/** snooze: minutes (default 60, at most a week). */
		minutes: z
			.number()
			.int()
			.min(5)
			.max(7 * 1440)
			.optional(),
		note: z.string().trim().max(1000).optional()
	})
	.strict();

/**
 * POST /api/v1/alerts/<id>/acknowledge | resolve | snooze with an optional {"minutes","note"} → the alert.
 * Managers (their teams' alerts) and admins.
 */
export const POST: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, 'admin', 'manager');
	const id = idParam(params.id);
	if (id === null) return apiError(404, `No alert ${params.id}`);
	const action = z.enum(alerts.ALERT_ACTIONS).safeParse(params.action);
	if (!action.success) return apiError(404, `action: one of ${alerts.ALERT_ACTIONS.join(', ')}`);
	const text = await request.text();
	let raw: unknown;
	try {
		raw = text.trim() ? JSON.parse(text) : {};
	} catch {
		return apiError(400, '(body): not valid JSON', 'invalid_json');
	}
	const body = Body.safeParse(raw);
	if (!body.success) {
		const { message, details } = alerts.describeIssues(body.error);
		return apiError(400, message, 'invalid_parameter', details);
	}
	try {
		const change = await alerts.act(
			storage(),
			id,
			{ action: action.data, ...body.data },
			{ email: user.email, scope: scopeOf(user) }
		);
		return json(apiAlert(change.alert));
	} catch (error) {
		return errorResponse(error);
	}
};
