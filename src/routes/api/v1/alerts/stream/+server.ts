import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { RECHECK_INTERVAL_MS, recheckKeyOf, recheckOf } from '$lib/server/auth/recheck';
import { scopeOf } from '$lib/server/auth/scope';
import { sseResponse } from '$lib/server/live/stream';
import { onAlertAnywhere } from '$lib/server/live/hub';
import * as alerts from '$lib/server/alerts';
import { apiAlert } from '$lib/server/alerts/http';

/**
 * GET /api/v1/alerts/stream: Server-Sent Events for the alerts bell and page — `event: count` ({open,
 * acknowledged, snoozed}) at once and after every change, `event: alert` ({type, alert}) for each change the
 * caller may see. Lighter than /api/v1/stream: no KPI snapshots. Closed within seconds when the caller's session or
 * key stops holding (recheck.ts).
 */
export const GET: RequestHandler = ({ locals }) => {
	const user = requireUser(locals);
	const scope = scopeOf(user);
	const db = storage();
	return sseResponse(
		(send) => {
			void alerts.alertCounts(db, scope).then((counts) => send('count', counts));
			// Changes made by any server process (live/relay.ts).
			const stop = onAlertAnywhere((change) => {
				if (!alerts.canSeeAlert(change.alert, scope)) return;
				send('alert', { type: change.type, alert: apiAlert(change.alert) });
				void alerts.alertCounts(db, scope).then((counts) => send('count', counts));
			});
			const heartbeat = setInterval(() => send('', null), 20_000);
			heartbeat.unref?.();
			return () => {
				stop();
				clearInterval(heartbeat);
			};
		},
		{
			recheck: recheckOf(storage(), locals),
			recheckMs: RECHECK_INTERVAL_MS,
			// One recheck per interval for all of this caller's streams.
			recheckKey: recheckKeyOf(locals)
		}
	);
};
