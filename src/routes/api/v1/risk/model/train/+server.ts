import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import * as risk from '$lib/server/risk';

/**
 * POST /api/v1/risk/model/train (admin) → the new model's summary, as GET /api/v1/risk/model; 409 when another
 * process is training or the history is too short to train on (the message says how much there is).
 */
export const POST: RequestHandler = async ({ locals }) => {
	requireRole(locals, 'admin');
	const outcome = await risk.trainRisk(storage());
	if (!outcome.trained) return apiError(409, outcome.detail, outcome.reason);
	const model = await risk.currentModel(storage());
	if (!model) return apiError(500, 'The trained model was not stored', 'internal');
	return json({ ...risk.summarizeModel(model), ms: outcome.ms }, { status: 201 });
};
