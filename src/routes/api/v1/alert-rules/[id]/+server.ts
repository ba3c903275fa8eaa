import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import * as alerts from '$lib/server/alerts';
import { errorResponse, idParam, readJson, ruleActor } from '$lib/server/alerts/http';

/** GET /api/v1/alert-rules/<id> → the rule. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireUser(locals);
	const id = idParam(params.id);
	const rule = id === null ? undefined : await alerts.getRule(storage(), id);
	if (!rule) return apiError(404, `No alert rule ${params.id}`);
	return json(alerts.publicRule(rule, user));
};

/** PATCH /api/v1/alert-rules/<id> with any fields of the rule (`webhook: null` removes the webhook); audited. */
export const PATCH: RequestHandler = async (event) => {
	const user = requireRole(event.locals, 'admin', 'manager');
	const id = idParam(event.params.id);
	if (id === null) return apiError(404, `No alert rule ${event.params.id}`);
	const body = await readJson(event.request);
	if (!body.ok) return body.response;
	try {
		const { rule, generatedSecret } = await alerts.changeRule(
			storage(),
			id,
			body.body,
			ruleActor(user, event)
		);
		return json({
			...alerts.publicRule(rule, user),
			...(generatedSecret ? { webhookSecret: generatedSecret } : {})
		});
	} catch (error) {
		return errorResponse(error);
	}
};

/** DELETE /api/v1/alert-rules/<id> → 204; its open alerts are resolved and stay listed; audited. */
export const DELETE: RequestHandler = async (event) => {
	const user = requireRole(event.locals, 'admin', 'manager');
	const id = idParam(event.params.id);
	if (id === null) return apiError(404, `No alert rule ${event.params.id}`);
	try {
		await alerts.removeRule(storage(), id, ruleActor(user, event));
		return new Response(null, { status: 204 });
	} catch (error) {
		return errorResponse(error);
	}
};
