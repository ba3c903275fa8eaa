import { Worker } from 'node:worker_threads';
import { builtFile } from '$lib/server/built-files';

/** Texts longer than this are scored in the text scorer's thread when there is one (shorter ones cost < 1 ms). */
export const LONG_TEXT_CHARS = 2_000;
/** The thread ends after this long without texts, giving back its memory (the dictionary, ~tens of MB). */
const IDLE_MS = 30_000;

export interface ToScorer {
	id: number;
	texts: string[];
}
export interface FromScorer {
	id: number;
	scores: (number | null)[];
}

interface Pending {
	resolve: (scores: (number | null)[]) => void;
	reject: (error: Error) => void;
}

/**
 * Sentiment of long texts in a worker thread (scorer-thread.ts), started when the first long text arrives and
 * ended after a quiet half minute. Ingestion awaits the scores as it awaits the write, so the main thread stays
 * free for pages and live streams while a batch of hostile 30,000-character comments is segmented. If the thread
 * fails, the texts in flight are rejected and the caller scores them itself (in slices on the main thread).
 */
export class TextScorer {
	private worker: Worker | null = null;
	private pending = new Map<number, Pending>();
	private nextId = 1;
	private idleTimer: NodeJS.Timeout | null = null;
	/** Texts scored in the thread since start (for tests and the monitor). */
	scored = 0;

	constructor(
		private readonly url: URL,
		private readonly idleMs = IDLE_MS
	) {}

	/** True while the thread runs. */
	get running(): boolean {
		return this.worker !== null;
	}

	score(texts: string[]): Promise<(number | null)[]> {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = null;
		const worker = (this.worker ??= this.start());
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			const message: ToScorer = { id, texts };
			worker.postMessage(message);
		});
	}

	/** Ends the thread now (at shutdown); texts in flight are rejected. */
	async close(): Promise<void> {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = null;
		const worker = this.worker;
		this.worker = null;
		this.failAll(new Error('the text scorer was closed'));
		await worker?.terminate();
	}

	private start(): Worker {
		const worker = new Worker(this.url, { name: 'resonance-text-scorer' });
		// Never keeps the process alive on its own: requests waiting for scores do.
		worker.unref();
		worker.on('message', (message: FromScorer) => {
			const waiting = this.pending.get(message.id);
			if (!waiting) return;
			this.pending.delete(message.id);
			this.scored += message.scores.length;
			waiting.resolve(message.scores);
			if (this.pending.size === 0 && this.worker === worker) this.armIdle(worker);
		});
		const ended = (error: Error) => {
			if (this.worker !== worker) return;
			this.worker = null;
			this.failAll(error);
		};
		worker.on('error', ended);
		worker.on('exit', (code) => ended(new Error(`the text scorer exited (${code})`)));
		return worker;
	}

	private armIdle(worker: Worker) {
		this.idleTimer = setTimeout(() => {
			if (this.worker !== worker || this.pending.size > 0) return;
			this.worker = null;
			void worker.terminate();
		}, this.idleMs);
		this.idleTimer.unref();
	}

	private failAll(error: Error) {
		for (const waiting of this.pending.values()) waiting.reject(error);
		this.pending.clear();
	}
}

let scorer: TextScorer | null | undefined;

/** The process's text scorer: the built thread (build/text-scorer.js) when there is one, else null (dev, tests). */
export function longTextScorer(): TextScorer | null {
	if (scorer === undefined) {
		const url = builtFile('text-scorer.js');
		scorer = url ? new TextScorer(url) : null;
	}
	return scorer;
}

/** Sets the process's text scorer (tests give one over a freshly bundled thread, or null for none). */
export function useTextScorer(next: TextScorer | null): void {
	scorer = next;
}
