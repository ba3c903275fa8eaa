import type { CxEvent, EventType } from '$lib/model';

/** What one ingestion request added to the database, published after its transaction committed. */
export interface AcceptedSummary {
	sourceId: number | null;
	/** Arrival time of the request, epoch ms. */
	receivedAt: number;
	accepted: number;
	duplicates: number;
	byType: Partial<Record<EventType, number>>;
	/** Free-text PII replaced before storing, by kind. */
	redacted: Partial<Record<string, number>>;
	/** The accepted events exactly as stored (already redacted). Treat as read-only. */
	events: readonly CxEvent[];
}

export type AcceptedListener = (summary: AcceptedSummary) => void;

const listeners = new Set<AcceptedListener>();

/**
 * Registers a listener for accepted events (live KPIs, alert evaluation). Listeners run synchronously after the
 * commit; one that throws is logged and does not affect ingestion or the other listeners.
 */
export function subscribe(listener: AcceptedListener): () => void {
	listeners.add(listener);
	return () => {
		listeners.delete(listener);
	};
}

export function publishAccepted(summary: AcceptedSummary): void {
	for (const listener of listeners) {
		try {
			listener(summary);
		} catch (error) {
			console.error('live bus: a listener failed', error);
		}
	}
}

export function listenerCount(): number {
	return listeners.size;
}
