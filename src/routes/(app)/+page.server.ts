import type { PageServerLoad } from './$types';
import { database } from '$lib/server/db';
import { centerOverview } from '$lib/server/overview';
import { demoStatus } from '$lib/server/demo/run';
import { requireUser } from '$lib/server/auth/guard';

export const load: PageServerLoad = ({ locals }) => {
	requireUser(locals);
	return { overview: centerOverview(database()), demo: demoStatus() };
};
