import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/** The journey list: every journey with its volume, completion, journey NPS and top breakpoint, with their n. */
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals);
	const query = journeys.parseJourneyQuery(url.searchParams);
	if (!query.ok) error(400, { code: 'invalid_parameter', message: query.error.message });
	const summaries = await journeys.journeySummaries(storage(), query.value);
	return {
		query: query.value,
		isAdmin: user.role === 'admin',
		minN: journeys.MIN_N,
		journeys: summaries.map(({ definition, ...s }) => ({ ...s, labels: definition.labels }))
	};
};
