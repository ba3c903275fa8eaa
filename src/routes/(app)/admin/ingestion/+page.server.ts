import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { ingestionStatus } from '$lib/server/ingest/status';
import {
	COMMIT_SAMPLES,
	FAILURE_SAMPLES,
	MAX_SOURCES,
	REJECTION_SAMPLES,
	totalByMinute
} from '$lib/server/ingest/monitor';

/** The ingestion monitor of this server process; the page refreshes it (invalidate 'app:ingestion'). */
export const load: PageServerLoad = async ({ locals, depends }) => {
	requireRole(locals, 'admin');
	depends('app:ingestion');
	const status = await ingestionStatus(storage());
	// Newest first across sources, each with the source it came from.
	const from = (s: (typeof status.sources)[number]) => ({ sourceId: s.sourceId, sourceName: s.name });
	const rejections = status.sources
		.flatMap((s) => s.rejections.map((r) => ({ ...r, ...from(s) })))
		.sort((a, b) => b.at - a.at);
	const failures = status.sources
		.flatMap((s) => s.failures.map((f) => ({ ...f, ...from(s) })))
		.sort((a, b) => b.at - a.at);
	return {
		status,
		/** All sources together, minute by minute (each source has its own in `status`). */
		allByMinute: totalByMinute(
			status.sources.map((s) => s.lastHourByMinute),
			status.now
		),
		rejections,
		failures,
		limits: {
			rejections: REJECTION_SAMPLES,
			failures: FAILURE_SAMPLES,
			sources: MAX_SOURCES,
			commits: COMMIT_SAMPLES
		}
	};
};
