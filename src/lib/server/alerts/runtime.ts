import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { shareAlert } from '$lib/server/live/hub';
import { demoStatus } from '$lib/server/demo/run';
import { onAlertChange } from './notify';
import { startAlerts, type AlertsRuntime } from './scheduler';
import { parseSmtpUrl, readCaFile } from './smtp';
import { configureMailer } from './webhooks';

type Env = Record<string, string | undefined>;

let runtime: AlertsRuntime | undefined;

/**
 * What the server starts (startup.ts): the alerts runtime, with alert changes sent to live viewers as
 * `event: alert` (only to viewers whose scope may see the alert) and, in demo mode, the case backfill waiting for
 * the seeded history. Environment: RESONANCE_ALERTS_INTERVAL_MS (default 60000), RESONANCE_CASES_BACKFILL_DAYS
 * (default 7), RESONANCE_SMTP_URL, RESONANCE_SMTP_FROM and RESONANCE_SMTP_CA_FILE (alert e-mail; a bad value or an
 * unreadable CA file stops the start).
 */
export function startAlertsRuntime(db: Db | Storage, env: Env = process.env): AlertsRuntime {
	if (runtime) return runtime;
	if (env.RESONANCE_SMTP_URL) {
		const smtp = parseSmtpUrl(env.RESONANCE_SMTP_URL, env.RESONANCE_SMTP_FROM ?? 'resonance@localhost');
		if (env.RESONANCE_SMTP_CA_FILE) smtp.ca = readCaFile(env.RESONANCE_SMTP_CA_FILE);
		configureMailer({ smtp, origin: env.ORIGIN ?? null });
		const tls = smtp.secure ? '' : ` (STARTTLS ${smtp.starttls})`;
		const ca = smtp.ca === null ? '' : `, trusting ${env.RESONANCE_SMTP_CA_FILE} too`;
		console.log(
			`[resonance] alerts: e-mail through ${smtp.secure ? 'smtps' : 'smtp'}://${smtp.host}:${smtp.port}${tls}${ca}`
		);
	}
	// Viewers on every process (live/relay.ts) get the change: the wallboard's alert board and the alerts stream.
	onAlertChange((change) => {
		void shareAlert(change).catch((error) =>
			console.error('[resonance] alerts: sharing a change failed', error)
		);
	});
	const demo = env.RESONANCE_DEMO === '1' || env.RESONANCE_DEMO === 'true';
	runtime = startAlerts(db, {
		intervalMs: Number(env.RESONANCE_ALERTS_INTERVAL_MS) || 60_000,
		backfillDays: Number(env.RESONANCE_CASES_BACKFILL_DAYS) || 7,
		simulateWork: demo,
		historyReady: () => {
			const s = demoStatus();
			return !s.enabled || s.phase === 'live' || s.phase === 'failed';
		}
	});
	return runtime;
}

/** The running runtime (the incident switch asks for an immediate evaluation). */
export function alertsRuntime(): AlertsRuntime | undefined {
	return runtime;
}
