import { Worker } from 'node:worker_threads';
import { builtFile } from '$lib/server/built-files';
import type { RedactionCounts } from '$lib/server/ingest/redact';
import type { CompiledTagRules, TagHit } from './tags';

/**
 * Texts longer than this are redacted, scored and analysed in the text scorer's thread when there is one (shorter
 * ones cost about a millisecond, and the main thread does them in slices).
 */
export const LONG_TEXT_CHARS = 2_000;
/** The thread ends after this long without texts, giving back its memory (the dictionary, ~tens of MB). */
const IDLE_MS = 30_000;

/** A long text redacted in the thread (and scored there when asked, on the redacted text, as the main thread does). */
export interface RedactedText {
	text: string;
	counts: RedactionCounts;
	sentiment?: number | null;
}

/** What the indexer needs of a text (analyze.ts's `analyzeText`, without the tokens). */
export interface AnalyzedText {
	sentiment: number | null;
	terms: string[];
	tags: TagHit[];
}

/** The thread's work: sentiment; redaction (and sentiment) at ingestion; the indexer's analysis. */
export type ToScorer =
	| { id: number; op: 'score'; texts: string[] }
	| { id: number; op: 'redact'; texts: string[]; score: boolean }
	| { id: number; op: 'analyze'; texts: string[]; rules: CompiledTagRules };
export interface FromScorer {
	id: number;
	/** One result per text, in order (a text the thread could not handle gives null). */
	results: unknown[];
}

interface Pending {
	resolve: (results: unknown[]) => void;
	reject: (error: Error) => void;
}

type Job = ToScorer extends infer J ? (J extends ToScorer ? Omit<J, 'id'> : never) : never;

/**
 * Redaction, sentiment and the indexer's analysis of long texts in a worker thread (scorer-thread.ts), started when the first long text arrives and
 * ended after a quiet half minute. Ingestion awaits the scores as it awaits the write, so the main thread stays
 * free for pages and live streams while a batch of hostile 30,000-character comments is segmented. If the thread
 * fails, the texts in flight are rejected and the caller scores them itself (in slices on the main thread).
 */
export class TextScorer {
	private worker: Worker | null = null;
	private pending = new Map<number, Pending>();
	private nextId = 1;
	private idleTimer: NodeJS.Timeout | null = null;
	/** Texts handled in the thread since start (for tests and the monitor). */
	scored = 0;

	constructor(
		private readonly url: URL,
		private readonly idleMs = IDLE_MS
	) {}

	/** True while the thread runs. */
	get running(): boolean {
		return this.worker !== null;
	}

	/** Sentiment of each text. */
	score(texts: string[]): Promise<(number | null)[]> {
		return this.run({ op: 'score', texts }) as Promise<(number | null)[]>;
	}

	/**
	 * Each text redacted (ingest/redact.ts), with its sentiment when `score` is set. A text the thread failed on
	 * gives null: the caller redacts it itself.
	 */
	redact(texts: string[], score: boolean): Promise<(RedactedText | null)[]> {
		return this.run({ op: 'redact', texts, score }) as Promise<(RedactedText | null)[]>;
	}

	/** Sentiment, terms and tags of each text under the given rules (the indexer's analysis); null on failure. */
	analyze(texts: string[], rules: CompiledTagRules): Promise<(AnalyzedText | null)[]> {
		return this.run({ op: 'analyze', texts, rules }) as Promise<(AnalyzedText | null)[]>;
	}

	private run(job: Job): Promise<unknown[]> {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = null;
		const worker = (this.worker ??= this.start());
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			const message = { ...job, id } as ToScorer;
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
			this.scored += message.results.length;
			waiting.resolve(message.results);
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
