import { createHash } from 'node:crypto';

/**
 * Server-Sent Events for live screens. Viewers subscribe with a filter key (the canonical form of their query and
 * scope); commits only mark the hub dirty, and each key with viewers gets one snapshot per burst of commits, sent to
 * every viewer of that key — so 200 viewers of the wallboard cost one query per change, not 200 per event.
 *
 * Scheduling is per key: the first commit after a snapshot opens a short window (`windowMs`, 100 ms) that gathers the
 * commits of the same burst; the snapshot is computed at its end, and never sooner than `minGapMs` (200 ms) after the
 * key's previous computation started, which bounds the queries a key costs however fast commits arrive. A snapshot
 * whose fingerprint (what the viewers see, without its timestamps) equals the last one sent is not sent again. An
 * accepted event therefore reaches viewers within `max(windowMs, minGapMs)` plus the compute time.
 */

export type Send = (event: string, data: unknown) => void;

export interface SnapshotHubOptions<T> {
	/**
	 * Computes the snapshot for a filter key; called at most once per `minGapMs` per key with viewers, and never twice
	 * at once for a key (a commit during a computation is covered by the next one).
	 */
	compute: (filterKey: string) => T | Promise<T>;
	/** How long after the first commit of a burst its snapshot is computed (default 100 ms). */
	windowMs?: number;
	/** Minimum time between the starts of two computations of one key (default 200 ms): the rate bound. */
	minGapMs?: number;
	/** A new viewer is sent the last snapshot when it is younger than this, a fresh one otherwise (default 1000 ms). */
	reuseMs?: number;
	/**
	 * What viewers see of a snapshot, as text: two snapshots with the same fingerprint are the same to a viewer and
	 * the second is not sent (default: the whole snapshot as JSON).
	 */
	fingerprint?: (snapshot: T) => string;
	/** Keep-alive for idle connections through proxies (default 15 s). */
	heartbeatMs?: number;
	/**
	 * The heartbeat as a named event carrying the time (lets a browser notice a silently dead connection), or a
	 * comment line when absent.
	 */
	heartbeatEvent?: string;
	onError?: (error: unknown, filterKey: string) => void;
}

export interface SnapshotHub {
	subscribe(filterKey: string, send: Send): () => void;
	/** Something was committed: every key with viewers gets a snapshot once its window closes (if it changed). */
	markDirty(): void;
	/** Sends an event to every viewer, whatever their filter (e.g. `alert`), optionally only those a predicate allows. */
	broadcast(event: string, data: unknown, to?: (filterKey: string) => boolean): void;
	viewers(): number;
	/** Filter keys with viewers (distinct views being watched). */
	keys(): string[];
	stop(): void;
}

const hashOf = (text: string) => createHash('sha1').update(text).digest('base64');

export function createSnapshotHub<T>(options: SnapshotHubOptions<T>): SnapshotHub {
	const windowMs = options.windowMs ?? 100;
	const minGapMs = options.minGapMs ?? 200;
	const reuseMs = options.reuseMs ?? 1000;
	const fingerprint = options.fingerprint ?? ((snapshot: T) => JSON.stringify(snapshot) ?? '');
	const viewersByKey = new Map<string, Set<Send>>();
	/** When the key's last computation started. */
	const lastComputedAt = new Map<string, number>();
	const lastSnapshot = new Map<string, { snapshot: T; hash: string; at: number }>();
	const due = new Map<string, ReturnType<typeof setTimeout>>();

	const sendTo = (key: string, event: string, data: unknown) => {
		for (const send of viewersByKey.get(key) ?? []) send(event, data);
	};

	/** Keys whose snapshot is being computed (asynchronously); a commit meanwhile is covered by the next one. */
	const computing = new Set<string>();
	const dirtyWhileComputing = new Set<string>();
	/** Keys with a viewer waiting for the snapshot under way: it is sent even if unchanged. */
	const awaited = new Set<string>();

	const deliver = (key: string, snapshot: T) => {
		if (!viewersByKey.has(key)) return;
		const hash = hashOf(fingerprint(snapshot));
		const previous = lastSnapshot.get(key);
		// Unchanged for a viewer: nothing is sent (the previous one stays the one a new viewer gets).
		if (!awaited.delete(key) && previous && previous.hash === hash) {
			previous.at = Date.now();
			return;
		}
		lastSnapshot.set(key, { snapshot, hash, at: Date.now() });
		sendTo(key, 'kpis', snapshot);
	};

	const flush = (key: string) => {
		const timer = due.get(key);
		if (timer) clearTimeout(timer);
		due.delete(key);
		if (!viewersByKey.has(key)) return;
		if (computing.has(key)) {
			dirtyWhileComputing.add(key);
			return;
		}
		lastComputedAt.set(key, Date.now());
		let result: T | Promise<T>;
		try {
			result = options.compute(key);
		} catch (error) {
			options.onError?.(error, key);
			return;
		}
		if (!(result instanceof Promise)) {
			deliver(key, result);
			return;
		}
		computing.add(key);
		void result
			.then(
				(snapshot) => deliver(key, snapshot),
				(error: unknown) => options.onError?.(error, key)
			)
			.finally(() => {
				computing.delete(key);
				// Commits during the computation: their window has been running meanwhile.
				if (dirtyWhileComputing.delete(key)) schedule(key, 0);
			});
	};

	/** A snapshot of the key `delay` ms from now, or as soon after as the rate bound allows. */
	const schedule = (key: string, delay: number) => {
		if (due.has(key)) return;
		if (computing.has(key)) {
			dirtyWhileComputing.add(key);
			return;
		}
		const wait = Math.max(delay, (lastComputedAt.get(key) ?? -Infinity) + minGapMs - Date.now());
		const timer = setTimeout(() => flush(key), wait);
		timer.unref?.();
		due.set(key, timer);
	};

	const heartbeat = setInterval(() => {
		for (const key of viewersByKey.keys())
			if (options.heartbeatEvent) sendTo(key, options.heartbeatEvent, Date.now());
			else sendTo(key, '', null);
	}, options.heartbeatMs ?? 15_000);
	heartbeat.unref?.();

	return {
		subscribe(key, send) {
			let set = viewersByKey.get(key);
			if (!set) viewersByKey.set(key, (set = new Set()));
			set.add(send);
			// A new viewer gets a snapshot right away: the last one of this key when it is recent (a snapshot due
			// or under way reaches this viewer too), or a fresh one.
			const recent = lastSnapshot.get(key);
			if (recent !== undefined && Date.now() - recent.at < reuseMs) send('kpis', recent.snapshot);
			else if (computing.has(key)) {
				// The snapshot under way reaches this viewer too.
				awaited.add(key);
			} else {
				// Sent even when it equals the last one: this viewer has not seen it.
				lastSnapshot.delete(key);
				flush(key);
			}
			return () => {
				set.delete(send);
				if (set.size === 0 && viewersByKey.get(key) === set) {
					viewersByKey.delete(key);
					const timer = due.get(key);
					if (timer) clearTimeout(timer);
					due.delete(key);
					lastComputedAt.delete(key);
					lastSnapshot.delete(key);
					awaited.delete(key);
				}
			};
		},
		markDirty() {
			for (const key of viewersByKey.keys()) schedule(key, windowMs);
		},
		broadcast(event, data, to) {
			for (const key of viewersByKey.keys()) if (!to || to(key)) sendTo(key, event, data);
		},
		viewers() {
			let n = 0;
			for (const set of viewersByKey.values()) n += set.size;
			return n;
		},
		keys() {
			return [...viewersByKey.keys()];
		},
		stop() {
			for (const timer of due.values()) clearTimeout(timer);
			due.clear();
			clearInterval(heartbeat);
			viewersByKey.clear();
		}
	};
}

const encoder = new TextEncoder();
/** One encoding per (message object, event) however many viewers it goes to: a snapshot is serialised once. */
const encodedMessages = new WeakMap<object, Map<string, Uint8Array>>();

/** The wire bytes of a message; objects are encoded once and shared by every viewer's stream. */
export function encodeSse(event: string, data: unknown): Uint8Array {
	if (data === null || typeof data !== 'object') return encoder.encode(formatSse(event, data));
	let byEvent = encodedMessages.get(data);
	if (!byEvent) encodedMessages.set(data, (byEvent = new Map()));
	let bytes = byEvent.get(event);
	if (!bytes) byEvent.set(event, (bytes = encoder.encode(formatSse(event, data))));
	return bytes;
}

/** Formats one SSE message; an empty event name sends a comment (heartbeat). */
export function formatSse(event: string, data: unknown): string {
	if (!event) return ': ping\n\n';
	return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Every open stream of this process, by the function that ends it (graceful shutdown). */
const openStreams = new Set<(retryMs: number) => void>();

/**
 * Ends every open stream (at shutdown), each with a `retry:` hint: the browser's EventSource reconnects after that
 * many milliseconds, to another instance or to this one restarted. Returns how many were open.
 */
export function closeAllStreams(retryMs: number): number {
	const all = [...openStreams];
	for (const close of all) close(retryMs);
	return all.length;
}

export interface SseOptions {
	retryMs?: number;
	/**
	 * Asked every `recheckMs` whether the viewer may still watch (session or key still valid, same role and teams);
	 * on false the stream is closed and its cleanup runs.
	 */
	recheck?: () => boolean | Promise<boolean>;
	recheckMs?: number;
	/**
	 * The identity `recheck` judges (auth/recheck.ts `recheckKeyOf`): the open streams with the same key share one
	 * recheck every `recheckMs` and all end together when it fails, so 200 wallboards of one session cost one
	 * query per interval, not 200. Without it each stream rechecks on its own.
	 */
	recheckKey?: string;
}

/** Streams that share a recheck: one timer, one question per interval, every member ended on a "no". */
interface RecheckGroup {
	recheck: () => boolean | Promise<boolean>;
	members: Set<() => void>;
	timer: ReturnType<typeof setInterval>;
}

const recheckGroups = new Map<string, RecheckGroup>();
/** Streams that rechecked on their own so far: each one's group key. */
let ownRechecks = 0;

/**
 * Joins `deny` to the recheck of `key` (started with this `recheck` when the key has no open stream yet); returns
 * how to leave. A stream joining between two checks is first checked at the group's next one, within `intervalMs`
 * as on its own.
 */
function joinRecheck(
	key: string,
	intervalMs: number,
	recheck: () => boolean | Promise<boolean>,
	deny: () => void
): () => void {
	const groupKey = `${intervalMs}|${key}`;
	let group = recheckGroups.get(groupKey);
	if (!group) {
		const created: RecheckGroup = {
			recheck,
			members: new Set(),
			timer: setInterval(async () => {
				let allowed: boolean;
				try {
					allowed = await created.recheck();
				} catch {
					allowed = false;
				}
				if (!allowed) for (const member of [...created.members]) member();
			}, intervalMs)
		};
		created.timer.unref?.();
		recheckGroups.set(groupKey, (group = created));
	}
	const joined = group;
	joined.members.add(deny);
	return () => {
		joined.members.delete(deny);
		if (joined.members.size === 0 && recheckGroups.get(groupKey) === joined) {
			clearInterval(joined.timer);
			recheckGroups.delete(groupKey);
		}
	};
}

/**
 * A streaming `text/event-stream` Response. `attach` receives the send function and returns the cleanup that runs
 * when the viewer goes away (the stream is cancelled) or is no longer allowed to watch (`recheck`).
 */
export function sseResponse(attach: (send: Send) => () => void, options: SseOptions = {}): Response {
	const retryMs = options.retryMs ?? 2000;
	let detached = false;
	let detach: (() => void) | undefined;
	let closer: ((retryMs: number) => void) | undefined;
	let leaveRecheck: (() => void) | undefined;
	const stop = () => {
		leaveRecheck?.();
		if (detached) return;
		detached = true;
		if (closer) openStreams.delete(closer);
		detach?.();
	};
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encoder.encode(`retry: ${retryMs}\n\n`));
			closer = (reconnectMs) => {
				stop();
				try {
					controller.enqueue(encoder.encode(`retry: ${reconnectMs}\n\n`));
					controller.close();
				} catch {
					// Already closed by the viewer.
				}
			};
			openStreams.add(closer);
			const send: Send = (event, data) => {
				if (detached) return;
				try {
					controller.enqueue(encodeSse(event, data));
				} catch {
					stop();
				}
			};
			detach = attach(send);
			const recheck = options.recheck;
			const deny = () => {
				stop();
				try {
					controller.close();
				} catch {
					// Already closed by the viewer.
				}
			};
			// Unless the viewer left already (a stream cancelled while `attach` ran). A stream without an identity to
			// share is a group of its own, under a key no identity can take.
			if (recheck && !detached) {
				const key =
					options.recheckKey !== undefined ? `identity:${options.recheckKey}` : `stream:${++ownRechecks}`;
				leaveRecheck = joinRecheck(key, options.recheckMs ?? 3000, recheck, deny);
			}
		},
		cancel() {
			stop();
		}
	});
	return new Response(stream, {
		headers: {
			'Content-Type': 'text/event-stream; charset=utf-8',
			'Cache-Control': 'no-store',
			Connection: 'keep-alive',
			'X-Accel-Buffering': 'no'
		}
	});
}
