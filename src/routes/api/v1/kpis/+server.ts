import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { scopedCxQuery } from '$lib/server/auth/cx-query';
import * as metrics from '$lib/server/metrics';

/**
 * GET /api/v1/kpis?from=&to=&by=&grain=&channel=&team=&agent=&segment=&journey=&region=&reason=&compare=&standardise=
 * → {"from","to","by","rows":[{"group","kpis":{"<key>":{"value","n","ci95",…}}}],"path",…} (DESIGN.md).
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const asked = scopedCxQuery(locals, url.searchParams);
	if ('refused' in asked) return asked.refused;
	return json(await metrics.kpis(storage(), asked.query), { headers: { 'cache-control': 'no-store' } });
};
