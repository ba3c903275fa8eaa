import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as risk from '$lib/server/risk';

const query = z.object({
	minScore: z.coerce.number().min(0).max(1).optional(),
	team: z.string().optional(),
	limit: z.coerce.number().int().min(1).max(500).optional(),
	cursor: z.string().max(400).optional()
});

/**
 * GET /api/v1/risk/customers?minScore=&team=&limit=&cursor= → {"customers":[{"customerId","score","regulatorScore",
 * "team","segment","reasons":[{"feature","contribution"}]}],"next","model":{…quality}}: customers by descending
 * complaint risk, a manager's limited to their teams; never a score without its model's held-out quality.
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	const parsed = query.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const parameter = String(issue?.path[0] ?? '');
		return apiError(400, `${parameter}: ${issue?.message}`, 'invalid_parameter', { parameter });
	}
	const cursor = parsed.data.cursor ?? null;
	if (cursor && !risk.decodeCursor(cursor))
		return apiError(400, 'cursor: not a cursor from `next`', 'invalid_parameter', { parameter: 'cursor' });
	const teams = restrictTeams(scopeOf(user), parsed.data.team);
	const model = await risk.currentModel(storage());
	const page = await risk.listRisk(storage(), { ...parsed.data, cursor, teams });
	return json(
		{ ...page, model: model ? risk.summarizeModel(model) : null },
		{ headers: { 'cache-control': 'no-store' } }
	);
};
