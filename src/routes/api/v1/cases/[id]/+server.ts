import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import * as cases from '$lib/server/cases';
import { describeIssues } from '$lib/server/alerts';
import { errorResponse, idParam, readJson } from '$lib/server/alerts/http';
import { apiCase } from '$lib/server/cases/http';

/** GET /api/v1/cases/<id> → the case with its notes. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireUser(locals);
	const id = idParam(params.id);
	const found = id === null ? undefined : await cases.getCase(storage(), id, scopeOf(user));
	if (!found) return apiError(404, `No case ${params.id}`);
	return json(apiCase(found));
};

/**
 * PATCH /api/v1/cases/<id> with {"status"?: "contacted"|"resolved"|"unreachable"|"open", "assigneeId"?: id|null,
 * "note"?: text} → the case. Managers (their teams' cases) and admins.
 */
export const PATCH: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, 'admin', 'manager');
	const id = idParam(params.id);
	if (id === null) return apiError(404, `No case ${params.id}`);
	const body = await readJson(request);
	if (!body.ok) return body.response;
	const patch = cases.casePatchSchema.safeParse(body.body);
	if (!patch.success) {
		const { message, details } = describeIssues(patch.error);
		return apiError(400, message, 'invalid_case_change', details);
	}
	try {
		const updated = await cases.updateCase(storage(), id, patch.data, { ...user, scope: scopeOf(user) });
		return json(updated ? apiCase(updated) : null);
	} catch (error) {
		return errorResponse(error);
	}
};
