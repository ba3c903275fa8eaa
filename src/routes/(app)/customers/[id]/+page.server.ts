import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';
import { customerRiskView } from '$lib/server/risk';

/**
 * A customer's timeline across channels, journeys as lanes (a manager sees only their teams' contacts), and their
 * complaint risk with its top reasons and the model's held-out AUC.
 */
export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireUser(locals);
	const db = storage();
	const teams = scopeOf(user).teams;
	const timeline = await journeys.customerTimeline(db, params.id, {
		teams,
		limit: 1000
	});
	if (!timeline) error(404, { code: 'not_found', message: 'No such customer' });
	const definitions = Object.fromEntries(
		(await journeys.listJourneys(db, { includeDisabled: true })).map((r) => [
			r.definition.key,
			{ name: r.definition.name, labels: r.definition.labels }
		])
	);
	// The complaint risk beside the model's held-out quality (nothing when no model is trained yet).
	const risk = await customerRiskView(db, params.id, teams);
	return { timeline, definitions, risk };
};
