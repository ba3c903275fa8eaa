import { z } from 'zod';
import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { ingestContext } from './context';
import { ingestStores } from './store';
import type { IngestStatus, SourceStatus } from './monitor';

export type NamedSourceStatus = SourceStatus & {
	/** The source's name; null for requests without a valid write key ("unknown key") or a deleted source. */
	name: string | null;
};

export type IngestionStatus = Omit<IngestStatus, 'sources'> & { sources: NamedSourceStatus[] };

const epochMs = z.number().int().describe('Epoch milliseconds');
const counts = z.object({
	requests: z.number().int().describe('Requests answered (200 or an error), authenticated or not'),
	accepted: z.number().int().describe('Events stored'),
	duplicates: z.number().int().describe('Events whose id was already stored (stored once)'),
	rejected: z.number().int().describe('Events refused for their fields (the rest of their batch is stored)'),
	ignored: z.number().int().describe('Items skipped on purpose (e.g. Segment group, PostHog $pageview)'),
	redactions: z.number().int().describe('Pieces of personal data redacted from free text'),
	failedRequests: z.number().int().describe('Requests refused whole (4xx/5xx)'),
	failedByStatus: z.record(z.string(), z.number().int()).describe('failedRequests by HTTP status')
});
const orNull = z.number().nullable();
const perMinute = (what: string) =>
	z
		.array(z.number().int())
		.length(60)
		.describe(`${what} per minute, oldest first; 0 for a minute without any`);

/** The answer of `GET /api/v1/ingest/status` (documented in the OpenAPI document from this schema). */
export const ingestStatusSchema = z.object({
	startedAt: epochMs.describe('When this server process started counting; every figure is since then'),
	now: epochMs,
	sourcesDropped: z.number().int().describe('Sources forgotten because more than 200 sent requests'),
	refusedOrigins: z
		.array(
			z.object({
				origin: z.string(),
				count: z.number().int().describe('Preflights refused since startedAt'),
				lastAt: epochMs,
				lastPath: z.string().describe('The path the last refused preflight asked for')
			})
		)
		.max(50)
		.describe(
			'CORS preflights refused because no source allows their origin (the browser then blocks its events), newest first'
		),
	sources: z.array(
		z.object({
			sourceId: z.number().int().nullable().describe('null: requests without a valid write key'),
			name: z.string().nullable(),
			lastRequestAt: epochMs.nullable(),
			lastAcceptedAt: epochMs.nullable(),
			lastHour: counts.describe('The current minute and the 59 before it'),
			lastHourByMinute: z
				.object({
					from: epochMs.describe('The start of the oldest minute; entry i starts i minutes later'),
					accepted: perMinute('Events stored'),
					duplicates: perMinute('Duplicate events'),
					rejected: perMinute('Events rejected')
				})
				.describe('The minutes of lastHour, the current one last'),
			sinceStart: counts,
			rejections: z
				.array(
					z.object({
						at: epochMs,
						route: z
							.string()
							.describe('Route and format: native, segment /v1/<call>, posthog, csv import <kind>'),
						index: z.number().int().describe('The item in its batch; for a CSV import, the row (1 = first)'),
						errors: z.array(z.string()).max(3).describe('Each names its field')
					})
				)
				.max(20)
				.describe('The last 20 rejected events, newest first'),
			failures: z
				.array(
					z.object({
						at: epochMs,
						route: z.string(),
						status: z.number().int(),
						code: z.string(),
						message: z.string()
					})
				)
				.max(10)
				.describe('The last 10 requests refused whole, newest first')
		})
	),
	writer: z.object({
		lastMinute: z
			.object({
				transactions: z.number().int(),
				events: z.number().int(),
				eventsPerTransaction: orNull,
				commitMsP50: orNull.describe('From handing a transaction to the writer to its commit, ms'),
				commitMsP95: orNull,
				truncated: z.boolean().describe('More commits than kept: the figures cover the latest 8,192')
			})
			.describe('Group-commit transactions committed in the last 60 s'),
		lastHour: z.object({
			transactions: z.number().int(),
			events: z.number().int(),
			failed: z.number().int()
		}),
		sinceStart: z.object({
			transactions: z.number().int(),
			events: z.number().int(),
			failed: z.number().int()
		}),
		thread: z
			.object({
				busyShare: z.number().nullable().describe('Event-loop busy share 0–1 over overSeconds'),
				overSeconds: z.number().nullable().describe('About a minute; null until two readings 5 s apart'),
				busyShareSinceStart: z.number()
			})
			.nullable()
			.describe('The writer thread; null when writes happen on the main thread')
	})
});

/** The ingestion monitor's figures for this database in this server process, with the sources' names. */
export async function ingestionStatus(target: Db | Storage, now = Date.now()): Promise<IngestionStatus> {
	const storage = asStorage(target);
	const status = ingestContext(storage).monitor.status(now);
	const ids = status.sources.flatMap((s) => (s.sourceId === null ? [] : [s.sourceId]));
	const names = await byEngine(storage, ingestStores).sourceNames(ids);
	return {
		...status,
		sources: status.sources.map((s) => ({
			...s,
			name: s.sourceId === null ? null : (names.get(s.sourceId) ?? null)
		}))
	};
}
