import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { runExclusive } from '$lib/server/db/jobs';
import { readOpsStatus, writeOpsStatus } from '$lib/server/db/ops-status';
import { audit, type AuditEntry } from '$lib/server/auth/audit';
import * as sqlite from './sqlite';
import * as postgres from './postgres';

/** The engine's side of retention (sqlite.ts, postgres.ts), one async shape. */
const retentionStores = {
	sqlite: (db: Db) => ({
		pruneEventBatch: async (before: number, limit: number) => sqlite.pruneEventBatch(db, before, limit),
		oldestEvent: async () => sqlite.oldestEvent(db)
	}),
	postgres: (db: Parameters<typeof postgres.pruneEventBatch>[0]) => ({
		pruneEventBatch: (before: number, limit: number) => postgres.pruneEventBatch(db, before, limit),
		oldestEvent: () => postgres.oldestEvent(db)
	})
};

/**
 * Retention (RESONANCE_RETENTION_DAYS): raw events, and the texts analysed from them, older than N days are deleted
 * in small batches (each a short transaction, with a pause between, so the writer never waits long), at start and
 * hourly, and by `npm run admin -- retention run`. The KPIs of those days come from rollups, which stay.
 */

type Env = Record<string, string | undefined>;

/**
 * Shortest retention allowed: late events re-derive contact-chain flags (7 days around them) and journey instances
 * (their windows) from the raw rows nearby, which must still be there.
 */
export const MIN_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

export class RetentionError extends Error {}

/** RESONANCE_RETENTION_DAYS, or null when unset (events are kept for ever). */
export function retentionDays(env: Env): number | null {
	const raw = env.RESONANCE_RETENTION_DAYS?.trim();
	if (!raw) return null;
	const days = Number(raw);
	if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS)
		throw new RetentionError(
			`RESONANCE_RETENTION_DAYS must be a whole number of days of at least ${MIN_RETENTION_DAYS}, not ${raw}`
		);
	return days;
}

export interface RetentionRun {
	/** Events with a time before this (epoch ms) were deleted. */
	before: number;
	events: number;
	texts: number;
	startedAt: number;
	finishedAt: number;
}

export interface PruneOptions {
	now?: number;
	/** Events a batch (a transaction); default 2,000 (a few ms of write lock). */
	batch?: number;
	/** Pause between batches, so ingestion's transactions go in between; default 10 ms. */
	pauseMs?: number;
	actor?: AuditEntry['actor'];
}

let configured: number | null = null;

/** Deletes every event older than `days` days, batch by batch; audited when it deleted anything. */
export async function pruneExpired(
	target: Db | Storage,
	days: number,
	options: PruneOptions = {}
): Promise<RetentionRun> {
	const db = asStorage(target);
	const store = byEngine(db, retentionStores);
	const startedAt = Date.now();
	const before = (options.now ?? startedAt) - days * DAY_MS;
	const { batch = 2000, pauseMs = 10 } = options;
	const run: RetentionRun = { before, events: 0, texts: 0, startedAt, finishedAt: startedAt };
	for (;;) {
		const step = await store.pruneEventBatch(before, batch);
		run.events += step.events;
		run.texts += step.texts;
		if (step.events < batch) break;
		await new Promise((r) => setTimeout(r, pauseMs));
	}
	run.finishedAt = Date.now();
	if (run.events)
		await audit(db, {
			action: 'data.retention_pruned',
			actor: options.actor ?? { id: null, email: 'retention' },
			target: 'events',
			details: { days, before: new Date(before).toISOString(), events: run.events, texts: run.texts }
		});
	// The admin screen of every process shows the last prune, whichever process ran it (db/ops-status.ts).
	await writeOpsStatus(db, 'retention', run, run.finishedAt);
	return run;
}

export interface RetentionStatus {
	days: number | null;
	lastRun: RetentionRun | null;
	/** The oldest event still stored (epoch ms). */
	oldestEvent: number | null;
}

/** What the admin page shows. */
export async function retentionStatus(target: Db | Storage): Promise<RetentionStatus> {
	const storage = asStorage(target);
	const oldest = await byEngine(storage, retentionStores).oldestEvent();
	return {
		days: configured,
		lastRun: await readOpsStatus<RetentionRun>(storage, 'retention'),
		oldestEvent: oldest
	};
}

/**
 * Prunes at start and then hourly while the process runs; returns a function that stops it. With several processes
 * on PostgreSQL, one of them prunes each round (db/jobs.ts).
 */
export function startRetention(
	db: Db | Storage,
	days: number | null,
	log: { info: (m: string) => void; error: (m: string, e: unknown) => void }
): () => void {
	configured = days;
	if (days === null) return () => undefined;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	const run = async () => {
		try {
			const outcome = await runExclusive(asStorage(db), 'retention', () => pruneExpired(db, days));
			const r = outcome.ran ? outcome.value : { events: 0, texts: 0 };
			if (r.events)
				log.info(`retention: ${r.events} events and ${r.texts} texts older than ${days} days deleted`);
		} catch (error) {
			log.error('retention failed', error);
		}
		if (!stopped) {
			timer = setTimeout(run, 3_600_000);
			timer.unref();
		}
	};
	timer = setTimeout(run, 10_000);
	timer.unref();
	return () => {
		stopped = true;
		clearTimeout(timer);
	};
}
