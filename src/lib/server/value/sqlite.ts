import { asc } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { valueSettings } from '$lib/server/db/schema';
import type { ValueStore } from './store';

/** The SQLite value store: synchronous statements behind the async interface. */
export function sqliteValueStore(db: Db): ValueStore {
	return {
		async versions() {
			return db.select().from(valueSettings).orderBy(asc(valueSettings.effectiveFrom)).all();
		},
		async putVersion(row) {
			const { effectiveFrom: _day, ...set } = row;
			return db
				.insert(valueSettings)
				.values(row)
				.onConflictDoUpdate({ target: valueSettings.effectiveFrom, set })
				.returning()
				.get();
		}
	};
}
