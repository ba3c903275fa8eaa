import { describe, expect, it } from 'vitest';
import type { EventLoopUtilization } from 'node:perf_hooks';
import {
	ERRORS_PER_SAMPLE,
	FAILURE_SAMPLES,
	IngestMonitor,
	MAX_SOURCES,
	REJECTION_SAMPLES,
	Ring
} from './monitor';
import type { IngestOutcome } from './pipeline';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MIN = 60_000;

const outcome = (o: Partial<IngestOutcome> = {}): IngestOutcome => ({
	accepted: 0,
	duplicates: 0,
	rejected: [],
	ignored: [],
	redacted: {},
	...o
});

describe('IngestMonitor', () => {
	it('counts a source per request, and per minute for the last hour only', () => {
		const monitor = new IngestMonitor(T0);
		monitor.recordRequest({
			sourceId: 1,
			route: 'native',
			at: T0 + 1000,
			outcome: outcome({
				accepted: 3,
				duplicates: 1,
				rejected: [{ index: 4, errors: ['events[4].score: must be 0–10 for nps'] }],
				ignored: [{ index: 5, reason: 'group' }],
				redacted: { mobile: 2, email: 1 }
			})
		});
		monitor.recordRequest({
			sourceId: 1,
			route: 'native',
			at: T0 + 30 * MIN,
			outcome: outcome({ accepted: 2 })
		});

		const early = monitor.status(T0 + 30 * MIN).sources[0];
		expect(early.lastHour).toMatchObject({
			requests: 2,
			accepted: 5,
			duplicates: 1,
			rejected: 1,
			ignored: 1,
			redactions: 3
		});
		expect(early.lastAcceptedAt).toBe(T0 + 30 * MIN);

		// 61 minutes on, the first minute has left the hour; the totals keep it.
		const later = monitor.status(T0 + 61 * MIN).sources[0];
		expect(later.lastHour).toMatchObject({ requests: 1, accepted: 2, rejected: 0 });
		expect(later.sinceStart).toMatchObject({ requests: 2, accepted: 5, rejected: 1 });

		// A bucket reused by a later minute starts empty (minute 0 and minute 60 share a slot).
		monitor.recordRequest({
			sourceId: 1,
			route: 'native',
			at: T0 + 60 * MIN + 5,
			outcome: outcome({ accepted: 7 })
		});
		expect(monitor.status(T0 + 60 * MIN + 10).sources[0].lastHour).toMatchObject({
			requests: 2,
			accepted: 9
		});
		expect(monitor.status(T0 + 200 * MIN).sources[0].lastHour.requests).toBe(0);
	});

	it('keeps the last 20 rejections and 10 failures, newest first, three errors each', () => {
		const monitor = new IngestMonitor(T0);
		for (let i = 0; i < 30; i++)
			monitor.recordRequest({
				sourceId: 2,
				route: 'segment /v1/batch',
				at: T0 + i,
				outcome: outcome({ rejected: [{ index: i, errors: ['a', 'b', 'c', 'd'] }] })
			});
		for (let i = 0; i < 15; i++)
			monitor.recordRequest({
				sourceId: 2,
				route: 'native',
				at: T0 + 100 + i,
				failure: { status: 413, code: 'payload_too_large', message: `too big ${i}` }
			});
		const s = monitor.status(T0 + 1000).sources[0];
		expect(s.rejections).toHaveLength(REJECTION_SAMPLES);
		expect(s.rejections[0]).toMatchObject({ index: 29, route: 'segment /v1/batch' });
		expect(s.rejections.at(-1)?.index).toBe(10);
		expect(s.rejections[0].errors).toHaveLength(ERRORS_PER_SAMPLE);
		expect(s.failures).toHaveLength(FAILURE_SAMPLES);
		expect(s.failures[0].message).toBe('too big 14');
		expect(s.sinceStart).toMatchObject({ requests: 45, rejected: 30, failedRequests: 15 });
	});

	it('counts whole-request failures by status, and those without a valid key under the unknown key', () => {
		const monitor = new IngestMonitor(T0);
		const fail = (sourceId: number | null, status: number) =>
			monitor.recordRequest({
				sourceId,
				route: 'native',
				at: T0,
				failure: { status, code: 'x', message: 'm' }
			});
		fail(null, 401);
		fail(null, 401);
		fail(3, 429);
		fail(3, 415);
		fail(3, 429);
		const [a, b] = monitor.status(T0 + 1).sources.sort((x, y) => (x.sourceId ?? 0) - (y.sourceId ?? 0));
		expect(a).toMatchObject({ sourceId: null, lastAcceptedAt: null });
		expect(a.lastHour).toMatchObject({ requests: 2, failedRequests: 2, failedByStatus: { '401': 2 } });
		expect(b.sinceStart.failedByStatus).toEqual({ '429': 2, '415': 1 });
		expect(b.lastHour.failedRequests).toBe(3);
	});

	it('tracks at most MAX_SOURCES sources, forgetting the one whose last request is oldest', () => {
		const monitor = new IngestMonitor(T0);
		for (let id = 1; id <= MAX_SOURCES + 1; id++)
			monitor.recordRequest({ sourceId: id, route: 'native', at: T0 + id, outcome: outcome() });
		const status = monitor.status(T0 + MIN);
		expect(status.sources).toHaveLength(MAX_SOURCES);
		expect(status.sourcesDropped).toBe(1);
		expect(status.sources.some((s) => s.sourceId === 1)).toBe(false);
		expect(status.sources[0].sourceId).toBe(MAX_SOURCES + 1);
	});

	it('reports the last minute of commits: count, events per transaction, p50/p95', () => {
		const monitor = new IngestMonitor(T0);
		// An old commit, outside the minute.
		monitor.recordCommit({ batches: 1, events: 1000, durationMs: 999, failed: false }, T0);
		for (let i = 1; i <= 20; i++)
			monitor.recordCommit({ batches: 2, events: 10, durationMs: i, failed: false }, T0 + 2 * MIN + i);
		monitor.recordCommit({ batches: 1, events: 5, durationMs: 0, failed: true }, T0 + 2 * MIN + 30);
		const w = monitor.status(T0 + 2 * MIN + 100).writer;
		expect(w.lastMinute).toMatchObject({
			transactions: 20,
			events: 200,
			eventsPerTransaction: 10,
			// The project's quantile (linear between order statistics, as for funnel step times) of 1…20 ms.
			commitMsP50: 10.5,
			commitMsP95: 19.05,
			truncated: false
		});
		expect(w.lastHour).toEqual({ transactions: 22, events: 1205, failed: 1 });
		expect(w.thread).toBeNull();
	});

	it('reads the writer thread busy share over the last minute from its event-loop readings', () => {
		let active = 0;
		const elu = (a: number): EventLoopUtilization => ({ idle: 1000 - a, active: a, utilization: a / 1000 });
		const reader = (since?: EventLoopUtilization) => {
			if (!since) return elu(active);
			const d = active - since.active;
			return { idle: 0, active: d, utilization: d / 10_000 };
		};
		const monitor = new IngestMonitor(T0, reader);
		monitor.recordCommit({ batches: 1, events: 1, durationMs: 1, failed: false }, T0);
		active = 9000;
		const t = monitor.status(T0 + 10_000).writer.thread;
		expect(t).toMatchObject({ busyShare: 0.9, overSeconds: 10 });
	});
});

describe('Ring', () => {
	it('keeps the latest items up to its capacity', () => {
		const ring = new Ring<number>(3);
		for (let i = 1; i <= 5; i++) ring.push(i);
		expect(ring.newestFirst()).toEqual([5, 4, 3]);
		expect(ring.size).toBe(3);
	});
});
