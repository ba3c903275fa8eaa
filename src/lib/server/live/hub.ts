import { storage } from '$lib/server/db';
import { canSeeTeam, type Scope } from '$lib/server/auth/scope';
import * as dashboards from '$lib/server/dashboards';
import type { SnapshotError, WallboardSnapshot } from '$lib/components/dashboards/types';
import { canSeeAlert, type AlertChange } from '$lib/server/alerts/store';
import { subscribe } from './bus';
import { MAX_MESSAGE_BYTES } from './broadcast';
import { relay } from './relay';
import { createSnapshotHub, type SnapshotHub } from './stream';

/**
 * The live hub of this process: every viewer of `GET /api/v1/stream` subscribes here with a filter key, every
 * commit of the ingestion pipeline marks it dirty, and alerts are broadcast through it (`event: alert`). With
 * several processes on PostgreSQL, commits and alerts of the other processes arrive through the relay (relay.ts):
 * each process recomputes its own viewers' snapshots.
 *
 * A filter key is `<scope>|<query string>`: the caller's team scope (`*` for all teams) and the canonical form of
 * their view's parameters (the range preset, then each filter's values sorted; anything else in the link, such as
 * `tv` or `rotate`, is left out), so every viewer of the same view shares one snapshot per change. The period is
 * relative to now: `today` (the default) is today so far in China time, compared with the same hours yesterday.
 */
export function filterKey(scope: Scope, params: URLSearchParams): string {
	const parsed = dashboards.parseStreamParams(params);
	const canonical = parsed.ok ? parsed.params : new URLSearchParams({ range: 'today' });
	return `${scope.teams === null ? '*' : scope.teams.join(',')}|${canonical.toString()}`;
}

export function parseFilterKey(key: string): { scope: Scope; params: URLSearchParams } {
	const bar = key.indexOf('|');
	const teams = key.slice(0, bar);
	return {
		scope: { teams: teams === '*' ? null : teams ? teams.split(',') : [] },
		params: new URLSearchParams(key.slice(bar + 1))
	};
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Start of the current day in China time (UTC+8, no daylight saving), epoch ms. */
export function startOfChinaDay(now: number): number {
	return Math.floor((now + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
}

/**
 * The wallboard snapshot of a filter key: the ten headline KPIs with n, interval, status, change and 14-day
 * sparklines (dashboards/wallboard.ts) — the same numbers the page's first paint shows.
 */
export async function liveSnapshot(
	key: string,
	now = Date.now()
): Promise<WallboardSnapshot | SnapshotError> {
	const { scope, params } = parseFilterKey(key);
	const q = dashboards.dashboardQuery(params, scope, now, 'today');
	if (!q.ok) return { at: now, error: { parameter: q.parameter, message: q.message } };
	return dashboards.wallboardSnapshot(storage(), q.query, q.filters.range, now);
}

/**
 * Who may receive an alert about a team (null: a center-wide alert, for everyone): viewers whose scope includes
 * it. For the alerts engineer: `liveHub().broadcast('alert', alert, alertAudience(alert.team))`.
 */
export function alertAudience(teamId: string | null): (filterKey: string) => boolean {
	return (key) => teamId === null || canSeeTeam(parseFilterKey(key).scope, teamId);
}

const alertListeners = new Set<(change: AlertChange) => void>();

/**
 * Every alert change, made in this process or another (the alerts bell's stream listens here rather than to the
 * alerts engine of its own process).
 */
export function onAlertAnywhere(listener: (change: AlertChange) => void): () => void {
	alertListeners.add(listener);
	return () => void alertListeners.delete(listener);
}

/** Sends an alert change to this process's viewers who may see it. */
function deliverAlert(target: SnapshotHub, change: AlertChange): void {
	target.broadcast('alert', change, (key) => canSeeAlert(change.alert, parseFilterKey(key).scope));
	for (const listener of [...alertListeners]) {
		try {
			listener(change);
		} catch (error) {
			console.error('[resonance] live: an alert listener failed', error);
		}
	}
}

/**
 * An alert changed (alerts runtime): this process's viewers get it now, the other processes' through the relay. The
 * change is small (one alert); one over the NOTIFY limit goes out without its details.
 */
export async function shareAlert(change: AlertChange): Promise<void> {
	deliverAlert(liveHub(), change);
	let data = JSON.stringify(change);
	if (Buffer.byteLength(data, 'utf8') > MAX_MESSAGE_BYTES - 100)
		data = JSON.stringify({ ...change, alert: { ...change.alert, details: {} } });
	await relay().announce('alert', data);
}

/**
 * What a viewer sees of a snapshot: its numbers, without the moments it was computed at and covers (`at`, `seq`
 * and the period's bounds move with the clock and every commit, whether or not the view's numbers change).
 */
export function snapshotFingerprint(snapshot: WallboardSnapshot | SnapshotError): string {
	if ('error' in snapshot) return JSON.stringify(snapshot.error);
	const { range, sparkDays, cxTrend, kpis } = snapshot;
	return JSON.stringify({ range, sparkDays, cxTrend, kpis });
}

let hub: SnapshotHub | undefined;

export function liveHub(): SnapshotHub {
	if (!hub) {
		const created = createSnapshotHub({
			compute: (key) => liveSnapshot(key),
			// A commit reaches viewers ≈ 100 ms after it (one snapshot per burst), at most five snapshots a second per
			// view, and only when the view's numbers changed.
			windowMs: 100,
			minGapMs: 200,
			fingerprint: snapshotFingerprint,
			// A named heartbeat lets a wallboard notice a connection that died without closing.
			heartbeatEvent: 'ping',
			onError: (error, key) => console.error(`[resonance] live snapshot for ${key} failed`, error)
		});
		subscribe(() => created.markDirty());
		// Another process committed, or listening resumed after a drop (what was missed is covered by a new snapshot).
		relay().onAnnounce(
			'commit',
			() => created.markDirty(),
			() => created.markDirty()
		);
		relay().onAnnounce('alert', (data) => deliverAlert(created, JSON.parse(data) as AlertChange));
		hub = created;
	}
	return hub;
}
