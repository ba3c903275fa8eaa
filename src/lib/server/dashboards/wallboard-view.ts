import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import type { Scope } from '$lib/server/auth/scope';
import { DAY_MS } from '$lib/components/filters/filter-state';
import type { DashboardQuery } from './query';
import { wallboardMeta, wallboardSnapshot } from './wallboard';
import type { AlertsBoard } from '$lib/components/dashboards/types';
import { alertsBoard, channelBoard, journeyBoard } from './boards';

/**
 * The executive wallboard's first paint, shared by the app page (/wallboard) and the embed (/embed/wallboard,
 * /embed/kpis): the snapshot GET /api/v1/stream then replaces, the KPIs' labels, and with `tv` the TV mode's other
 * pages (KPIs by channel, journeys, open alerts). `tv.alerts` is whose open alerts the alerts page lists, or null
 * when the viewer may not see them (the page then says they are not available).
 */

export interface WallboardTv {
	rotate: number;
	alerts: Scope | null;
}

export async function wallboardView(
	db: Db | Storage,
	q: Extract<DashboardQuery, { ok: true }>,
	tv: WallboardTv | null,
	now = Date.now()
) {
	// Journeys take days to finish: TV mode shows those started in the last 7 days when the board shows today.
	const journeyPeriod =
		q.filters.range === 'today' ? { from: q.period.to - 7 * DAY_MS, to: q.period.to } : q.period;
	return {
		now,
		filters: q.filters,
		period: q.period,
		snapshot: await wallboardSnapshot(db, q.query, q.filters.range, now),
		meta: wallboardMeta(),
		tv: tv
			? {
					rotate: tv.rotate,
					channels: await channelBoard(db, q.query),
					journeys: await journeyBoard(db, journeyPeriod, q.filters.values, now),
					journeyDays: Math.round((journeyPeriod.to - journeyPeriod.from) / DAY_MS),
					alerts: tv.alerts ? await alertsBoard(db, tv.alerts) : noAlerts()
				}
			: null
	};
}

function noAlerts(): AlertsBoard {
	return { available: false, alerts: [] };
}
