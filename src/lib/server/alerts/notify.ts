import type { AlertChange } from './store';

/**
 * In-process announcements of alert changes: the SSE hub (`event: alert` on /api/v1/stream), the bell's own
 * stream and anything else that wants to know. A listener that throws is logged and does not stop the others.
 */
export type AlertListener = (change: AlertChange) => void;

const listeners = new Set<AlertListener>();

export function onAlertChange(listener: AlertListener): () => void {
	listeners.add(listener);
	return () => {
		listeners.delete(listener);
	};
}

export function announce(changes: readonly AlertChange[]): void {
	for (const change of changes)
		for (const listener of listeners) {
			try {
				listener(change);
			} catch (error) {
				console.error('[resonance] alerts: a listener failed', error);
			}
		}
}
