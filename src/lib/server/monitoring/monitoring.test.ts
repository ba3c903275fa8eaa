import { describe, expect, it } from 'vitest';
import { observeAlertEvaluation, observeCommit, observeIngest, readFrom, scrape } from '.';

interface Sample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

/**
 * A parser of the Prometheus text exposition format (0.0.4): HELP and TYPE lines, then samples
 * `name{label="value",…} number`, with escapes in label values. Throws on any line it cannot read.
 */
function parseExposition(text: string) {
	const types = new Map<string, string>();
	const samples: Sample[] = [];
	const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
	const sampleLine = new RegExp(`^(${name})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
	const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\]|\\\\.)*)",?/gy;
	for (const line of text.split('\n')) {
		if (line === '') continue;
		const meta = line.match(new RegExp(`^# (HELP|TYPE) (${name}) ?(.*)$`));
		if (meta) {
			if (meta[1] === 'TYPE') {
				expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
				types.set(meta[2], meta[3]);
			}
			continue;
		}
		const m = line.match(sampleLine);
		if (!m) throw new Error(`not a sample line: ${line}`);
		const labels: Record<string, string> = {};
		if (m[2]) {
			labelPair.lastIndex = 0;
			let consumed = 0;
			for (let p; (p = labelPair.exec(m[2])); consumed = labelPair.lastIndex)
				labels[p[1]] = p[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
			if (consumed !== m[2].length) throw new Error(`bad labels: ${line}`);
		}
		// Values as Prometheus reads them (Go's ParseFloat): NaN and ±Inf in any letter case.
		const special = /^([+-]?)(inf|nan)$/i.exec(m[3]);
		const value = special
			? special[2].toLowerCase() === 'nan'
				? NaN
				: special[1] === '-'
					? -Infinity
					: Infinity
			: Number(m[3]);
		if (Number.isNaN(value) && !special) throw new Error(`bad value: ${line}`);
		samples.push({ name: m[1], labels, value });
	}
	return { types, samples };
}

describe('GET /metrics exposition', () => {
	it('parses as Prometheus text with ingestion, commit, queue, viewers, alerts, event loop and process metrics', async () => {
		readFrom({ queue: () => 42, viewers: () => 7, ready: () => 1 });
		observeIngest(3, { accepted: 10, duplicates: 2, rejected: 1 });
		observeIngest(3, null);
		observeCommit(12, false);
		observeAlertEvaluation(80, false);
		const { body, contentType } = await scrape();
		expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
		const { types, samples } = parseExposition(body);
		const value = (n: string, labels: Record<string, string> = {}) =>
			samples.find((s) => s.name === n && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

		expect(types.get('resonance_ingest_events_total')).toBe('counter');
		expect(value('resonance_ingest_events_total', { source: '3', outcome: 'accepted' })).toBe(10);
		expect(value('resonance_ingest_events_total', { source: '3', outcome: 'duplicate' })).toBe(2);
		expect(value('resonance_ingest_events_total', { source: '3', outcome: 'rejected' })).toBe(1);
		expect(value('resonance_ingest_requests_total', { source: '3', result: 'failed' })).toBe(1);
		expect(types.get('resonance_ingest_commit_seconds')).toBe('histogram');
		expect(value('resonance_ingest_commit_seconds_bucket', { le: '0.02', result: 'committed' })).toBe(1);
		expect(value('resonance_ingest_commit_seconds_count', { result: 'committed' })).toBe(1);
		expect(value('resonance_ingest_writer_queue_events')).toBe(42);
		expect(value('resonance_sse_viewers')).toBe(7);
		expect(value('resonance_ready')).toBe(1);
		expect(value('resonance_alert_evaluations_total', { result: 'ok' })).toBe(1);
		expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
		expect(value('process_resident_memory_bytes')).toBeGreaterThan(1e6);
		expect(value('process_cpu_seconds_total')).toBeGreaterThan(0);
	});
});
