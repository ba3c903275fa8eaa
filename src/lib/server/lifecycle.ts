import { closeAllStreams } from '$lib/server/live/stream';

/**
 * Graceful shutdown. On SIGTERM (or SIGINT) adapter-node stops accepting connections and waits for the requests in
 * flight; here the process turns unready (`GET /readyz` answers 503, new requests too), ends every live stream
 * with a `retry:` hint so those connections close at once, and once the HTTP server has closed
 * (`sveltekit:shutdown`) the ingestion writer is drained: every acknowledged event was committed before its answer,
 * and nothing is acknowledged after the drain starts.
 */
let draining = false;

export const isDraining = () => draining;

/** How long browsers wait before reconnecting a stream closed by a shutdown. */
export const RECONNECT_MS = 3000;

export function startDraining(reason: string): void {
	if (draining) return;
	draining = true;
	const streams = closeAllStreams(RECONNECT_MS);
	console.log(`[resonance] ${reason}: draining (${streams} live streams closed)`);
}

/**
 * Installs the shutdown sequence: drain on the signals, then `finish` (drain the writer, close the database) when
 * the HTTP server has closed, then exit. `graceMs` bounds the whole (a stuck request must not keep the process).
 */
export function installShutdown(finish: () => Promise<void>, graceMs = 30_000): void {
	const onSignal = (signal: NodeJS.Signals) => {
		startDraining(signal);
		setTimeout(() => {
			console.error(`[resonance] shutdown took over ${graceMs} ms; exiting`);
			process.exit(1);
		}, graceMs).unref();
	};
	process.once('SIGTERM', onSignal);
	process.once('SIGINT', onSignal);
	process.once('sveltekit:shutdown', () => {
		startDraining('shutdown');
		console.log('[resonance] HTTP server closed; draining the writer');
		// The writer thread does not hold the process open by itself: this does, until it has closed.
		const keepAlive = setInterval(() => undefined, 1000);
		void finish().then(
			() => {
				clearInterval(keepAlive);
				console.log('[resonance] writer drained; exiting');
				process.exit(0);
			},
			(error) => {
				console.error('[resonance] shutdown failed', error);
				process.exit(1);
			}
		);
	});
}
