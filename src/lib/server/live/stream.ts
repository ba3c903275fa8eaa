/**
 * Server-Sent Events for live screens. Viewers subscribe with a filter key (the canonical form of their query and
 * scope); commits only mark the hub dirty, and a ticker computes at most one snapshot per filter key per interval
 * and sends it to every viewer of that key — so 200 viewers of the wallboard cost one query a second, not 200 per
 * event.
 */

export type Send = (event: string, data: unknown) => void;

export interface SnapshotHubOptions<T> {
	/** Computes the snapshot for a filter key; called at most once per interval per key with viewers. */
	compute: (filterKey: string) => T;
	/** Minimum time between two snapshots of one key (default 1000 ms). */
	intervalMs?: number;
	/** How often the hub looks for work (default 200 ms, so a commit is visible within ~interval + tick). */
	tickMs?: number;
	/** Comment lines that keep idle connections open through proxies (default 15 s). */
	heartbeatMs?: number;
	onError?: (error: unknown, filterKey: string) => void;
}

export interface SnapshotHub {
	subscribe(filterKey: string, send: Send): () => void;
	/** Something was committed: snapshots are due at the next tick (subject to the interval). */
	markDirty(): void;
	/** Sends an event to every viewer, whatever their filter (e.g. `alert`), optionally only those a predicate allows. */
	broadcast(event: string, data: unknown, to?: (filterKey: string) => boolean): void;
	viewers(): number;
	stop(): void;
}

export function createSnapshotHub<T>(options: SnapshotHubOptions<T>): SnapshotHub {
	const intervalMs = options.intervalMs ?? 1000;
	const viewersByKey = new Map<string, Set<Send>>();
	const lastSentAt = new Map<string, number>();
	const lastSnapshot = new Map<string, T>();
	const dirtyKeys = new Set<string>();

	const sendTo = (key: string, event: string, data: unknown) => {
		for (const send of viewersByKey.get(key) ?? []) send(event, data);
	};

	const flush = (key: string) => {
		try {
			const snapshot = options.compute(key);
			lastSentAt.set(key, Date.now());
			lastSnapshot.set(key, snapshot);
			dirtyKeys.delete(key);
			sendTo(key, 'kpis', snapshot);
		} catch (error) {
			dirtyKeys.delete(key);
			options.onError?.(error, key);
		}
	};

	const tick = setInterval(() => {
		const now = Date.now();
		for (const key of dirtyKeys) if (now - (lastSentAt.get(key) ?? 0) >= intervalMs) flush(key);
	}, options.tickMs ?? 200);
	tick.unref?.();

	const heartbeat = setInterval(() => {
		for (const key of viewersByKey.keys()) sendTo(key, '', null);
	}, options.heartbeatMs ?? 15_000);
	heartbeat.unref?.();

	return {
		subscribe(key, send) {
			let set = viewersByKey.get(key);
			if (!set) viewersByKey.set(key, (set = new Set()));
			set.add(send);
			// A new viewer gets a snapshot right away: the one just sent to this key's viewers, or a fresh one.
			if (Date.now() - (lastSentAt.get(key) ?? 0) >= intervalMs) flush(key);
			else send('kpis', lastSnapshot.get(key));
			return () => {
				set.delete(send);
				if (set.size === 0) {
					viewersByKey.delete(key);
					dirtyKeys.delete(key);
					lastSentAt.delete(key);
					lastSnapshot.delete(key);
				}
			};
		},
		markDirty() {
			for (const key of viewersByKey.keys()) dirtyKeys.add(key);
		},
		broadcast(event, data, to) {
			for (const key of viewersByKey.keys()) if (!to || to(key)) sendTo(key, event, data);
		},
		viewers() {
			let n = 0;
			for (const set of viewersByKey.values()) n += set.size;
			return n;
		},
		stop() {
			clearInterval(tick);
			clearInterval(heartbeat);
			viewersByKey.clear();
		}
	};
}

const encoder = new TextEncoder();

/** Formats one SSE message; an empty event name sends a comment (heartbeat). */
export function formatSse(event: string, data: unknown): string {
	if (!event) return ': ping\n\n';
	return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * A streaming `text/event-stream` Response. `attach` receives the send function and returns the cleanup that runs
 * when the viewer goes away (the stream is cancelled).
 */
export function sseResponse(attach: (send: Send) => () => void, retryMs = 2000): Response {
	let detach: (() => void) | undefined;
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encoder.encode(`retry: ${retryMs}\n\n`));
			const send: Send = (event, data) => {
				try {
					controller.enqueue(encoder.encode(formatSse(event, data)));
				} catch {
					detach?.();
				}
			};
			detach = attach(send);
		},
		cancel() {
			detach?.();
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
