import type { PageServerLoad } from './$types';
import { database } from '$lib/server/db';
import { centerOverview } from '$lib/server/overview';
import { demoStatus } from '$lib/server/demo/run';

export const load: PageServerLoad = () => {
	return { overview: centerOverview(database()), demo: demoStatus() };
};
