import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { embedStores } from './store';
import { viewerCounts } from './viewers';

/**
 * The usage record: one row per embed page view (in the database, every process's), and the open live streams per
 * integration (every process's, through the live relay: viewers.ts).
 */

export interface EmbedView {
	integrationId: string;
	type: string;
	key?: string | null;
	sub?: string | null;
	origin?: string | null;
	ts?: number;
}

export async function recordView(db: Db | Storage, view: EmbedView): Promise<void> {
	await byEngine(asStorage(db), embedStores).insertView({
		integrationId: view.integrationId,
		ts: view.ts ?? Date.now(),
		type: view.type,
		key: view.key ?? null,
		sub: view.sub?.slice(0, 256) ?? null,
		origin: view.origin?.slice(0, 256) ?? null
	});
}

/** Views per integration and China-time day since `from`, newest day first. */
export async function viewsByDay(
	db: Db | Storage,
	from: number
): Promise<{ integrationId: string; day: string; views: number }[]> {
	return await byEngine(asStorage(db), embedStores).viewsByDay(from);
}

/** The latest views (who saw what, from where). */
export async function recentViews(db: Db | Storage, limit = 50, from = 0) {
	return await byEngine(asStorage(db), embedStores).recentViews(limit, from);
}

/** Counts an open embed stream in this process's share of the live counts (viewers.ts); returns the uncount. */
export function countViewer(integrationId: string): () => void {
	return viewerCounts().count(integrationId);
}

/** Open embed streams of the integration, in every process. */
export function viewerCount(integrationId: string): number {
	return viewerCounts().viewers(integrationId);
}
