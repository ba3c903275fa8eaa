import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';

/**
 * The dashboards' own reads (issue 17), one implementation per engine: directory names for the tables, the newest
 * event's seq for live snapshots, the regions of the filter bar and the drill-down records. The SQL text is the same
 * on both engines; PostgreSQL numbers the parameters.
 */
export interface DashboardStore {
	teams(): Promise<{ id: string; name: string; name_en: string | null }[]>;
	agents(): Promise<{ id: string; name: string; team_id: string | null }[]>;
	/** The newest event's seq (0 without events). */
	lastSeq(): Promise<number>;
	/** The distinct non-empty first values of a cuboid's combinations, sorted. */
	comboValues(cuboid: number): Promise<string[]>;
	/** Rows of a drill-down query (`?` parameters), as objects named by the query's columns. */
	rows<T>(sql: string, params: readonly (string | number)[]): Promise<T[]>;
}

const SQL = {
	teams: 'SELECT id, name, name_en FROM teams',
	agents: 'SELECT id, name, team_id FROM agents',
	lastSeq: 'SELECT coalesce(max(seq), 0) FROM events',
	comboValues: "SELECT DISTINCT v1 FROM metric_combos WHERE cuboid = ? AND v1 <> '' ORDER BY v1"
} as const;

/** SQLite's `?` parameters as PostgreSQL's `$1, $2, …` (the dashboards' SQL has no `?` inside literals). */
export function numbered(sql: string): string {
	let i = 0;
	return sql.replace(/\?/g, () => `$${++i}`);
}

function sqliteDashboardStore(db: Db): DashboardStore {
	const c = db.$client;
	return {
		async teams() {
			return c.prepare(SQL.teams).all() as { id: string; name: string; name_en: string | null }[];
		},
		async agents() {
			return c.prepare(SQL.agents).all() as { id: string; name: string; team_id: string | null }[];
		},
		async lastSeq() {
			return Number(c.prepare(SQL.lastSeq).pluck().get());
		},
		async comboValues(cuboid) {
			return c.prepare(SQL.comboValues).pluck().all(cuboid) as string[];
		},
		async rows<T>(sql: string, params: readonly (string | number)[]) {
			return c.prepare(sql).all(...params) as T[];
		}
	};
}

function postgresDashboardStore(db: PgDb): DashboardStore {
	const sql = db.$client;
	return {
		async teams() {
			return (await sql.unsafe(SQL.teams)) as unknown as {
				id: string;
				name: string;
				name_en: string | null;
			}[];
		},
		async agents() {
			return (await sql.unsafe(SQL.agents)) as unknown as {
				id: string;
				name: string;
				team_id: string | null;
			}[];
		},
		async lastSeq() {
			const [row] = await sql.unsafe(SQL.lastSeq).values();
			return Number(row[0]);
		},
		async comboValues(cuboid) {
			return (await sql.unsafe(numbered(SQL.comboValues), [cuboid]).values()).map((r) => r[0] as string);
		},
		async rows<T>(text: string, params: readonly (string | number)[]) {
			return (await sql.unsafe(numbered(text), [...params])) as unknown as T[];
		}
	};
}

export const dashboardStores = { sqlite: sqliteDashboardStore, postgres: postgresDashboardStore };
