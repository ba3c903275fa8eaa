import type { LayoutServerLoad } from './$types';
import { demoStatus } from '$lib/server/demo/run';
import { requireUser } from '$lib/server/auth/guard';

/**
 * Every (app) page needs a signed-in user. Pages without a server file of their own are covered by this check;
 * pages with one call the guard themselves (a layout load does not re-run on every client navigation).
 */
export const load: LayoutServerLoad = ({ locals }) => {
	const user = requireUser(locals);
	return {
		user: { email: user.email, name: user.name, role: user.role, teams: user.teams },
		demo: demoStatus().enabled
	};
};
