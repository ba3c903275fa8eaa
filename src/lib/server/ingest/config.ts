/** Limits of the Segment HTTP API, which Resonance's ingestion follows for every format. */
export const LIMITS = {
	/** Bytes of one request body, compressed or not. */
	batchBytes: 500 * 1024,
	/** Bytes of one event (its JSON). */
	eventBytes: 32 * 1024,
	/** Events in one request. */
	batchEvents: 2500,
	/** How far in the future a timestamp may lie (client clocks drift). */
	futureToleranceMs: 10 * 60_000
} as const;

export interface IngestConfig {
	/** Token-bucket rate per write key in events/s when the source sets none (RESONANCE_INGEST_RATE). */
	defaultRatePerSecond: number;
	/** How long ids are remembered for de-duplication (RESONANCE_DEDUPE_WINDOW_DAYS). */
	dedupeWindowMs: number;
	/** Group commit: how long concurrent requests are collected into one transaction (RESONANCE_GROUP_COMMIT_MS). */
	groupCommitMs: number;
	/** Group commit: a transaction starts at once when this many events wait (RESONANCE_GROUP_COMMIT_EVENTS). */
	groupCommitEvents: number;
	/** Write from a worker thread when the built server has one (RESONANCE_WRITER_THREAD, default 1; 0 turns it off). */
	writerThread: boolean;
}

function positive(value: string | undefined, fallback: number, name: string): number {
	if (value === undefined || value.trim() === '') return fallback;
	const n = Number(value);
	if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
	return n;
}

/** Reads the ingestion settings from the environment; fails fast on a malformed value. */
export function ingestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
	return {
		defaultRatePerSecond: positive(env.RESONANCE_INGEST_RATE, 20_000, 'RESONANCE_INGEST_RATE'),
		dedupeWindowMs:
			positive(env.RESONANCE_DEDUPE_WINDOW_DAYS, 7, 'RESONANCE_DEDUPE_WINDOW_DAYS') * 86_400_000,
		groupCommitMs: positive(env.RESONANCE_GROUP_COMMIT_MS, 4, 'RESONANCE_GROUP_COMMIT_MS'),
		groupCommitEvents: positive(env.RESONANCE_GROUP_COMMIT_EVENTS, 2000, 'RESONANCE_GROUP_COMMIT_EVENTS'),
		writerThread: env.RESONANCE_WRITER_THREAD?.trim() !== '0'
	};
}
