import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import * as risk from '$lib/server/risk';

/**
 * GET /api/v1/risk/model → {"trainedAt","trainWindow","testWindow","n","positives","auc","auc95":[lo,hi],"brier",
 * "calibration":[{"bin","predicted","observed","n"}],"regulator":{…},"features":[{"feature","coefficient"}]}:
 * the current risk model's held-out quality (DESIGN.md "Risk and outreach"); 404 before the first training.
 */
export const GET: RequestHandler = async ({ locals }) => {
	requireUser(locals);
	const model = await risk.currentModel(storage());
	if (!model) return apiError(404, 'No risk model has been trained yet', 'not_found');
	return json(risk.summarizeModel(model), { headers: { 'cache-control': 'no-store' } });
};
