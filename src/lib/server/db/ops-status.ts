import type { Db } from './index';
import type { PgDb } from './postgres';
import { asStorage, byEngine, type Storage } from './storage';

/**
 * Statuses every server process shows the same (issue 17): what a background job of ANY process last did — a
 * journey re-stitch, the scheduled backup, the retention prune, the demo's incident switch — kept as JSON in `ops_state.data` under a key, so a
 * process started later, or one that did not run the job, shows it too. Written by the process running the job,
 * read by whichever process answers the admin screen.
 */
export type OpsStatusKey = 'journeys.restitch' | 'backup' | 'retention' | 'demo.incident';

interface OpsStatusStore {
	read(key: OpsStatusKey): Promise<string | null>;
	write(key: OpsStatusKey, data: string, now: number): Promise<void>;
}

const stores = {
	sqlite: (db: Db): OpsStatusStore => {
		const c = db.$client;
		const read = c.prepare('SELECT data FROM ops_state WHERE key = ?').pluck();
		const write = c.prepare(
			`INSERT INTO ops_state (key, value, updated_at, data) VALUES (?, 1, ?, ?)
			 ON CONFLICT (key) DO UPDATE SET value = ops_state.value + 1, updated_at = excluded.updated_at, data = excluded.data`
		);
		return {
			async read(key) {
				return (read.get(key) as string | null | undefined) ?? null;
			},
			async write(key, data, now) {
				write.run(key, now, data);
			}
		};
	},
	postgres: (db: PgDb): OpsStatusStore => {
		const sql = db.$client;
		return {
			async read(key) {
				const [row] = await sql<{ data: string | null }[]>`SELECT data FROM ops_state WHERE key = ${key}`;
				return row?.data ?? null;
			},
			async write(key, data, now) {
				await sql`
					INSERT INTO ops_state (key, value, updated_at, data) VALUES (${key}, 1, ${now}, ${data})
					ON CONFLICT (key) DO UPDATE SET value = ops_state.value + 1, updated_at = excluded.updated_at,
					  data = excluded.data`;
			}
		};
	}
};

/** The status last written under `key`, or null (none yet, or unreadable). */
export async function readOpsStatus<T>(target: Db | Storage, key: OpsStatusKey): Promise<T | null> {
	const data = await byEngine(asStorage(target), stores).read(key);
	if (data === null) return null;
	try {
		return JSON.parse(data) as T;
	} catch {
		return null;
	}
}

/** Replaces the status under `key` (every process reads this one). */
export async function writeOpsStatus(
	target: Db | Storage,
	key: OpsStatusKey,
	status: unknown,
	now = Date.now()
): Promise<void> {
	await byEngine(asStorage(target), stores).write(key, JSON.stringify(status), now);
}
