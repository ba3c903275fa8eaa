import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import * as alerts from '$lib/server/alerts';
import { errorResponse, readJson, ruleActor } from '$lib/server/alerts/http';

/**
 * GET /api/v1/alert-rules → {"rules":[…]} (webhook secrets never leave the server; `editable` for the caller;
 * risk-score rules carry `status`: `no_model` until the risk model has been trained, then `ready`).
 */
export const GET: RequestHandler = async ({ locals }) => {
	const user = requireUser(locals);
	const scope = scopeOf(user);
	const db = storage();
	const list = await alerts.listRules(db);
	const riskStatus = list.some((r) => r.kind === 'risk_score') ? await alerts.riskScoreStatus(db) : null;
	const rules = list.map((r) => ({
		...alerts.publicRule(r, user),
		...(r.kind === 'risk_score' ? { status: riskStatus } : {}),
		editable: (user.role === 'admin' || user.role === 'manager') && alerts.canEditRule(r, scope)
	}));
	return json({ rules });
};

/**
 * POST /api/v1/alert-rules with e.g. {"name":"CSAT low","kind":"threshold","kpi":"csat","op":"<","value":80,
 * "windowMinutes":60,"minN":30,"filters":{"channel":"phone"},"webhook":{"url":"…","secret":"…"}} → 201 the rule
 * (with `webhookSecret` once when the server generated it). Admins; managers for their own teams. Audited.
 */
export const POST: RequestHandler = async (event) => {
	const user = requireRole(event.locals, 'admin', 'manager');
	const body = await readJson(event.request);
	if (!body.ok) return body.response;
	try {
		const { rule, generatedSecret } = await alerts.addRule(storage(), body.body, ruleActor(user, event));
		return json(
			{ ...alerts.publicRule(rule, user), ...(generatedSecret ? { webhookSecret: generatedSecret } : {}) },
			{ status: 201, headers: { location: `/api/v1/alert-rules/${rule.id}` } }
		);
	} catch (error) {
		return errorResponse(error);
	}
};
