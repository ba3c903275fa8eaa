import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import * as alerts from '$lib/server/alerts';
import { apiAlert, idParam } from '$lib/server/alerts/http';

/** GET /api/v1/alerts/<id> → the alert with its history (who did what, when). */
export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireUser(locals);
	const id = idParam(params.id);
	const alert = id === null ? undefined : await alerts.getAlert(storage(), id, scopeOf(user));
	if (!alert) return apiError(404, `No alert ${params.id}`);
	const { history, ...view } = alert;
	return json({
		...apiAlert(view),
		history: history.map((h) => ({ ...h, ts: new Date(h.ts).toISOString() }))
	});
};
