import type { Db } from '$lib/server/db';
import { runExclusive } from '$lib/server/db/jobs';
import { asStorage, type Storage } from '$lib/server/db/storage';
import { subscribe } from '$lib/server/live/bus';
import * as cases from '$lib/server/cases';
import { evaluateAll } from './engine';
import { ensureStarterRules } from './rules';
import { observeAlertEvaluation } from '$lib/server/monitoring';
import { deliverDue } from './webhooks';

/**
 * The alerts runtime of the server: starter rules, follow-up cases from the live bus, evaluation shortly after
 * commits (debounced) and on a schedule, webhook delivery, and the start-up backfill of cases. On PostgreSQL several
 * processes run this: evaluation, delivery and the backfill run in one of them at a time (db/jobs.ts runExclusive),
 * the others skip that round; each process opens the cases of the events it ingested (a case's unique key keeps a
 * replay or a race from opening it twice).
 */

export interface AlertsRuntimeOptions {
	/** Scheduled evaluation (time alone can open or resolve alerts: windows slide, cases fall due). */
	intervalMs?: number;
	/** Evaluate this long after the last commit … */
	debounceMs?: number;
	/** … but at least this often while commits keep coming … */
	maxWaitMs?: number;
	/** … and never more often than this. */
	minGapMs?: number;
	/** How often due webhook deliveries are sent. */
	deliveryMs?: number;
	/** Days of history the start-up backfill opens cases for. */
	backfillDays?: number;
	/** Give backfilled cases a simulated follow-up history (the demo). */
	simulateWork?: boolean;
	/** The backfill waits while this says the history is still being written (the demo seeding). */
	historyReady?: () => boolean;
}

export interface AlertsRuntime {
	/** Evaluates now (tests, the incident switch); settles when the pass is done. */
	evaluateNow(): Promise<void>;
	stop(): void;
}

export function startAlerts(target: Db | Storage, options: AlertsRuntimeOptions = {}): AlertsRuntime {
	const db = asStorage(target);
	const intervalMs = options.intervalMs ?? 60_000;
	// A live feed commits every second or so: evaluation then runs every 5 s (a pass of the starter rules takes
	// tens of milliseconds), so an outage's alerts are at most a few seconds behind its data.
	const debounceMs = options.debounceMs ?? 2_000;
	const maxWaitMs = options.maxWaitMs ?? 5_000;
	const minGapMs = options.minGapMs ?? 5_000;
	const starters = ensureStarterRules(db)
		.then((seeded) => {
			if (seeded) console.log(`[resonance] alerts: ${seeded} starter rules created`);
		})
		.catch((error) => console.error('[resonance] alerts: seeding the starter rules failed', error));

	let lastRun = 0;
	let firstDirty = 0;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	let backfilled = false;

	let running: Promise<void> | undefined;
	const pass = async () => {
		await starters;
		lastRun = Date.now();
		try {
			const outcome = await runExclusive(db, 'alerts-evaluate', () => evaluateAll(db, lastRun));
			if (!outcome.ran) return;
			const report = outcome.value;
			observeAlertEvaluation(report.ms, false);
			if (report.ms > 2_000) console.warn(`[resonance] alerts: evaluation took ${report.ms} ms`);
		} catch (error) {
			observeAlertEvaluation(Date.now() - lastRun, true);
			console.error('[resonance] alerts: evaluation failed', error);
		}
	};
	const run = (): Promise<void> => {
		timer = undefined;
		firstDirty = 0;
		// Nothing is judged against a history still being written (the demo seeding).
		if (stopped || (options.historyReady && !options.historyReady())) return Promise.resolve();
		// One pass at a time in this process; a request meanwhile waits for the running one.
		running ??= pass().finally(() => (running = undefined));
		return running;
	};

	const schedule = () => {
		const now = Date.now();
		if (!firstDirty) firstDirty = now;
		const at = Math.max(lastRun + minGapMs, Math.min(now + debounceMs, firstDirty + maxWaitMs));
		if (timer) clearTimeout(timer);
		timer = setTimeout(() => void run(), Math.max(0, at - now));
		timer.unref?.();
	};

	const backfill = async () => {
		if (backfilled || (options.historyReady && !options.historyReady())) return;
		backfilled = true;
		try {
			const started = performance.now();
			// On PostgreSQL the processes starting together backfill once (the unique case key would keep a second
			// run from duplicating anything, but not from scanning the history again).
			const outcome = await runExclusive(db, 'cases-backfill', () =>
				cases.backfillCases(db, {
					days: options.backfillDays ?? 7,
					simulateWork: options.simulateWork ?? false
				})
			);
			if (!outcome.ran) return;
			const r = outcome.value;
			console.log(
				`[resonance] cases: backfill opened ${r.opened} of ${r.scanned} candidates in ` +
					`${Math.round(performance.now() - started)} ms`
			);
		} catch (error) {
			console.error('[resonance] cases: backfill failed', error);
		}
	};

	const unsubscribe = subscribe((summary) => {
		// The first commit after the history is written is the moment to backfill (the demo's first live batch),
		// after the ingestion request has been answered.
		if (!backfilled) setTimeout(() => void backfill(), 0).unref?.();
		Promise.resolve()
			.then(() => cases.openCases(db, summary.events.map(cases.sourceOf)))
			.catch((error) => console.error('[resonance] cases: opening cases failed', error))
			.finally(schedule);
	});

	const tick = setInterval(() => {
		void backfill().then(run);
	}, intervalMs);
	tick.unref?.();
	const delivery = setInterval(() => {
		void runExclusive(db, 'webhook-deliveries', () => deliverDue(db)).catch((error) =>
			console.error('[resonance] alerts: webhook delivery failed', error)
		);
	}, options.deliveryMs ?? 2_000);
	delivery.unref?.();
	// First pass soon after start (the backfill first, when the history is there).
	const first = setTimeout(() => {
		void backfill().then(run);
	}, 1_000);
	first.unref?.();

	return {
		evaluateNow: run,
		stop() {
			stopped = true;
			unsubscribe();
			clearInterval(tick);
			clearInterval(delivery);
			clearTimeout(first);
			if (timer) clearTimeout(timer);
		}
	};
}
