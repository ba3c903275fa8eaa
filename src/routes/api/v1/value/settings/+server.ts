import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import { clientIp } from '$lib/server/auth/request';
import { readJson } from '$lib/server/alerts/http';
import * as value from '$lib/server/value';

/**
 * GET /api/v1/value/settings → {"current":{"effectiveFrom","rates",…},"history":[…],"defaults"}: the rates in force
 * now and every version, newest effective day first (the rates are the inputs every ledger figure shows).
 */
export const GET: RequestHandler = async ({ locals }) => {
	requireUser(locals);
	return json(await value.getValueSettings(storage()), { headers: { 'cache-control': 'no-store' } });
};

/**
 * PUT /api/v1/value/settings {"agentMinute":{"<channel>":yuan,…},"ivrSession","botSession","outboundCall",
 * "valuePerConversion","valuePerRetainedCustomer","effectiveFrom"?: "YYYY-MM-DD"} → the settings as GET answers them.
 * Admins; audited. A version applies from its day (today by default) on; the months before keep their rates.
 */
export const PUT: RequestHandler = async (event) => {
	const admin = requireRole(event.locals, 'admin');
	const body = await readJson(event.request);
	if (!body.ok) return body.response;
	try {
		const saved = await value.putValueSettings(storage(), body.body, {
			id: admin.id,
			email: admin.email,
			ip: clientIp(event)
		});
		return json(saved);
	} catch (error) {
		if (error instanceof value.ValueSettingsError)
			return apiError(400, error.message, 'invalid_parameter', { parameter: error.field });
		throw error;
	}
};
