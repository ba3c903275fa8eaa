import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { centerOverview } from '$lib/server/overview';
import { demoStatus } from '$lib/server/demo/run';
import { requireUser } from '$lib/server/auth/guard';

export const load: PageServerLoad = async ({ locals }) => {
	requireUser(locals);
	return { overview: await centerOverview(storage()), demo: demoStatus() };
};
