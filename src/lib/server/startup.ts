import { openDatabase, sqliteCacheMb, useDatabase, useStorage } from '$lib/server/db';
import { openPostgres, postgresOptionsFromEnv } from '$lib/server/db/postgres';
import { postgresStorage, type Storage } from '$lib/server/db/storage';
import { runExclusive } from '$lib/server/db/jobs';
import { describeDatabase, parseDatabaseUrl } from '$lib/server/db/url';
import { ensureWriteKey } from '$lib/server/auth/keys';
import { bootstrapAccounts, disableDemoAccounts } from '$lib/server/auth/bootstrap';
import { decideDemo } from '$lib/server/demo/eligibility';
import { demoSeeded, startDemo, stopDemo } from '$lib/server/demo/run';
import { startAlertsRuntime } from '$lib/server/alerts/runtime';
import { closeIngestion, ingestContext } from '$lib/server/ingest/context';
import { closeTimedOut, ensureDefaultJourneys } from '$lib/server/journeys';
import { scheduleTextRecompute, scoreSentiment } from '$lib/server/text';
import { scheduleRiskTraining } from '$lib/server/risk';
import { backupConfig, startBackupSchedule } from '$lib/server/backup';
import { holdDatabase } from '$lib/server/db/server-lock';
import { retentionDays, startRetention } from '$lib/server/retention';
import { installShutdown, isDraining } from '$lib/server/lifecycle';
import { liveHub } from '$lib/server/live/hub';
import { startLive, stopLive } from '$lib/server/live/relay';
import { readFrom } from '$lib/server/monitoring';

type Env = Record<string, string | undefined>;

let started: Promise<Storage> | undefined;

/**
 * Everything the server does once before it answers: open and migrate the database named by DATABASE_URL (a SQLite
 * file, or PostgreSQL shared by several processes; an unknown scheme stops the start with DatabaseUrlError), make
 * sure the configured write key exists, and (in demo mode) seed the history in the background and start the live
 * simulator.
 */
export function startServer(env: Env): Promise<Storage> {
	started ??= (async () => {
		const target = parseDatabaseUrl(env.DATABASE_URL);
		// Settings read before anything starts, so a bad value stops the start with its name.
		const backups = backupConfig(env);
		const retention = retentionDays(env);
		const pgOptions = target.engine === 'postgres' ? postgresOptionsFromEnv(env) : null;
		let storage: Storage;
		if (target.engine === 'sqlite') {
			// Both page caches are checked here; the writer thread reads its own from the same environment.
			sqliteCacheMb(env, 'RESONANCE_SQLITE_WRITER_CACHE_MB', 64);
			const cacheMb = sqliteCacheMb(env);
			storage = useStorage({ engine: 'sqlite', db: useDatabase(openDatabase(target.file, { cacheMb })) });
			// `restore` refuses while this process holds the file.
			holdDatabase(target.file);
		} else {
			storage = useStorage(postgresStorage(await openPostgres(target.url, pgOptions ?? {})));
		}
		console.log(`[resonance] database ${describeDatabase(target)} open and migrated`);
		// Commits, alerts and cache invalidations reach the other processes (LISTEN/NOTIFY on PostgreSQL).
		await startLive(storage);
		// The demo runs only in a database of its own (demo/eligibility.ts); from here on `env` says what was decided.
		const demo = await decideDemo(storage, env);
		if (demo.refusal) console.log(`[resonance] ${demo.refusal}`);
		if (!demo.on && demo.otherSources.length) await disableDemoAccounts(storage);
		env = { ...env, RESONANCE_DEMO: demo.on ? '1' : '0' };
		await bootstrapAccounts(storage, env);
		// A new database starts from the eight standard journeys, which a bank then edits.
		await ensureDefaultJourneys(storage);
		// Journeys past their time window become "abandoned" in storage too (queries already treat them so); once
		// across processes on PostgreSQL.
		setInterval(
			() => void runExclusive(storage, 'journeys-close', () => closeTimedOut(storage)).catch(() => undefined),
			5 * 60_000
		).unref();
		if (env.RESONANCE_WRITE_KEY) {
			const { created } = await ensureWriteKey(storage, env.RESONANCE_WRITE_KEY, 'RESONANCE_WRITE_KEY');
			if (created) console.log('[resonance] write key from RESONANCE_WRITE_KEY registered');
		}
		// Loads the segmentation dictionary now rather than inside the first ingestion transaction.
		scoreSentiment('预热');
		// Starts the writer now (on SQLite a thread that opens the same file as this connection just did).
		ingestContext(storage);
		// The demo: its history seeded once (in the background), then the live simulator, on either engine.
		if (env.RESONANCE_DEMO === '1' || env.RESONANCE_DEMO === 'true') startDemo(storage, env);
		// Alert rules, evaluation, webhooks and follow-up cases (after the demo so its backfill can wait for it).
		startAlertsRuntime(storage, env);
		// Text analysis and complaint-escalation risk (trained nightly and when no model exists, once across
		// processes), once the demo's history is in: a SQLite seed indexes and trains in its own process.
		void demoSeeded().then(() => {
			scheduleTextRecompute(storage, {
				onError: (error) => console.error('[resonance] text analysis failed', error)
			});
			scheduleRiskTraining(storage, {
				onError: (error) => console.error('[resonance] risk training failed', error)
			});
		});
		// Scheduled backups: SQLite's online copy, or pg_dump once across processes (backup/).
		if (!(target.engine === 'sqlite' && target.file === ':memory:'))
			startBackupSchedule(
				target,
				backups,
				{
					info: (m) => console.log(`[resonance] ${m}`),
					error: (m, e) => console.error(`[resonance] ${m}`, e)
				},
				storage
			);
		startRetention(storage, retention, {
			info: (m) => console.log(`[resonance] ${m}`),
			error: (m, e) => console.error(`[resonance] ${m}`, e)
		});
		readFrom({
			queue: () => ingestContext(storage).committer.pendingEvents,
			viewers: () => liveHub().viewers(),
			ready: () => (isDraining() ? 0 : 1)
		});
		// SIGTERM: unready, live streams closed; once adapter-node has answered the requests in flight, the writer
		// is drained (every acknowledged event is committed) and the database closed.
		installShutdown(async () => {
			stopDemo();
			await closeIngestion(storage);
			await stopLive();
			if (storage.engine === 'sqlite') storage.db.$client.close();
			else await storage.db.$client.end({ timeout: 5 });
		});
		return storage;
	})();
	return started;
}
