import type { Db } from '$lib/server/db';

export interface CenterOverview {
	eventsStored: number;
	eventsLast24h: number;
	customers: number;
	teams: number;
	agents: number;
	lastEventAt: number | null;
	contactsByChannel: { channel: string; count: number }[];
	eventsByType: { type: string; count: number }[];
}

const DAY_MS = 86_400_000;

/** Volumes for the overview page. `seq` only grows, so max(seq) counts stored events without a table scan. */
export function centerOverview(db: Db, now = Date.now()): CenterOverview {
	const c = db.$client;
	const since = now - DAY_MS;
	const one = (sql: string, ...params: unknown[]) =>
		Number(
			(c
				.prepare(sql)
				.pluck()
				.get(...params) as number | null) ?? 0
		);
	return {
		eventsStored: one('SELECT max(seq) FROM events'),
		eventsLast24h: one('SELECT count(*) FROM events WHERE ts >= ? AND ts < ?', since, now + 60_000),
		customers: one('SELECT count(*) FROM customers'),
		teams: one('SELECT count(*) FROM teams'),
		agents: one('SELECT count(*) FROM agents'),
		lastEventAt: (c.prepare('SELECT max(ts) FROM events').pluck().get() as number | null) ?? null,
		contactsByChannel: c
			.prepare(
				`SELECT channel, count(*) AS count FROM events WHERE ts >= ? AND type = 'contact'
				 GROUP BY channel ORDER BY count DESC`
			)
			.all(since) as { channel: string; count: number }[],
		eventsByType: c
			.prepare('SELECT type, count(*) AS count FROM events WHERE ts >= ? GROUP BY type ORDER BY count DESC')
			.all(since) as { type: string; count: number }[]
	};
}
