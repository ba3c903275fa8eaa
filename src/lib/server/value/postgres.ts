import { asc } from 'drizzle-orm';
import { pgSchema, type PgDb } from '$lib/server/db/postgres';
import type { ValueStore } from './store';

const { valueSettings } = pgSchema;

/** The PostgreSQL value store (bigints come back as JS numbers). */
export function postgresValueStore(db: PgDb): ValueStore {
	return {
		async versions() {
			return db.select().from(valueSettings).orderBy(asc(valueSettings.effectiveFrom));
		},
		async putVersion(row) {
			const { effectiveFrom: _day, ...set } = row;
			const [stored] = await db
				.insert(valueSettings)
				.values(row)
				.onConflictDoUpdate({ target: valueSettings.effectiveFrom, set })
				.returning();
			return stored;
		}
	};
}
