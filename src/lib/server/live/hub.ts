import { database } from '$lib/server/db';
import type { Scope } from '$lib/server/auth/scope';
import * as metrics from '$lib/server/metrics';
import { subscribe } from './bus';
import { createSnapshotHub, type SnapshotHub } from './stream';

/**
 * The live hub of this process: every viewer of `GET /api/v1/stream` subscribes here with a filter key, every
 * commit of the ingestion pipeline marks it dirty, and alerts are broadcast through it (`event: alert`).
 *
 * A filter key is `<scope>|<query string>`: the caller's team scope (`*` for all teams) and the canonical query
 * parameters of their view (filters and group-by; the live period is always "today so far" in China time,
 * compared with the same hours of the previous day).
 */
export function filterKey(scope: Scope, params: URLSearchParams): string {
	const kept = new URLSearchParams();
	for (const name of [...new Set(params.keys())].sort())
		if (name !== 'from' && name !== 'to' && name !== 'compare')
			for (const value of params.getAll(name)) kept.append(name, value);
	return `${scope.teams === null ? '*' : scope.teams.join(',')}|${kept.toString()}`;
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

/** The KPIs of "today so far" for a filter key, compared with the same hours yesterday. */
export function liveSnapshot(key: string, now = Date.now()) {
	const { scope, params } = parseFilterKey(key);
	const from = startOfChinaDay(now);
	params.set('from', new Date(from).toISOString());
	params.set('to', new Date(now + 60_000).toISOString());
	const parsed = metrics.parseCxQuery(params, scope, now);
	if (!parsed.ok) return { error: parsed.error, at: now };
	const query = { ...parsed.query, compare: { from: from - DAY_MS, to: now + 60_000 - DAY_MS } };
	return { at: now, ...metrics.kpis(database(), query) };
}

let hub: SnapshotHub | undefined;

export function liveHub(): SnapshotHub {
	if (!hub) {
		const created = createSnapshotHub({
			compute: (key) => liveSnapshot(key),
			onError: (error, key) => console.error(`[resonance] live snapshot for ${key} failed`, error)
		});
		subscribe(() => created.markDirty());
		hub = created;
	}
	return hub;
}
