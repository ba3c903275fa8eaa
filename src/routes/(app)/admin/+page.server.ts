import type { PageServerLoad } from './$types';
import { database } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { adminSummary } from '$lib/server/auth/admin-summary';
import { backupStatus } from '$lib/server/backup';

export const load: PageServerLoad = ({ locals }) => {
	requireRole(locals, 'admin');
	return { summary: adminSummary(database()), backups: backupStatus() };
};
