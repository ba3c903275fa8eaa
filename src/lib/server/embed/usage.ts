import { and, desc, gte, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { embedViews } from '$lib/server/db/schema';

/** The usage record: one row per embed page view, and the open live streams of this process per integration. */

export interface EmbedView {
	integrationId: string;
	type: string;
	key?: string | null;
	sub?: string | null;
	origin?: string | null;
	ts?: number;
}

export function recordView(db: Db, view: EmbedView): void {
	db.insert(embedViews)
		.values({
			integrationId: view.integrationId,
			ts: view.ts ?? Date.now(),
			type: view.type,
			key: view.key ?? null,
			sub: view.sub?.slice(0, 256) ?? null,
			origin: view.origin?.slice(0, 256) ?? null
		})
		.run();
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Views per integration and China-time day since `from`, newest day first. */
export function viewsByDay(db: Db, from: number): { integrationId: string; day: string; views: number }[] {
	const day = sql<string>`strftime('%Y-%m-%d', (${embedViews.ts} + ${CHINA_OFFSET_MS}) / 1000, 'unixepoch')`;
	return db
		.select({ integrationId: embedViews.integrationId, day, views: sql<number>`count(*)` })
		.from(embedViews)
		.where(gte(embedViews.ts, from))
		.groupBy(embedViews.integrationId, day)
		.orderBy(desc(day), embedViews.integrationId)
		.all();
}

/** The latest views (who saw what, from where). */
export function recentViews(db: Db, limit = 50, from = 0) {
	return db
		.select()
		.from(embedViews)
		.where(and(gte(embedViews.ts, from)))
		.orderBy(desc(embedViews.ts), desc(embedViews.id))
		.limit(limit)
		.all();
}

const liveViewers = new Map<string, number>();

/** Counts an open embed stream; the returned function uncounts it (call once). */
export function countViewer(integrationId: string): () => void {
	liveViewers.set(integrationId, (liveViewers.get(integrationId) ?? 0) + 1);
	let done = false;
	return () => {
		if (done) return;
		done = true;
		const n = (liveViewers.get(integrationId) ?? 1) - 1;
		if (n > 0) liveViewers.set(integrationId, n);
		else liveViewers.delete(integrationId);
	};
}

export function viewerCount(integrationId: string): number {
	return liveViewers.get(integrationId) ?? 0;
}
