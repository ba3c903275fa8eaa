import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import { scopedCxQuery } from '$lib/server/auth/cx-query';
import * as metrics from '$lib/server/metrics';

/** GET: what moves NPS (importance–performance quadrant) and the index weights it suggests, for a query's range. */
export const GET: RequestHandler = async ({ locals, url }) => {
	const asked = scopedCxQuery(locals, url.searchParams);
	if ('refused' in asked) return asked.refused;
	return json(await metrics.drivers(storage(), asked.query), { headers: { 'cache-control': 'no-store' } });
};

const weight = z.number().finite().min(0).max(1000);
const Body = z.strictObject({
	weights: z.strictObject({
		layers: z.strictObject({ perception: weight, operations: weight }),
		components: z.strictObject(
			Object.fromEntries(metrics.INDEX_COMPONENTS.map((c) => [c.key, weight])) as Record<
				(typeof metrics.INDEX_COMPONENTS)[number]['key'],
				typeof weight
			>
		)
	})
});

/** POST {"weights":{layers,components}} (admin): accept suggested (or edited) CX index weights. */
export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireRole(locals, 'admin');
	const body = Body.safeParse(await request.json().catch(() => undefined));
	if (!body.success) {
		const issue = body.error.issues[0];
		return apiError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`, 'invalid_parameter', {
			parameter: issue.path.join('.')
		});
	}
	try {
		const weights = await metrics.acceptDriverWeights(storage(), body.data.weights, user.email);
		return json({ weights });
	} catch (error) {
		if (error instanceof metrics.SettingsError) return apiError(400, error.message, 'invalid_parameter');
		throw error;
	}
};
