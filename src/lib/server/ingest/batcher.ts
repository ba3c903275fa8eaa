import type { WriteBatch, WriteResult } from './writer';

export interface GroupCommitOptions {
	/** How long the first waiting request waits for others to join its transaction. */
	maxDelayMs: number;
	/** A transaction starts at once when this many events wait; a bigger backlog is split at request edges. */
	maxEvents: number;
	/**
	 * With an asynchronous writer (the writer thread): how many transactions may be handed over before the first is
	 * answered (default 2). With two, the next transaction waits in the thread while the current one is written, so
	 * the thread does not idle while the main thread reacts to an answer and copies the next batch over.
	 */
	maxInFlight?: number;
	/** Told about each transaction once it is settled (the ingestion monitor); it must not throw. */
	onCommit?: (report: CommitReport) => void;
}

/** One group-commit transaction, as the monitor sees it. */
export interface CommitReport {
	/** Requests (batches) in the transaction. */
	batches: number;
	events: number;
	/** From handing the transaction to the writer to learning it committed (waiting behind one in flight included). */
	durationMs: number;
	/** The transaction failed as a whole (its requests were answered 503). */
	failed: boolean;
}

/** Writes batches in one transaction, here (synchronously) or in the writer thread (a promise). */
export type WriteMany = (
	batches: readonly WriteBatch[]
) => (WriteResult | Error)[] | Promise<(WriteResult | Error)[]>;

interface Waiting {
	batch: WriteBatch;
	resolve: (result: WriteResult) => void;
	reject: (error: unknown) => void;
}

/**
 * Group commit: concurrent requests' events are written together in short transactions. Each request gets its
 * own result (or its own error: one failing request never fails another, see `writeBatches`) once the transaction
 * holding its events has committed. With an asynchronous writer (the writer thread) up to `maxInFlight` transactions
 * are handed over at a time and the requests that arrive meanwhile form the next one, so transactions grow with the
 * load.
 */
export class GroupCommit {
	private waiting: Waiting[] = [];
	private waitingEvents = 0;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private scheduled = false;
	private inFlight = new Set<Promise<void>>();
	private inFlightEvents = 0;

	constructor(
		private readonly write: WriteMany,
		private readonly options: GroupCommitOptions
	) {}

	/** Events submitted and not yet answered: waiting for a transaction or inside one. */
	get pendingEvents(): number {
		return this.waitingEvents + this.inFlightEvents;
	}

	submit(batch: WriteBatch): Promise<WriteResult> {
		return new Promise<WriteResult>((resolve, reject) => {
			this.waiting.push({ batch, resolve, reject });
			this.waitingEvents += batch.events.length;
			if (this.waitingEvents >= this.options.maxEvents) this.flushSoon();
			else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
		});
	}

	/** Writes everything waiting now, one transaction per `maxEvents` (yielding to I/O between them). */
	flush(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		this.scheduled = false;
		// A transaction in flight flushes again when it is done.
		if (this.inFlight.size >= (this.options.maxInFlight ?? 2)) return;
		let taken = 0;
		let count = 0;
		while (count < this.waiting.length && (count === 0 || taken < this.options.maxEvents))
			taken += this.waiting[count++].batch.events.length;
		const group = this.waiting.splice(0, count);
		this.waitingEvents -= taken;
		if (this.waiting.length) this.flushSoon();
		if (!group.length) return;
		const started = performance.now();
		const report = (failed: boolean) =>
			this.options.onCommit?.({
				batches: group.length,
				events: taken,
				durationMs: performance.now() - started,
				failed
			});
		let results: (WriteResult | Error)[] | Promise<(WriteResult | Error)[]>;
		try {
			results = this.write(group.map((w) => w.batch));
		} catch (error) {
			for (const w of group) w.reject(error);
			report(true);
			return;
		}
		if (results instanceof Promise) {
			const done = results.then(
				(r) => {
					settle(group, r);
					report(false);
				},
				(error) => {
					for (const w of group) w.reject(error);
					report(true);
				}
			);
			this.inFlight.add(done);
			this.inFlightEvents += taken;
			void done.finally(() => {
				this.inFlight.delete(done);
				this.inFlightEvents -= taken;
				if (this.waiting.length) this.flush();
			});
		} else {
			settle(group, results);
			report(false);
		}
	}

	private flushSoon() {
		if (this.scheduled) return;
		this.scheduled = true;
		setImmediate(() => this.flush());
	}

	/** Writes what is waiting (at shutdown); resolves when all of it has been written. */
	async drain(): Promise<void> {
		for (;;) {
			if (this.inFlight.size) await Promise.all(this.inFlight);
			if (!this.waiting.length) return;
			this.flush();
		}
	}
}

function settle(group: readonly Waiting[], results: readonly (WriteResult | Error)[]) {
	group.forEach((w, i) => {
		const r = results[i];
		if (r instanceof Error) w.reject(r);
		else w.resolve(r);
	});
}
