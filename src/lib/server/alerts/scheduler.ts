import type { Db } from '$lib/server/db';
import { subscribe } from '$lib/server/live/bus';
import * as cases from '$lib/server/cases';
import { evaluateAll } from './engine';
import { ensureStarterRules } from './rules';
import { observeAlertEvaluation } from '$lib/server/monitoring';
import { deliverDue } from './webhooks';

/**
 * The alerts runtime of the server: starter rules, follow-up cases from the live bus, evaluation shortly after
 * commits (debounced) and on a schedule, webhook delivery, and the start-up backfill of cases.
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
	/** Evaluates now (tests, the incident switch). */
	evaluateNow(): Promise<void>;
	stop(): void;
}

export function startAlerts(db: Db, options: AlertsRuntimeOptions = {}): AlertsRuntime {
	const intervalMs = options.intervalMs ?? 60_000;
	// A live feed commits every second or so: evaluation then runs every 5 s (a pass of the starter rules takes
	// tens of milliseconds), so an outage's alerts are at most a few seconds behind its data.
	const debounceMs = options.debounceMs ?? 2_000;
	const maxWaitMs = options.maxWaitMs ?? 5_000;
	const minGapMs = options.minGapMs ?? 5_000;
	const seeded = ensureStarterRules(db);
	if (seeded) console.log(`[resonance] alerts: ${seeded} starter rules created`);

	let lastRun = 0;
	let firstDirty = 0;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	let backfilled = false;

	const run = async () => {
		timer = undefined;
		firstDirty = 0;
		// Nothing is judged against a history still being written (the demo seeding).
		if (stopped || (options.historyReady && !options.historyReady())) return;
		lastRun = Date.now();
		try {
			const report = await evaluateAll(db, lastRun);
			observeAlertEvaluation(report.ms, false);
			if (report.ms > 2_000) console.warn(`[resonance] alerts: evaluation took ${report.ms} ms`);
		} catch (error) {
			observeAlertEvaluation(Date.now() - lastRun, true);
			console.error('[resonance] alerts: evaluation failed', error);
		}
	};

	const schedule = () => {
		const now = Date.now();
		if (!firstDirty) firstDirty = now;
		const at = Math.max(lastRun + minGapMs, Math.min(now + debounceMs, firstDirty + maxWaitMs));
		if (timer) clearTimeout(timer);
		timer = setTimeout(() => void run(), Math.max(0, at - now));
		timer.unref?.();
	};

	const backfill = () => {
		if (backfilled || (options.historyReady && !options.historyReady())) return;
		backfilled = true;
		try {
			const started = performance.now();
			const r = cases.backfillCases(db, {
				days: options.backfillDays ?? 7,
				simulateWork: options.simulateWork ?? false
			});
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
		if (!backfilled) setTimeout(backfill, 0).unref?.();
		try {
			cases.openCases(db, summary.events.map(cases.sourceOf));
		} catch (error) {
			console.error('[resonance] cases: opening cases failed', error);
		}
		schedule();
	});

	const tick = setInterval(() => {
		backfill();
		void run();
	}, intervalMs);
	tick.unref?.();
	const delivery = setInterval(() => {
		void deliverDue(db).catch((error) => console.error('[resonance] alerts: webhook delivery failed', error));
	}, options.deliveryMs ?? 2_000);
	delivery.unref?.();
	// First pass soon after start (the backfill first, when the history is there).
	const first = setTimeout(() => {
		backfill();
		void run();
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
