import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole } from '$lib/server/auth/guard';
import { exportFileName } from '$lib/components/dashboards/csv';
import * as outreach from '$lib/server/outreach';
import { audienceActor, audienceErrorResponse, audienceId } from '$lib/server/outreach/http';

/**
 * GET /api/v1/audiences/<id>/members?group=treatment&format=csv|json → the treatment list for the outbound team
 * (audited as an export). `group=holdout` answers 403 `holdout_not_exported` for every role: the holdout is never
 * listed, only counted (GET /api/v1/audiences/<id>).
 */
export const GET: RequestHandler = async (event) => {
	const user = requireRole(event.locals, 'admin', 'manager');
	const id = audienceId(event.params.id);
	if (id === null) return apiError(404, `No audience ${event.params.id}`);
	const group = event.url.searchParams.get('group') ?? 'treatment';
	const format = event.url.searchParams.get('format') ?? 'json';
	if (group !== 'treatment' && group !== 'holdout')
		return apiError(400, 'group: must be treatment or holdout', 'invalid_parameter', { parameter: 'group' });
	if (format !== 'csv' && format !== 'json')
		return apiError(400, 'format: must be csv or json', 'invalid_parameter', { parameter: 'format' });
	try {
		const list = await outreach.exportMembers(storage(), id, group, audienceActor(user, event), { format });
		if (format === 'json')
			return json(
				{ audience: list.audience, group, customers: list.customerIds },
				{ headers: { 'cache-control': 'no-store' } }
			);
		return new Response(outreach.treatmentCsv(list), {
			headers: {
				'content-type': 'text/csv; charset=utf-8',
				'content-disposition': `attachment; filename="${exportFileName(`audience-${id}-treatment`, 'csv')}"`,
				'cache-control': 'no-store'
			}
		});
	} catch (error) {
		return audienceErrorResponse(error);
	}
};
