import type { CxEvent } from '$lib/model';

/**
 * Drops repeats of an id within one request (the first occurrence wins). Repeats across requests, and between
 * concurrent requests, are caught by the writer, which claims each (source, id) inside the write transaction.
 */
export function dedupeWithinBatch<T extends { event: CxEvent }>(
	items: readonly T[]
): { unique: T[]; repeats: T[] } {
	const seen = new Set<string>();
	const unique: T[] = [];
	const repeats: T[] = [];
	for (const item of items) {
		if (seen.has(item.event.id)) repeats.push(item);
		else {
			seen.add(item.event.id);
			unique.push(item);
		}
	}
	return { unique, repeats };
}
