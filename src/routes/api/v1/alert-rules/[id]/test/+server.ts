import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole } from '$lib/server/auth/guard';
import * as alerts from '$lib/server/alerts';
import { idParam } from '$lib/server/alerts/http';

/**
 * POST /api/v1/alert-rules/<id>/test → 202: queues a test delivery to the rule's webhook (signed) and, with an SMTP
 * relay, its e-mail recipients (admins).
 */
export const POST: RequestHandler = async ({ locals, params }) => {
	requireRole(locals, 'admin');
	const id = idParam(params.id);
	if (id === null || !(await alerts.getRule(storage(), id)))
		return apiError(404, `No alert rule ${params.id}`);
	if (!(await alerts.enqueueTest(storage(), id)))
		return apiError(409, 'webhook: this rule has no webhook or e-mail recipients', 'no_webhook');
	return json({ queued: true }, { status: 202 });
};
