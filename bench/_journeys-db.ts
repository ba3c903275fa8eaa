/**
 * The 1M-instance journeys database that bench/journeys.ts builds (bench/.data/journeys), opened for the before/after
 * trials (_funnel-ab.ts, _funnel-parts.ts, _gap-time.ts), with its journeys and the bench's "now".
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '$lib/server/db';
import type { JourneyDefinition } from '$lib/server/journeys/definitions';
import { listJourneys } from '$lib/server/journeys/registry';

export const DAY = 86_400_000;
/** bench/journeys.ts's "now". */
export const NOW = Date.UTC(2026, 5, 1);

export async function openJourneysDb(): Promise<{ db: Db; defs: JourneyDefinition[] }> {
	const dir = path.resolve('bench/.data/journeys');
	const name = readdirSync(dir).find((f) => f.startsWith('instances-') && f.endsWith('.db'));
	if (!name)
		throw new Error('no journeys database in bench/.data/journeys: run `node bench/run.js journeys` first');
	const db = openDatabase(path.join(dir, name));
	return { db, defs: (await listJourneys(db)).map((r) => r.definition) };
}
