import { inArray } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { sources } from '$lib/server/db/schema';
import { ingestContext } from './context';
import type { IngestStatus, SourceStatus } from './monitor';

export type NamedSourceStatus = SourceStatus & {
	/** The source's name; null for requests without a valid write key ("unknown key") or a deleted source. */
	name: string | null;
};

export type IngestionStatus = Omit<IngestStatus, 'sources'> & { sources: NamedSourceStatus[] };

/** The ingestion monitor's figures for this database in this server process, with the sources' names. */
export function ingestionStatus(db: Db, now = Date.now()): IngestionStatus {
	const status = ingestContext(db).monitor.status(now);
	const ids = status.sources.flatMap((s) => (s.sourceId === null ? [] : [s.sourceId]));
	const names = new Map(
		ids.length
			? db
					.select({ id: sources.id, name: sources.name })
					.from(sources)
					.where(inArray(sources.id, ids))
					.all()
					.map((s) => [s.id, s.name])
			: []
	);
	return {
		...status,
		sources: status.sources.map((s) => ({
			...s,
			name: s.sourceId === null ? null : (names.get(s.sourceId) ?? null)
		}))
	};
}
