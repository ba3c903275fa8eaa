import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';

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

/**
 * The overview's SQL, the same text on both engines (PostgreSQL numbers the parameters). Counts are ordered by
 * count, then name, so that ties read the same everywhere.
 */
const SQL = {
	eventsStored: 'SELECT max(seq) FROM events',
	eventsLast24h: 'SELECT count(*) FROM events WHERE ts >= ? AND ts < ?',
	customers: 'SELECT count(*) FROM customers',
	teams: 'SELECT count(*) FROM teams',
	agents: 'SELECT count(*) FROM agents',
	lastEventAt: 'SELECT max(ts) FROM events',
	contactsByChannel: `SELECT channel, count(*) AS count FROM events WHERE ts >= ? AND type = 'contact'
		GROUP BY channel ORDER BY count DESC, channel`,
	eventsByType:
		'SELECT type, count(*) AS count FROM events WHERE ts >= ? GROUP BY type ORDER BY count DESC, type'
} as const;

/** One value (null when none) and rows of the overview's statements, per engine. */
interface OverviewStore {
	value(sql: string, params: number[]): Promise<number | null>;
	rows<T>(sql: string, params: number[]): Promise<T[]>;
}

const overviewStores = {
	sqlite: (db: Db): OverviewStore => ({
		async value(sql, params) {
			return (db.$client
				.prepare(sql)
				.pluck()
				.get(...params) ?? null) as number | null;
		},
		async rows<T>(sql: string, params: number[]) {
			return db.$client.prepare(sql).all(...params) as T[];
		}
	}),
	postgres: (db: PgDb): OverviewStore => {
		const numbered = (sql: string) => {
			let i = 0;
			return sql.replace(/\?/g, () => `$${++i}`);
		};
		return {
			async value(sql, params) {
				const [row] = await db.$client.unsafe(numbered(sql), params).values();
				return row?.[0] === null || row?.[0] === undefined ? null : Number(row[0]);
			},
			async rows<T>(sql: string, params: number[]) {
				return (await db.$client.unsafe(numbered(sql), params)).map((r) => ({ ...r })) as T[];
			}
		};
	}
};

/** Volumes for the overview page. `seq` only grows, so max(seq) counts stored events without a table scan. */
export async function centerOverview(target: Db | Storage, now = Date.now()): Promise<CenterOverview> {
	const store = byEngine(asStorage(target), overviewStores);
	const since = now - DAY_MS;
	const count = async (sql: string, ...params: number[]) => Number((await store.value(sql, params)) ?? 0);
	return {
		eventsStored: await count(SQL.eventsStored),
		eventsLast24h: await count(SQL.eventsLast24h, since, now + 60_000),
		customers: await count(SQL.customers),
		teams: await count(SQL.teams),
		agents: await count(SQL.agents),
		lastEventAt: await store.value(SQL.lastEventAt, []),
		contactsByChannel: await store.rows(SQL.contactsByChannel, [since]),
		eventsByType: await store.rows(SQL.eventsByType, [since])
	};
}
