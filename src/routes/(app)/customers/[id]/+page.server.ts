import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/** A customer's timeline across channels, journeys as lanes (a manager sees only their teams' contacts). */
export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireUser(locals);
	const db = storage();
	const timeline = await journeys.customerTimeline(db, params.id, {
		teams: scopeOf(user).teams,
		limit: 1000
	});
	if (!timeline) error(404, { code: 'not_found', message: 'No such customer' });
	const definitions = Object.fromEntries(
		(await journeys.listJourneys(db, { includeDisabled: true })).map((r) => [
			r.definition.key,
			{ name: r.definition.name, labels: r.definition.labels }
		])
	);
	return { timeline, definitions };
};
