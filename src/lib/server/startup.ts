import { databasePathFromEnv, openDatabase, useDatabase, type Db } from '$lib/server/db';
import { ensureWriteKey } from '$lib/server/auth/keys';
import { bootstrapAccounts, disableDemoAccounts } from '$lib/server/auth/bootstrap';
import { decideDemo } from '$lib/server/demo/eligibility';
import { startDemo } from '$lib/server/demo/run';
import { startAlertsRuntime } from '$lib/server/alerts/runtime';
import { closeIngestion, ingestContext } from '$lib/server/ingest/context';
import { closeTimedOut, ensureDefaultJourneys } from '$lib/server/journeys';
import { scheduleTextRecompute, scoreSentiment } from '$lib/server/text';
import { backupConfig, startBackupSchedule } from '$lib/server/backup';
import { holdDatabase } from '$lib/server/db/server-lock';
import { retentionDays, startRetention } from '$lib/server/retention';
import { installShutdown, isDraining } from '$lib/server/lifecycle';
import { liveHub } from '$lib/server/live/hub';
import { readFrom } from '$lib/server/monitoring';

type Env = Record<string, string | undefined>;

let started: Promise<Db> | undefined;

/**
 * Everything the server does once before it answers: open and migrate the database, make sure the configured
 * write key exists, and (in demo mode) seed the history in the background and start the live simulator.
 */
export function startServer(env: Env): Promise<Db> {
	started ??= (async () => {
		const file = databasePathFromEnv(env);
		// Settings read before anything starts, so a bad value stops the start with its name.
		const backups = backupConfig(env);
		const retention = retentionDays(env);
		const db = useDatabase(openDatabase(file));
		console.log(`[resonance] database ${file} open and migrated`);
		// `restore` refuses while this process holds the file.
		holdDatabase(file);
		// The demo runs only in a database of its own (demo/eligibility.ts); from here on `env` says what was decided.
		const demo = decideDemo(db, env);
		if (demo.refusal) console.log(`[resonance] ${demo.refusal}`);
		if (!demo.on && demo.otherSources.length) await disableDemoAccounts(db);
		env = { ...env, RESONANCE_DEMO: demo.on ? '1' : '0' };
		await bootstrapAccounts(db, env);
		// A new database starts from the eight standard journeys, which a bank then edits.
		ensureDefaultJourneys(db);
		// Journeys past their time window become "abandoned" in storage too (queries already treat them so).
		setInterval(() => closeTimedOut(db), 5 * 60_000).unref();
		if (env.RESONANCE_WRITE_KEY) {
			const { created } = await ensureWriteKey(db, env.RESONANCE_WRITE_KEY, 'RESONANCE_WRITE_KEY');
			if (created) console.log('[resonance] write key from RESONANCE_WRITE_KEY registered');
		}
		// Loads the segmentation dictionary now rather than inside the first ingestion transaction.
		scoreSentiment('预热');
		// Starts the writer thread now, so it opens the same database file as this connection just did.
		ingestContext(db);
		if (env.RESONANCE_DEMO === '1' || env.RESONANCE_DEMO === 'true') startDemo(db, env);
		// Alert rules, evaluation, webhooks and follow-up cases (after the demo so its backfill can wait for it).
		startAlertsRuntime(db, env);
		scheduleTextRecompute(db, {
			onError: (error) => console.error('[resonance] text analysis failed', error)
		});
		if (file !== ':memory:')
			startBackupSchedule(file, backups, {
				info: (m) => console.log(`[resonance] ${m}`),
				error: (m, e) => console.error(`[resonance] ${m}`, e)
			});
		startRetention(db, retention, {
			info: (m) => console.log(`[resonance] ${m}`),
			error: (m, e) => console.error(`[resonance] ${m}`, e)
		});
		readFrom({
			queue: () => ingestContext(db).committer.pendingEvents,
			viewers: () => liveHub().viewers(),
			ready: () => (isDraining() ? 0 : 1)
		});
		// SIGTERM: unready, live streams closed; once adapter-node has answered the requests in flight, the writer
		// is drained (every acknowledged event is committed) and the database closed.
		installShutdown(async () => {
			await closeIngestion(db);
			db.$client.close();
		});
		return db;
	})();
	return started;
}
