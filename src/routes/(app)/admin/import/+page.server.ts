import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { listSources } from '$lib/server/auth/keys';
import { CSV_KINDS } from '$lib/server/ingest/csv-import';

/** The CSV import page: the file itself goes from the browser straight to POST /api/v1/import/csv. */
export const load: PageServerLoad = async ({ locals }) => {
	requireRole(locals, 'admin');
	return {
		kinds: [...CSV_KINDS],
		sources: (await listSources(storage())).map(({ id, name }) => ({ id, name }))
	};
};
