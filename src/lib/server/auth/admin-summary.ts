import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { authStore, type AdminSummary } from './store';

export type { AdminSummary };

/** The counts on the admin landing page. */
export async function adminSummary(db: Db | Storage, now = Date.now()): Promise<AdminSummary> {
	return authStore(db).summary(now);
}
