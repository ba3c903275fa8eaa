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
		const batch = pending.concat(options.produce(Date.now(), incident));
		pending = [];
		try {
			if (batch.length > 0) {
				const response = await fetch(options.target, {
					method: 'POST',
					headers: { 'content-type': 'application/json', authorization: `Bearer ${options.writeKey}` },
					body: JSON.stringify({ events: batch })
				});
				if (response.ok) {
					const answer = (await response.json()) as { accepted?: number };
					sent += answer.accepted ?? 0;
				} else {
					failed++;
					// Keep at most a few minutes of events while the server refuses them.
					if (response.status >= 500 || response.status === 429) pending = batch.slice(-5_000);
				}
			}
		} catch {
			failed++;
			pending = batch.slice(-5_000);
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
