import { describe, expect, it } from 'vitest';
import type { EventLoopUtilization } from 'node:perf_hooks';
import {
	ERRORS_PER_SAMPLE,
	FAILURE_SAMPLES,
	IMPORT_REJECTION_SAMPLES,
	IngestMonitor,
	MAX_REFUSED_ORIGINS,
	MAX_SOURCES,
	REJECTION_SAMPLES,
	Ring,
	totalByMinute
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
	it('counts refused preflights per origin, newest first, forgetting the oldest past the bound', () => {
		const monitor = new IngestMonitor(T0);
		monitor.recordRefusedPreflight({ origin: 'https://a.example', path: '/e/', at: T0 });
		monitor.recordRefusedPreflight({ origin: 'https://b.example', path: '/v1/t', at: T0 + 1 });
		monitor.recordRefusedPreflight({ origin: 'https://a.example', path: '/flags/', at: T0 + 2 });
		expect(monitor.status(T0 + 3).refusedOrigins).toEqual([
			{ origin: 'https://a.example', count: 2, lastAt: T0 + 2, lastPath: '/flags/' },
			{ origin: 'https://b.example', count: 1, lastAt: T0 + 1, lastPath: '/v1/t' }
		]);
		for (let i = 0; i < MAX_REFUSED_ORIGINS; i++)
			monitor.recordRefusedPreflight({ origin: `https://o${i}.example`, path: '/e/', at: T0 + 10 + i });
		const origins = monitor.status(T0 + 100).refusedOrigins.map((r) => r.origin);
		expect(origins).toHaveLength(MAX_REFUSED_ORIGINS);
		expect(origins).not.toContain('https://b.example');
		expect(origins).not.toContain('https://a.example');
	});

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

	it('gives the last hour minute by minute, oldest first, empty minutes as zeros', () => {
		const monitor = new IngestMonitor(T0);
		const send = (at: number, o: Partial<IngestOutcome>) =>
			monitor.recordRequest({ sourceId: 1, route: 'native', at, outcome: outcome(o) });
		send(T0 + 10_000, { accepted: 4, duplicates: 1 });
		send(T0 + 50_000, { accepted: 1, rejected: [{ index: 0, errors: ['events[0].ts: required'] }] });
		send(T0 + 3 * MIN + 1, { accepted: 2 });

		const series = (now: number) => monitor.status(now).sources[0].lastHourByMinute;
		const at3 = series(T0 + 3 * MIN + 30_000);
		// The current minute is the last of 60; T0's minute is 3 before it.
		expect(at3.from).toBe(T0 + 3 * MIN - 59 * MIN);
		expect(at3.accepted).toHaveLength(60);
		expect(at3.accepted.slice(-4)).toEqual([5, 0, 0, 2]);
		expect(at3.duplicates.slice(-4)).toEqual([1, 0, 0, 0]);
		expect(at3.rejected.slice(-4)).toEqual([1, 0, 0, 0]);
		expect(at3.accepted.slice(0, -4).every((n) => n === 0)).toBe(true);
		// The series adds up to the hour's counts.
		const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
		expect(sum(at3.accepted)).toBe(monitor.status(T0 + 3 * MIN + 30_000).sources[0].lastHour.accepted);

		// The minutes roll over: 59 minutes on, T0's minute is the oldest; a minute later it is gone.
		expect(series(T0 + 59 * MIN).accepted[0]).toBe(5);
		const at60 = series(T0 + 60 * MIN);
		expect(at60.accepted[0]).toBe(0);
		expect(at60.accepted[2]).toBe(2);
		// T0's slot reused by minute 60 holds only minute 60's count.
		send(T0 + 60 * MIN + 1, { accepted: 9 });
		expect(series(T0 + 60 * MIN + 2).accepted.at(-1)).toBe(9);
		expect(sum(series(T0 + 60 * MIN + 2).accepted)).toBe(11);
		expect(sum(series(T0 + 300 * MIN).accepted)).toBe(0);
	});

	it('adds the sources minute by minute for all sources together', () => {
		const monitor = new IngestMonitor(T0);
		monitor.recordRequest({ sourceId: 1, route: 'native', at: T0, outcome: outcome({ accepted: 2 }) });
		monitor.recordRequest({ sourceId: 2, route: 'posthog', at: T0 + 1, outcome: outcome({ accepted: 3 }) });
		monitor.recordRequest({
			sourceId: null,
			route: 'native',
			at: T0 + 2,
			failure: { status: 401, code: 'x', message: 'm' }
		});
		const status = monitor.status(T0 + MIN);
		const all = totalByMinute(
			status.sources.map((s) => s.lastHourByMinute),
			status.now
		);
		expect(all.from).toBe(status.sources[0].lastHourByMinute.from);
		expect(all.accepted.slice(-2)).toEqual([5, 0]);
		expect(totalByMinute([], status.now)).toMatchObject({ from: all.from, rejected: new Array(60).fill(0) });
	});

	it('records a CSV import once, as its totals, keeping its first rejected rows as samples', () => {
		const monitor = new IngestMonitor(T0);
		monitor.recordRequest({
			sourceId: 1,
			route: 'native',
			at: T0,
			outcome: outcome({ rejected: [{ index: 3, errors: ['events[3].ts: required'] }] })
		});
		// 100,000 rows, 1,000 of them rejected (the import's report keeps that many).
		const rejections = Array.from({ length: 1000 }, (_, i) => ({
			index: i * 100 + 2,
			errors: [`rows[${i * 100 + 2}].score: must be 1–5 for csat`, 'b', 'c', 'd']
		}));
		monitor.recordImport({
			sourceId: 1,
			route: 'csv import feedback',
			at: T0 + 1000,
			accepted: 98_000,
			duplicates: 900,
			rejected: 1100,
			redactions: 7,
			rejections
		});
		const s = monitor.status(T0 + 2000).sources[0];
		expect(s.sinceStart).toMatchObject({
			requests: 2,
			accepted: 98_000,
			duplicates: 900,
			rejected: 1101,
			ignored: 0,
			redactions: 7,
			failedRequests: 0
		});
		expect(s.lastHour).toEqual(s.sinceStart);
		expect(s.lastHourByMinute.accepted.at(-1)).toBe(98_000);
		expect(s.lastAcceptedAt).toBe(T0 + 1000);
		// The import's first rows, newest first like a batch's, then the earlier request's sample.
		expect(s.rejections).toHaveLength(IMPORT_REJECTION_SAMPLES + 1);
		expect(s.rejections.map((r) => r.index)).toEqual([402, 302, 202, 102, 2, 3]);
		expect(s.rejections[4]).toEqual({
			at: T0 + 1000,
			route: 'csv import feedback',
			index: 2,
			errors: ['rows[2].score: must be 1–5 for csat', 'b', 'c']
		});
		expect(s.failures).toEqual([]);
	});

	it('records an import refused, or stopped part-way, as a refused request with what it stored', () => {
		const monitor = new IngestMonitor(T0);
		const none = { accepted: 0, duplicates: 0, rejected: 0, redactions: 0, rejections: [] };
		monitor.recordImport({
			sourceId: null,
			route: 'csv import',
			at: T0,
			...none,
			failure: { status: 401, code: 'unauthorized', message: 'no valid write key' }
		});
		monitor.recordImport({
			sourceId: 4,
			route: 'csv import contact',
			at: T0 + 1,
			...none,
			accepted: 2000,
			failure: { status: 413, code: 'payload_too_large', message: 'over 100 MB a file' }
		});
		const [unknown, four] = monitor
			.status(T0 + 2)
			.sources.sort((a, b) => (a.sourceId ?? 0) - (b.sourceId ?? 0));
		expect(unknown.sinceStart).toMatchObject({ requests: 1, accepted: 0, failedByStatus: { '401': 1 } });
		expect(four.sinceStart).toMatchObject({ requests: 1, accepted: 2000, failedRequests: 1 });
		expect(four.failures[0]).toMatchObject({ route: 'csv import contact', status: 413 });
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
