import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { scopedCxQuery } from '$lib/server/auth/cx-query';
import * as value from '$lib/server/value';

/**
 * GET /api/v1/value?from=&to=&channel=&team=&agent=&segment=&journey=&region=&reason= → the value ledger
 * (DESIGN.md): {"costs":{"byChannel":[…],"outbound","total"},"savings","failureDemand","valueCreated","net",
 * "waterfall","trend","inputs"}, each figure with its formula and inputs. A manager sees only their teams.
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const asked = scopedCxQuery(locals, url.searchParams);
	if ('refused' in asked) return asked.refused;
	return json(await value.valueLedger(storage(), asked.query), { headers: { 'cache-control': 'no-store' } });
};
