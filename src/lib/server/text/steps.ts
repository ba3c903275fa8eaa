/**
 * Work in steps: a long computation written as a generator that yields (no value) at points where it may pause
 * (between jieba pieces, every few hundred tokens). Run at once (`runSteps`) it is the plain synchronous function;
 * run with a `Slicer` (`runStepsAsync`) it hands the event loop back whenever a slice's budget is spent. Both run
 * the same code over the same state, so they give the same result.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs steps to the end without pausing. */
export function runSteps<T>(steps: Steps<T>): T {
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
	}
}

/**
 * A time budget for holding the event loop, shared by everything one request does: `pause()` hands the loop back
 * (`setImmediate`, so timers, I/O and other requests run) once the current slice has taken `budgetMs`.
 */
export class Slicer {
	private sliceStart = performance.now();
	/** How many times the loop was handed back. */
	pauses = 0;

	constructor(readonly budgetMs = 4) {}

	/** True when the current slice has used its budget. */
	due(): boolean {
		return performance.now() - this.sliceStart > this.budgetMs;
	}

	/** Hands the event loop back if the slice's budget is spent (resolves at once otherwise). */
	async pause(): Promise<void> {
		if (!this.due()) return;
		await new Promise((resolve) => setImmediate(resolve));
		this.pauses++;
		this.sliceStart = performance.now();
	}
}

/** Runs steps, pausing at their yields whenever the slicer's budget is spent. */
export async function runStepsAsync<T>(steps: Steps<T>, slicer: Slicer): Promise<T> {
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
		if (slicer.due()) await slicer.pause();
	}
}
