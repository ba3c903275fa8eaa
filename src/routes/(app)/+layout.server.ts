import type { LayoutServerLoad } from './$types';
import { demoStatus } from '$lib/server/demo/run';

export const load: LayoutServerLoad = ({ locals }) => {
	return {
		user: locals.user ? { email: locals.user.email, name: locals.user.name, role: locals.user.role } : null,
		demo: demoStatus().enabled
	};
};
