import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireUser } from '$lib/server/auth/guard';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as cases from '$lib/server/cases';
import { describeIssues } from '$lib/server/alerts';
import { apiCase } from '$lib/server/cases/http';

/**
 * GET /api/v1/cases?status=open|contacted|resolved|unreachable&team=&assignee=me|none|<id>&reason=&overdue=1&limit=&cursor=
 * → {"cases":[{id, customerId, reason, team, assignee, status, dueAt, …}],"next","total"}: follow-up cases (回访),
 * a manager's limited to their teams.
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	const parsed = cases.caseFilterSchema.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) {
		const { message, details } = describeIssues(parsed.error);
		return apiError(400, message, 'invalid_parameter', details);
	}
	const scope = scopeOf(user);
	if (parsed.data.team) restrictTeams(scope, parsed.data.team);
	const page = await cases.listCases(storage(), scope, parsed.data, user);
	return json(
		{ cases: page.cases.map(apiCase), next: page.next, total: page.total },
		{ headers: { 'cache-control': 'no-store' } }
	);
};
