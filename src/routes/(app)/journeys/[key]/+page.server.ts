import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/**
 * One journey: funnel, path map, breakpoints, touchpoint vs journey gap and, with `?drill=<breakpoint id>`, the
 * journeys behind a breakpoint or a funnel step (each opening the customer's timeline).
 */
export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = requireUser(locals);
	const sp = url.searchParams;
	const query = journeys.parseJourneyQuery(sp);
	if (!query.ok) error(400, { code: 'invalid_parameter', message: query.error.message });
	const by = journeys.enumParam(sp, 'by', ['segment', 'channel'] as const);
	if (!by.ok) error(400, { code: 'invalid_parameter', message: by.error.message });
	const metric = journeys.enumParam(sp, 'metric', ['nps', 'csat'] as const);
	if (!metric.ok) error(400, { code: 'invalid_parameter', message: metric.error.message });
	const top = journeys.intParam(sp, 'top', 12, 50);
	if (!top.ok) error(400, { code: 'invalid_parameter', message: top.error.message });
	const offset = journeys.intParam(sp, 'offset', 1, 1_000_000);
	const db = storage();
	const record = await journeys.getJourney(db, params.key);
	if (!record) error(404, { code: 'not_found', message: `No journey "${params.key}"` });
	const definition = record.definition;
	const detail = await journeys.journeyDetail(db, definition, query.value, {
		by: by.value,
		top: top.value,
		teams: scopeOf(user).teams
	});
	const drillId = sp.get('drill');
	const selector = drillId ? journeys.parseSelector(drillId, definition) : null;
	if (drillId && !selector) error(400, { code: 'invalid_parameter', message: 'drill: not a breakpoint id' });
	const drill = selector
		? await journeys.affectedJourneys(db, definition.key, query.value, selector, {
				teams: scopeOf(user).teams,
				limit: 25,
				offset: offset.ok && sp.has('offset') ? offset.value : 0
			})
		: null;
	return {
		definition,
		query: query.value,
		by: by.value,
		metric: metric.value ?? 'nps',
		minN: journeys.MIN_N,
		...detail,
		drill: drill && drillId ? { id: drillId, ...drill } : null
	};
};
