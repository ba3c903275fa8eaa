import type { CxEvent } from '$lib/model';

export interface SimulatorOptions {
	/** Produces the events that happened since the previous tick. */
	produce: (now: number, incident: boolean) => CxEvent[];
	/** The ingestion endpoint (native API), e.g. http://127.0.0.1:3000/api/v1/events. */
	target: string;
	writeKey: string;
	/** Milliseconds between posts. */
	intervalMs?: number;
	incident?: boolean;
}

export interface Simulator {
	sent(): number;
	failed(): number;
	incident(): boolean;
	setIncident(on: boolean): void;
	stop(): void;
}

/**
 * The live simulator is an ordinary client of the ingestion API: it posts what `produce` returns to the native
 * endpoint with its write key, exactly as a bank's systems would, and never writes to tables itself.
 * Failed posts are retried with the same event ids on the next tick (the server de-duplicates).
 */
export function startSimulator(options: SimulatorOptions): Simulator {
	let sent = 0;
	let failed = 0;
	let incident = options.incident ?? false;
	let pending: CxEvent[] = [];
	let busy = false;

	const tick = async () => {
		if (busy) return;
		busy = true;
		let batch: CxEvent[] = pending;
		try {
			batch = pending.concat(options.produce(Date.now(), incident));
			pending = [];
			if (batch.length > 0) {
				const response = await fetch(options.target, {
					method: 'POST',
					headers: { 'content-type': 'application/json', authorization: `Bearer ${options.writeKey}` },
					body: JSON.stringify({ events: batch }),
					// A request that hangs must not stop the simulator: give up and resend the same ids next tick.
					signal: AbortSignal.timeout(15_000)
				});
				if (response.ok) {
					const answer = (await response.json()) as { accepted?: number };
					sent += answer.accepted ?? 0;
				} else {
					failed++;
					if (failed === 1 || failed % 60 === 0)
						console.error(`[resonance] demo simulator: ingestion answered ${response.status}`);
					// Keep at most a few minutes of events while the server refuses them.
					if (response.status >= 500 || response.status === 429) pending = batch.slice(-5_000);
				}
			}
		} catch (error) {
			failed++;
			pending = batch.slice(-5_000);
			if (failed === 1 || failed % 60 === 0)
				console.error(`[resonance] demo simulator: ${failed} failed posts, last:`, error);
		} finally {
			busy = false;
		}
	};

	const timer = setInterval(() => void tick(), options.intervalMs ?? 1000);
	timer.unref();
	return {
		sent: () => sent,
		failed: () => failed,
		incident: () => incident,
		setIncident: (on) => {
			incident = on;
		},
		stop: () => clearInterval(timer)
	};
}
