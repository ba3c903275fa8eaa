import type { EventLoopUtilization } from 'node:perf_hooks';
import { quantileSorted } from '$lib/server/stats';
import type { CommitReport } from './batcher';
import type { IngestOutcome } from './pipeline';
import { redactionTotal } from './redact';
import { observeIngest } from '$lib/server/monitoring';
import type { Rejection } from './validate';

/**
 * The ingestion monitor (like Segment's source debugger): what each source sent and why events or whole requests
 * were refused, and how the group commit and the writer thread keep up. It lives in memory, one per ingestion
 * context (a database in one server process): every figure counts since this process started, in this process
 * only, and is gone after a restart. Recording is O(1) a request and memory is bounded: 60 minute buckets, short
 * ring buffers of samples and at most `MAX_SOURCES` sources.
 */

/** Samples kept per source. */
export const REJECTION_SAMPLES = 20;
export const FAILURE_SAMPLES = 10;
/** Rejected rows kept from one CSV import (its first ones), so one bad file does not push out every other sample. */
export const IMPORT_REJECTION_SAMPLES = 5;
/** Errors kept per rejected event in a sample. */
export const ERRORS_PER_SAMPLE = 3;
/** Sources tracked; past this, the one whose last request is oldest is forgotten. */
export const MAX_SOURCES = 200;
/** Origins whose refused CORS preflights are counted; past this, the one refused longest ago is forgotten. */
export const MAX_REFUSED_ORIGINS = 50;
/** Commits kept for the last minute's percentiles (a sliding 60 s window). */
export const COMMIT_SAMPLES = 8192;

const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;
const MESSAGE_CHARS = 300;
/** How often the writer thread's event-loop reading is kept, so a minute's busy share can be computed. */
const UTILIZATION_EVERY_MS = 5_000;
const UTILIZATION_READINGS = 16;

/** What a source sent, over a period. */
export interface SourceCounts {
	/** Requests answered (200 or an error), authenticated or not. */
	requests: number;
	/** Events stored. */
	accepted: number;
	/** Events whose id was already stored (stored once). */
	duplicates: number;
	/** Events refused for their fields (the rest of their batch is stored). */
	rejected: number;
	/** Items skipped on purpose (e.g. Segment `group`, PostHog `$pageview`). */
	ignored: number;
	/** Pieces of personal data redacted from free text. */
	redactions: number;
	/** Requests refused whole (4xx/5xx), by status code. */
	failedRequests: number;
	failedByStatus: Record<string, number>;
}

export interface RejectionSample {
	at: number;
	/** The route and format, e.g. `native`, `segment /v1/batch`, `posthog`, `csv import feedback`. */
	route: string;
	/** The item's index in its batch (a CSV import's row number, 1 = the first data row). */
	index: number;
	/** At most `ERRORS_PER_SAMPLE`, each naming its field. */
	errors: string[];
}

export interface FailureSample {
	at: number;
	route: string;
	status: number;
	code: string;
	message: string;
}

/** Events per minute over the last hour, oldest first; a minute without requests is 0. */
export interface MinuteSeries {
	/** The start of the oldest minute (epoch ms): entry i is the minute starting `i` minutes later. */
	from: number;
	accepted: number[];
	duplicates: number[];
	rejected: number[];
}

export interface SourceStatus {
	/** null: requests without a valid write key ("unknown key"). */
	sourceId: number | null;
	lastRequestAt: number | null;
	lastAcceptedAt: number | null;
	lastHour: SourceCounts;
	/** The minutes of `lastHour` (the current one last), for a chart. */
	lastHourByMinute: MinuteSeries;
	sinceStart: SourceCounts;
	/** Newest first. */
	rejections: RejectionSample[];
	failures: FailureSample[];
}

export interface WriterStatus {
	/** The 60 s before the reading. */
	lastMinute: {
		transactions: number;
		events: number;
		eventsPerTransaction: number | null;
		commitMsP50: number | null;
		commitMsP95: number | null;
		/** More commits than `COMMIT_SAMPLES` in the minute: the figures cover only the latest of them. */
		truncated: boolean;
	};
	lastHour: { transactions: number; events: number; failed: number };
	sinceStart: { transactions: number; events: number; failed: number };
	/** The writer thread's event-loop busy share (0–1), or null when writes happen on the main thread. */
	thread: {
		/** Over the last `overSeconds` (about a minute; null before two readings a few seconds apart). */
		busyShare: number | null;
		overSeconds: number | null;
		/** Since the thread started. */
		busyShareSinceStart: number;
	} | null;
}

/**
 * CORS preflights refused because no source allows their origin: a browser page (a bank's H5 page, portal, …)
 * whose events the browser then blocks before they reach Resonance, until an admin adds the origin to its source.
 */
export interface RefusedOrigin {
	origin: string;
	/** Preflights refused since this process started. */
	count: number;
	lastAt: number;
	/** The path the last one asked for, e.g. `/e/` or `/v1/batch`. */
	lastPath: string;
}

export interface IngestStatus {
	startedAt: number;
	now: number;
	/** Newest first. */
	refusedOrigins: RefusedOrigin[];
	/** Sources forgotten because more than `MAX_SOURCES` sent requests. */
	sourcesDropped: number;
	sources: SourceStatus[];
	writer: WriterStatus;
}

export interface RequestFailure {
	status: number;
	code: string;
	message: string;
}

interface Origin {
	sourceId: number | null;
	route: string;
	at: number;
}

/** A request as http.ts saw it: answered with an outcome, or refused whole. */
export type RequestRecord = Origin & ({ outcome: IngestOutcome } | { failure: RequestFailure });

/** A CSV import (one upload of any number of rows) as csv-import.ts saw it, recorded once as its totals. */
export interface ImportRecord extends Origin {
	accepted: number;
	duplicates: number;
	rejected: number;
	redactions: number;
	/** Rejected rows in row order, as the import's error report lists them; the first few are kept as samples. */
	rejections: readonly Rejection[];
	/** Refused, or stopped part-way: the rows of the chunks before were stored and are counted all the same. */
	failure?: RequestFailure;
}

type EventCounts = Pick<SourceCounts, 'accepted' | 'duplicates' | 'rejected' | 'ignored' | 'redactions'>;

const zeroCounts = (): SourceCounts => ({
	requests: 0,
	accepted: 0,
	duplicates: 0,
	rejected: 0,
	ignored: 0,
	redactions: 0,
	failedRequests: 0,
	failedByStatus: {}
});

function addCounts(into: SourceCounts, from: SourceCounts): void {
	into.requests += from.requests;
	into.accepted += from.accepted;
	into.duplicates += from.duplicates;
	into.rejected += from.rejected;
	into.ignored += from.ignored;
	into.redactions += from.redactions;
	into.failedRequests += from.failedRequests;
	for (const [status, n] of Object.entries(from.failedByStatus))
		into.failedByStatus[status] = (into.failedByStatus[status] ?? 0) + n;
}

/** A fixed-size buffer keeping the latest `capacity` items. */
export class Ring<T> {
	private items: T[] = [];
	private next = 0;
	constructor(readonly capacity: number) {}

	push(item: T): void {
		if (this.items.length < this.capacity) this.items.push(item);
		else this.items[this.next] = item;
		this.next = (this.next + 1) % this.capacity;
	}

	/** Newest first. */
	newestFirst(): T[] {
		const out: T[] = [];
		for (let i = 1; i <= this.items.length; i++)
			out.push(this.items[(this.next - i + this.capacity) % this.capacity]);
		return out;
	}

	get size(): number {
		return this.items.length;
	}
}

/** Counts per minute for the last hour: 60 buckets reused as the minutes roll over. */
class MinuteBuckets<C> {
	private minutes = new Array<number>(HOUR_MINUTES).fill(-1);
	private buckets: C[];
	constructor(private readonly zero: () => C) {
		this.buckets = Array.from({ length: HOUR_MINUTES }, zero);
	}

	/** The bucket of the minute holding `at`, emptied first if it held an older minute. */
	at(at: number): C {
		const minute = Math.floor(at / MINUTE_MS);
		const slot = minute % HOUR_MINUTES;
		if (this.minutes[slot] !== minute) {
			this.minutes[slot] = minute;
			this.buckets[slot] = this.zero();
		}
		return this.buckets[slot];
	}

	/** The buckets of the minute holding `now` and the 59 before it, oldest first; undefined where none was used. */
	byMinute(now: number): (C | undefined)[] {
		const first = Math.floor(now / MINUTE_MS) - HOUR_MINUTES + 1;
		return Array.from({ length: HOUR_MINUTES }, (_, i) => {
			const slot = (first + i) % HOUR_MINUTES;
			return this.minutes[slot] === first + i ? this.buckets[slot] : undefined;
		});
	}

	lastHour(now: number): C[] {
		return this.byMinute(now).filter((c) => c !== undefined);
	}
}

/** The start of the oldest minute of the hour ending with the minute holding `now`. */
const hourFrom = (now: number) => (Math.floor(now / MINUTE_MS) - HOUR_MINUTES + 1) * MINUTE_MS;

function minuteSeries(now: number, minutes: (SourceCounts | undefined)[]): MinuteSeries {
	return {
		from: hourFrom(now),
		accepted: minutes.map((c) => c?.accepted ?? 0),
		duplicates: minutes.map((c) => c?.duplicates ?? 0),
		rejected: minutes.map((c) => c?.rejected ?? 0)
	};
}

/** The sum of series of the same hour (the sources of one `status(now)`): all sources together. */
export function totalByMinute(series: readonly MinuteSeries[], now: number): MinuteSeries {
	const zeros = () => new Array<number>(HOUR_MINUTES).fill(0);
	const total = { from: hourFrom(now), accepted: zeros(), duplicates: zeros(), rejected: zeros() };
	for (const s of series)
		for (let i = 0; i < HOUR_MINUTES; i++) {
			total.accepted[i] += s.accepted[i];
			total.duplicates[i] += s.duplicates[i];
			total.rejected[i] += s.rejected[i];
		}
	return total;
}

class SourceTrack {
	lastRequestAt: number | null = null;
	lastAcceptedAt: number | null = null;
	readonly total = zeroCounts();
	readonly minutes = new MinuteBuckets(zeroCounts);
	readonly rejections = new Ring<RejectionSample>(REJECTION_SAMPLES);
	readonly failures = new Ring<FailureSample>(FAILURE_SAMPLES);
}

interface WriterCounts {
	transactions: number;
	events: number;
	failed: number;
}
const zeroWriter = (): WriterCounts => ({ transactions: 0, events: 0, failed: 0 });

/** Reads the writer thread's event-loop utilization (cumulative, or since an earlier reading). */
export type UtilizationReader = (since?: EventLoopUtilization) => EventLoopUtilization;

const UNKNOWN = 'unknown';

export class IngestMonitor {
	readonly startedAt: number;
	private sources = new Map<number | typeof UNKNOWN, SourceTrack>();
	private refusedOrigins = new Map<string, RefusedOrigin>();
	private dropped = 0;
	private writerTotal = zeroWriter();
	private writerMinutes = new MinuteBuckets(zeroWriter);
	private commitAt = new Float64Array(COMMIT_SAMPLES);
	private commitMs = new Float64Array(COMMIT_SAMPLES);
	private commitEvents = new Uint32Array(COMMIT_SAMPLES);
	private commits = 0;
	private readings = new Ring<{ at: number; elu: EventLoopUtilization }>(UTILIZATION_READINGS);
	private lastReadingAt = -Infinity;

	constructor(
		startedAt = Date.now(),
		private readonly utilization: UtilizationReader | null = null
	) {
		this.startedAt = startedAt;
	}

	private track(sourceId: number | null, at: number): SourceTrack {
		const key = sourceId ?? UNKNOWN;
		let track = this.sources.get(key);
		if (!track) {
			if (this.sources.size >= MAX_SOURCES) this.forgetOldest();
			this.sources.set(key, (track = new SourceTrack()));
		}
		track.lastRequestAt = at;
		return track;
	}

	/** Only when a new source arrives with `MAX_SOURCES` tracked: O(sources), rare. */
	private forgetOldest() {
		let oldestKey: number | typeof UNKNOWN | undefined;
		let oldest = Infinity;
		for (const [key, t] of this.sources)
			if ((t.lastRequestAt ?? -Infinity) < oldest) {
				oldest = t.lastRequestAt ?? -Infinity;
				oldestKey = key;
			}
		if (oldestKey !== undefined) this.sources.delete(oldestKey);
		this.dropped++;
	}

	/** Called once per ingestion request, after it was answered. */
	recordRequest(record: RequestRecord): void {
		if (!('outcome' in record)) {
			observeIngest(record.sourceId, null);
			return this.record(record, null, [], record.failure);
		}
		const o = record.outcome;
		observeIngest(record.sourceId, {
			accepted: o.accepted,
			duplicates: o.duplicates,
			rejected: o.rejected.length
		});
		const events = {
			accepted: o.accepted,
			duplicates: o.duplicates,
			rejected: o.rejected.length,
			ignored: o.ignored.length,
			redactions: redactionTotal(o.redacted)
		};
		// Only the last few can stay in the ring anyway.
		this.record(record, events, o.rejected.slice(-REJECTION_SAMPLES));
	}

	/** Called for each CORS preflight refused for its origin. */
	recordRefusedPreflight({ origin, path, at }: { origin: string; path: string; at: number }): void {
		const key = origin.slice(0, MESSAGE_CHARS);
		const known = this.refusedOrigins.get(key);
		if (known) {
			known.count++;
			known.lastAt = at;
			known.lastPath = path.slice(0, MESSAGE_CHARS);
			return;
		}
		if (this.refusedOrigins.size >= MAX_REFUSED_ORIGINS) {
			const oldest = [...this.refusedOrigins.values()].reduce((a, b) => (a.lastAt <= b.lastAt ? a : b));
			this.refusedOrigins.delete(oldest.origin);
		}
		this.refusedOrigins.set(key, {
			origin: key,
			count: 1,
			lastAt: at,
			lastPath: path.slice(0, MESSAGE_CHARS)
		});
	}

	/** Called once per CSV import, after it was answered: O(1) however many rows it had. */
	recordImport(record: ImportRecord): void {
		const { accepted, duplicates, rejected, redactions } = record;
		observeIngest(record.sourceId, record.failure ? null : { accepted, duplicates, rejected });
		const events = { accepted, duplicates, rejected, ignored: 0, redactions };
		this.record(record, events, record.rejections.slice(0, IMPORT_REJECTION_SAMPLES), record.failure);
	}

	private record(
		{ sourceId, route, at }: Origin,
		events: EventCounts | null,
		rejections: readonly Rejection[],
		failure?: RequestFailure
	): void {
		const track = this.track(sourceId, at);
		const delta: SourceCounts = { ...zeroCounts(), ...events, requests: 1 };
		if (delta.accepted) track.lastAcceptedAt = at;
		for (const r of rejections)
			track.rejections.push({ at, route, index: r.index, errors: r.errors.slice(0, ERRORS_PER_SAMPLE) });
		if (failure) {
			const { status, code, message } = failure;
			delta.failedRequests = 1;
			delta.failedByStatus[status] = 1;
			track.failures.push({ at, route, status, code, message: message.slice(0, MESSAGE_CHARS) });
		}
		addCounts(track.total, delta);
		addCounts(track.minutes.at(at), delta);
	}

	/** Called by the group commit after each transaction (see `GroupCommit`'s `onCommit`). */
	recordCommit(commit: CommitReport, at: number): void {
		const add = (c: WriterCounts) => {
			c.transactions++;
			c.events += commit.events;
			if (commit.failed) c.failed++;
		};
		add(this.writerTotal);
		add(this.writerMinutes.at(at));
		if (!commit.failed) {
			const slot = this.commits++ % COMMIT_SAMPLES;
			this.commitAt[slot] = at;
			this.commitMs[slot] = commit.durationMs;
			this.commitEvents[slot] = commit.events;
		}
		this.readUtilization(at);
	}

	/** Keeps a reading of the writer thread's utilization every few seconds (cheap: one call into node). */
	private readUtilization(at: number) {
		if (!this.utilization || at - this.lastReadingAt < UTILIZATION_EVERY_MS) return;
		this.lastReadingAt = at;
		try {
			this.readings.push({ at, elu: this.utilization() });
		} catch {
			// A thread being restarted has no reading; the next commit takes one.
		}
	}

	private writerStatus(now: number): WriterStatus {
		let transactions = 0;
		let events = 0;
		const durations: number[] = [];
		const kept = Math.min(this.commits, COMMIT_SAMPLES);
		let oldestKept = Infinity;
		for (let i = 0; i < kept; i++) {
			const at = this.commitAt[i];
			oldestKept = Math.min(oldestKept, at);
			if (at <= now - MINUTE_MS || at > now) continue;
			transactions++;
			events += this.commitEvents[i];
			durations.push(this.commitMs[i]);
		}
		durations.sort((a, b) => a - b);
		const lastHour = zeroWriter();
		for (const c of this.writerMinutes.lastHour(now)) {
			lastHour.transactions += c.transactions;
			lastHour.events += c.events;
			lastHour.failed += c.failed;
		}
		return {
			lastMinute: {
				transactions,
				events,
				eventsPerTransaction: transactions ? events / transactions : null,
				commitMsP50: quantileSorted(durations, 0.5),
				commitMsP95: quantileSorted(durations, 0.95),
				truncated: this.commits > COMMIT_SAMPLES && oldestKept > now - MINUTE_MS
			},
			lastHour,
			sinceStart: { ...this.writerTotal },
			thread: this.threadStatus(now)
		};
	}

	/** Busy share over the last minute or so: since the oldest reading not older than 60 s. */
	private threadStatus(now: number): WriterStatus['thread'] {
		if (!this.utilization) return null;
		try {
			return this.threadBusy(this.utilization, now);
		} catch {
			// The thread is being restarted.
			return null;
		}
	}

	private threadBusy(utilization: UtilizationReader, now: number): WriterStatus['thread'] {
		this.readUtilization(now);
		const since = this.readings
			.newestFirst()
			.filter((r) => r.at >= now - MINUTE_MS && r.at < now)
			.at(-1);
		const sinceStart = utilization().utilization;
		if (!since) return { busyShare: null, overSeconds: null, busyShareSinceStart: sinceStart };
		return {
			busyShare: utilization(since.elu).utilization,
			overSeconds: (now - since.at) / 1000,
			busyShareSinceStart: sinceStart
		};
	}

	/** Everything, for `GET /api/v1/ingest/status` and `/admin/ingestion`; sources by last request, newest first. */
	status(now = Date.now()): IngestStatus {
		const sources = [...this.sources.entries()].map(([key, t]): SourceStatus => {
			const minutes = t.minutes.byMinute(now);
			const lastHour = zeroCounts();
			for (const c of minutes) if (c) addCounts(lastHour, c);
			return {
				sourceId: key === UNKNOWN ? null : key,
				lastRequestAt: t.lastRequestAt,
				lastAcceptedAt: t.lastAcceptedAt,
				lastHour,
				lastHourByMinute: minuteSeries(now, minutes),
				sinceStart: { ...t.total, failedByStatus: { ...t.total.failedByStatus } },
				rejections: t.rejections.newestFirst(),
				failures: t.failures.newestFirst()
			};
		});
		sources.sort((a, b) => (b.lastRequestAt ?? 0) - (a.lastRequestAt ?? 0));
		return {
			startedAt: this.startedAt,
			now,
			sourcesDropped: this.dropped,
			refusedOrigins: [...this.refusedOrigins.values()]
				.map((r) => ({ ...r }))
				.sort((a, b) => b.lastAt - a.lastAt),
			sources,
			writer: this.writerStatus(now)
		};
	}
}
