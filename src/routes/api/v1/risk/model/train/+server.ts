import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import { clientIp } from '$lib/server/auth/request';
import * as risk from '$lib/server/risk';

/**
 * POST /api/v1/risk/model/train (admin, audited as `risk.model_trained`) → the new model's summary, as GET
 * /api/v1/risk/model; 409 when another
 * process is training or the history is too short to train on (the message says how much there is).
 */
export const POST: RequestHandler = async (event) => {
	const user = requireRole(event.locals, 'admin');
	const outcome = await risk.trainRisk(storage(), {
		trigger: 'on_demand',
		actor: { id: user.id, email: user.email },
		ip: clientIp(event)
	});
	if (!outcome.trained) return apiError(409, outcome.detail, outcome.reason);
	const model = await risk.currentModel(storage());
	if (!model) return apiError(500, 'The trained model was not stored', 'internal');
	return json({ ...risk.summarizeModel(model), ms: outcome.ms }, { status: 201 });
};
