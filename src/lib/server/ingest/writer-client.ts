import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { WriteBatch, WriteResult } from './writer';
import type { FromWriter, ToWriter, WriterThreadData } from './writer-protocol';

/**
 * The writer thread's young generation (V8's new space: two semi-spaces and large objects, a third each): 96 MB, twice
 * the default. A group commit's events, rows and rollup deltas live until its commit; with 16 MB semi-spaces the thread
 * scavenged ~80 times per 150,000 contact-heavy events and spent ~5.5 µs per event in GC pauses, with 32 MB ~40 times
 * and ~3.2 µs (the writer alone, in-process, session 13); in the HTTP bench the thread scavenged 0.46 times per
 * 1,000 events instead of 0.80. It costs up to 32 MB more RSS, only while ingestion is busy (V8 grows the semi-spaces
 * with the allocation rate).
 */
export const WRITER_YOUNG_GENERATION_MB = 96;

interface Pending {
	resolve: (results: (WriteResult | Error)[]) => void;
	reject: (error: Error) => void;
}

/**
 * The writer thread seen from the server's main thread: `write` hands a group commit's batches over and resolves
 * after their transaction committed there. HTTP, parsing, validation and redaction stay on the main thread, so the
 * two run on both cores and a long transaction never stalls pages or live streams. If the thread dies, the
 * transactions in flight are reported failed (their requests get 503 and retry; nothing was acknowledged) and a
 * new thread is started.
 */
export class WriterThread {
	private worker!: Worker;
	private pending = new Map<number, Pending>();
	private nextId = 1;
	private closing = false;
	private startedAt = 0;
	private quickExits = 0;
	/** Set when the thread keeps dying at start: writes then fail at once (503) instead of waiting. */
	private broken: Error | null = null;
	/** Resolves once the thread has opened the database. */
	ready!: Promise<void>;

	constructor(
		private readonly url: URL,
		private readonly data: WriterThreadData
	) {
		this.start();
	}

	private start() {
		this.startedAt = Date.now();
		const worker = new Worker(this.url, {
			workerData: this.data,
			name: 'resonance-writer',
			resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB }
		});
		// The thread never keeps the process alive on its own: at shutdown the requests that wait for it do.
		worker.unref();
		this.worker = worker;
		this.ready = new Promise((resolve, reject) => {
			worker.once('error', reject);
			const onReady = (m: FromWriter) => {
				if (m.kind !== 'ready') return;
				worker.off('error', reject);
				worker.off('message', onReady);
				resolve();
			};
			worker.on('message', onReady);
		});
		this.ready.catch(() => undefined);
		worker.on('message', (m: FromWriter) => this.receive(m));
		worker.on('error', (error) => console.error('ingest: the writer thread failed', error));
		worker.on('exit', (code) => {
			if (this.worker !== worker) return;
			const error = new Error(`the writer thread exited (code ${code})`);
			this.failAll(error);
			if (this.closing) return;
			// A thread that dies within a second of starting, five times running, is not restarted again.
			this.quickExits = Date.now() - this.startedAt < 1000 ? this.quickExits + 1 : 0;
			if (this.quickExits >= 5) {
				this.broken = error;
				console.error('ingest: the writer thread keeps failing at start; ingestion answers 503', error);
			} else this.start();
		});
	}

	private receive(m: FromWriter) {
		if (m.kind !== 'written' && m.kind !== 'failed') return;
		const p = this.pending.get(m.id);
		if (!p) return;
		this.pending.delete(m.id);
		if (m.kind === 'failed') p.reject(new Error(m.error));
		else p.resolve(m.results.map((r) => ('ok' in r ? r.ok : new Error(r.error))));
	}

	private failAll(error: Error) {
		for (const p of this.pending.values()) p.reject(error);
		this.pending.clear();
	}

	private send(message: ToWriter) {
		this.worker.postMessage(message);
	}

	/**
	 * How busy the thread's event loop has been (node's event-loop utilization; pass an earlier reading for the
	 * interval since): near 1 means writing is the bottleneck.
	 */
	utilization(since?: EventLoopUtilization): EventLoopUtilization {
		return this.worker.performance.eventLoopUtilization(since);
	}

	/** The running thread's heap limits as V8 applied them. */
	get heapLimits(): Worker['resourceLimits'] {
		return this.worker.resourceLimits;
	}

	/** Whether the thread was given up on (it kept dying at start). */
	get failed(): boolean {
		return this.broken !== null;
	}

	/** Writes the batches in one transaction in the writer thread; resolves after it committed. */
	write(batches: readonly WriteBatch[]): Promise<(WriteResult | Error)[]> {
		if (this.closing) return Promise.reject(new Error('the writer thread is closing'));
		if (this.broken) return Promise.reject(this.broken);
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.send({ kind: 'write', id, batches: batches.map(forThread) });
		});
	}

	/** Journey definitions changed in this thread: the writer thread recompiles its catalog. */
	catalogChanged(): void {
		if (!this.closing) this.send({ kind: 'catalog-changed' });
	}

	/** Lets writes in flight finish, then closes the thread's connection and stops it. */
	async close(): Promise<void> {
		if (this.closing) return;
		this.closing = true;
		if (this.broken) return;
		const worker = this.worker;
		const closed = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
		worker.postMessage({ kind: 'close' } satisfies ToWriter);
		await closed;
	}
}

/**
 * A batch as it is posted to the thread. With prepared events the properties travel once, as the JSON text the
 * writer stores, and each event carries one shared empty object instead (sent once per message): the copy across
 * threads costs about half as much.
 */
function forThread(batch: WriteBatch): WriteBatch {
	if (!batch.prepared) return batch;
	return { ...batch, events: batch.events.map((e) => ({ ...e, properties: IN_PREPARED })) };
}

const IN_PREPARED: Record<string, unknown> = Object.freeze({});
