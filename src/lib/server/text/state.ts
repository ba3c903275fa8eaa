import type { Db } from '$lib/server/db';

/** Keys of `text_state`. */
export type StateKey =
	| 'watermark'
	| 'rules_version'
	| 'tagged_version'
	| 'rules_seeded'
	| 'model'
	| 'next_topic_id'
	| 'docs'
	| 'docs_at_fit';

export function readState<T>(db: Db, key: StateKey, fallback: T): T {
	const row = db.$client.prepare('SELECT value FROM text_state WHERE key = ?').get(key) as
		{ value: string } | undefined;
	return row ? (JSON.parse(row.value) as T) : fallback;
}

export function writeState(db: Db, key: StateKey, value: unknown): void {
	db.$client
		.prepare(
			`INSERT INTO text_state (key, value, updated_at) VALUES (?, ?, ?)
			 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
		)
		.run(key, JSON.stringify(value), Date.now());
}
