import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { ALERT_KINDS, ALERT_SEVERITIES, ALERT_STATUSES } from '$lib/server/db/schema';
import * as alerts from '$lib/server/alerts';
import { apiAlert } from '$lib/server/alerts/http';

const Query = z.object({
	status: z.enum(ALERT_STATUSES).optional(),
	severity: z.enum(ALERT_SEVERITIES).optional(),
	kind: z.enum(ALERT_KINDS).optional(),
	rule: z.coerce.number().int().positive().optional(),
	limit: z.coerce.number().int().min(1).max(500).default(100)
});

/**
 * GET /api/v1/alerts?status=open|acknowledged|resolved&severity=&kind=&rule=&limit= → {"alerts":[…],"counts":{…}},
 * newest first, only alerts about teams the caller may see.
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	const parsed = Query.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) {
		const { message, details } = alerts.describeIssues(parsed.error);
		return apiError(400, message, 'invalid_parameter', details);
	}
	const scope = scopeOf(user);
	const db = storage();
	const q = parsed.data;
	const list = await alerts.listAlerts(db, scope, {
		status: q.status,
		severity: q.severity,
		kind: q.kind,
		ruleId: q.rule,
		limit: q.limit
	});
	return json(
		{ alerts: list.map(apiAlert), counts: await alerts.alertCounts(db, scope) },
		{ headers: { 'cache-control': 'no-store' } }
	);
};
