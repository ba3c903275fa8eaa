import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { adminSummary } from '$lib/server/auth/admin-summary';
import { backupStatus } from '$lib/server/backup';
import { retentionStatus } from '$lib/server/retention';

export const load: PageServerLoad = async ({ locals }) => {
	requireRole(locals, 'admin');
	return {
		summary: await adminSummary(storage()),
		backups: await backupStatus(storage()),
		retention: await retentionStatus(storage())
	};
};
