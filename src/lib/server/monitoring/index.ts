import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * `GET /metrics` for Prometheus: one registry per process with the Node process metrics (CPU, RSS, heap, event-loop
 * lag, handles) and Resonance's own. Domains report through the small `observe…` functions below and never import
 * prom-client themselves; gauges read their value when scraped.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

const ingested = new Counter({
	name: 'resonance_ingest_events_total',
	help: 'Events received by ingestion, by source and outcome (accepted, duplicate, rejected).',
	labelNames: ['source', 'outcome'] as const,
	registers: [registry]
});
const requests = new Counter({
	name: 'resonance_ingest_requests_total',
	help: 'Ingestion requests (and CSV imports) answered, by source and whether they failed as a whole.',
	labelNames: ['source', 'result'] as const,
	registers: [registry]
});
const commits = new Histogram({
	name: 'resonance_ingest_commit_seconds',
	help: 'Group-commit transactions: from handing the batch to the writer to learning it committed.',
	labelNames: ['result'] as const,
	buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
	registers: [registry]
});
const evaluations = new Counter({
	name: 'resonance_alert_evaluations_total',
	help: 'Passes of the alert evaluator over every rule, by result (ok, failed).',
	labelNames: ['result'] as const,
	registers: [registry]
});
const evaluationSeconds = new Histogram({
	name: 'resonance_alert_evaluation_seconds',
	help: 'Time one pass of the alert evaluator took.',
	buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
	registers: [registry]
});

type Reader = () => number;
const readers: Record<'queue' | 'viewers' | 'ready', Reader> = {
	queue: () => 0,
	viewers: () => 0,
	ready: () => 1
};
new Gauge({
	name: 'resonance_ingest_writer_queue_events',
	help: 'Events acknowledged to no one yet: waiting for, or inside, a group-commit transaction.',
	registers: [registry],
	collect() {
		this.set(readers.queue());
	}
});
new Gauge({
	name: 'resonance_sse_viewers',
	help: 'Open live streams (wallboards, trends) of this process.',
	registers: [registry],
	collect() {
		this.set(readers.viewers());
	}
});
new Gauge({
	name: 'resonance_ready',
	help: '1 while the server takes traffic, 0 while it drains for shutdown.',
	registers: [registry],
	collect() {
		this.set(readers.ready());
	}
});

/** Where the scrape reads the writer's queue, the live viewers and readiness (set once at start). */
export function readFrom(sources: Partial<typeof readers>): void {
	Object.assign(readers, sources);
}

const label = (sourceId: number | null) => (sourceId === null ? 'none' : String(sourceId));

/** One ingestion request or CSV import, once answered. */
export function observeIngest(
	sourceId: number | null,
	counts: { accepted: number; duplicates: number; rejected: number } | null
): void {
	const source = label(sourceId);
	requests.inc({ source, result: counts ? 'answered' : 'failed' });
	if (!counts) return;
	if (counts.accepted) ingested.inc({ source, outcome: 'accepted' }, counts.accepted);
	if (counts.duplicates) ingested.inc({ source, outcome: 'duplicate' }, counts.duplicates);
	if (counts.rejected) ingested.inc({ source, outcome: 'rejected' }, counts.rejected);
}

export function observeCommit(durationMs: number, failed: boolean): void {
	commits.observe({ result: failed ? 'failed' : 'committed' }, durationMs / 1000);
}

export function observeAlertEvaluation(durationMs: number, failed: boolean): void {
	evaluations.inc({ result: failed ? 'failed' : 'ok' });
	if (!failed) evaluationSeconds.observe(durationMs / 1000);
}

/** The exposition text and its content type. */
export async function scrape(): Promise<{ body: string; contentType: string }> {
	return { body: await registry.metrics(), contentType: registry.contentType };
}
