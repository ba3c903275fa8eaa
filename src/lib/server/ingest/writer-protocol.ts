import type { WriteBatch, WriteResult } from './writer';

/** What the writer thread is started with. */
export interface WriterThreadData {
	/** The database file (the thread opens its own connection). */
	file: string;
	dedupeWindowMs: number;
}

/** Messages to the writer thread. */
export type ToWriter =
	| { kind: 'write'; id: number; batches: readonly WriteBatch[] }
	/** Journey definitions or name mappings changed: recompile the catalog before the next write. */
	| { kind: 'catalog-changed' }
	| { kind: 'close' };

/** Messages from the writer thread. */
export type FromWriter =
	| { kind: 'ready' }
	/** The transaction committed; one result per batch, or that batch's error (nothing of that batch was written). */
	| { kind: 'written'; id: number; results: ({ ok: WriteResult } | { error: string })[] }
	/** The transaction failed as a whole: nothing of it was written. */
	| { kind: 'failed'; id: number; error: string }
	| { kind: 'closed' };
