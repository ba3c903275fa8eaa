import type { LayoutServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guard';

/** Administration is for admins; each admin page and action checks again itself. */
export const load: LayoutServerLoad = ({ locals }) => {
	requireRole(locals, 'admin');
	return {};
};
