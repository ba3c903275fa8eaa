import { relay as processRelay, type Relay } from '$lib/server/live/relay';

/**
 * Live embed viewers (open /embed/stream connections) per integration, across processes. Each process counts its
 * own streams and announces its counts through the live relay (the database's broadcast: LISTEN/NOTIFY on
 * PostgreSQL, nothing to tell on SQLite's single process) when they change (at most once per `announceMs`) and
 * every `heartbeatMs` while it has viewers; the others keep each process's latest counts for `ttlMs`, so a process
 * that died stops being counted. A process that starts listening asks the others to announce theirs at once.
 * `/admin/embed` shows the sum.
 */

export interface ViewerCounts {
	/** Counts an open embed stream; the returned function uncounts it (call once). */
	count(integrationId: string): () => void;
	/** Open streams of the integration in every process heard from. */
	viewers(integrationId: string): number;
	stop(): void;
}

const COUNTS = 'embed.viewers';
const ASK = 'embed.viewers.ask';

export function createViewerCounts(
	relay: Relay,
	options: { announceMs?: number; heartbeatMs?: number; ttlMs?: number } = {}
): ViewerCounts {
	const announceMs = options.announceMs ?? 1000;
	const heartbeatMs = options.heartbeatMs ?? 30_000;
	const ttlMs = options.ttlMs ?? 2.5 * heartbeatMs;
	const local = new Map<string, number>();
	const remote = new Map<string, { counts: Record<string, number>; at: number }>();
	let lastSentAt = -Infinity;
	let timer: ReturnType<typeof setTimeout> | undefined;
	/** Whether the others last heard of viewers here (then a drop to none is announced too). */
	let announcedAny = false;

	const send = () => {
		timer = undefined;
		lastSentAt = Date.now();
		announcedAny = local.size > 0;
		const data = JSON.stringify({ origin: relay.origin, counts: Object.fromEntries(local) });
		relay
			.announce(COUNTS, data)
			.catch((error: unknown) => console.error('[resonance] embed: announcing viewers failed', error));
	};
	const changed = () => {
		if (timer) return;
		const wait = lastSentAt + announceMs - Date.now();
		if (wait <= 0) send();
		else {
			timer = setTimeout(send, wait);
			timer.unref?.();
		}
	};
	const heartbeat = setInterval(() => {
		if (local.size > 0) changed();
	}, heartbeatMs);
	heartbeat.unref?.();

	const ask = () =>
		relay
			.announce(ASK)
			.catch((error: unknown) => console.error('[resonance] embed: asking for viewers failed', error));
	const stops = [
		relay.onAnnounce(
			COUNTS,
			(data) => {
				const message = JSON.parse(data) as { origin: string; counts: Record<string, number> };
				if (Object.keys(message.counts).length === 0) remote.delete(message.origin);
				else remote.set(message.origin, { counts: message.counts, at: Date.now() });
			},
			// Listening resumed after a drop: what the others have now is asked afresh.
			() => {
				remote.clear();
				void ask();
			}
		),
		relay.onAnnounce(ASK, () => {
			if (announcedAny || local.size > 0) changed();
		})
	];
	void ask();

	return {
		count(integrationId) {
			local.set(integrationId, (local.get(integrationId) ?? 0) + 1);
			changed();
			let done = false;
			return () => {
				if (done) return;
				done = true;
				const n = (local.get(integrationId) ?? 1) - 1;
				if (n > 0) local.set(integrationId, n);
				else local.delete(integrationId);
				changed();
			};
		},
		viewers(integrationId) {
			const now = Date.now();
			let n = local.get(integrationId) ?? 0;
			for (const [origin, r] of remote) {
				if (now - r.at > ttlMs) remote.delete(origin);
				else n += r.counts[integrationId] ?? 0;
			}
			return n;
		},
		stop() {
			if (timer) clearTimeout(timer);
			timer = undefined;
			clearInterval(heartbeat);
			for (const stop of stops) stop();
		}
	};
}

let counts: ViewerCounts | undefined;

/** This process's viewer counts, over its relay (created at first use, when the relay is attached). */
export function viewerCounts(): ViewerCounts {
	return (counts ??= createViewerCounts(processRelay()));
}
