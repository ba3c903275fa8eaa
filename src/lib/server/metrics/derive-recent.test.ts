import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { prepareEvents, writeBatches, type WriteBatch } from '$lib/server/ingest/writer';
import { ensureDefaultJourneys, saveJourney } from '$lib/server/journeys/registry';
import { FIXTURE_JOURNEY } from '$lib/server/journeys/testing';
import { applySentimentScores, keepRecentFacts, rebuildRollups } from './rollups';
import { cellsOf, DAY, flagsOf, instancesOf, randomHistory, T0 } from './derive-testing';

/**
 * The writer thread keeps recent customers' rows between transactions (rollups.ts RecentFacts) instead of reading
 * them back for every reconcile. What it maintains must equal the writer that reads them back, with the events as
 * the thread gets them (their properties only as the stored JSON text), and stay exact when another connection
 * changes stored rows in between.
 */

const NOW = T0 + 12 * DAY;
const dirs: string[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function database(file = ':memory:'): Promise<Db> {
	const db = openDatabase(file);
	await ensureDefaultJourneys(db, T0);
	await saveJourney(db, FIXTURE_JOURNEY, 'test', { now: T0 });
	return db;
}

async function derived(db: Db) {
	return { cells: await cellsOf(db), flags: await flagsOf(db), instances: await instancesOf(db) };
}

/** Requests as the writer thread receives them: prepared on the main thread, properties left behind. */
function asThreadGetsThem(events: readonly CxEvent[]): WriteBatch {
	return {
		events: events.map((e) => ({ ...e, properties: {} })),
		sourceId: 1,
		receivedAt: NOW,
		prepared: prepareEvents(1, events)
	};
}

/** Group commits of four requests. */
function writeGroups(db: Db, batches: readonly CxEvent[][], request: (b: CxEvent[]) => WriteBatch) {
	for (let i = 0; i < batches.length; i += 4) writeBatches(db, batches.slice(i, i + 4).map(request));
}

describe('the writer keeping recent customers’ rows', () => {
	it.each([5, 23])(
		'history %i: equals the writer that reads them back, and a rebuild',
		{ timeout: 240_000 },
		async (seed) => {
			// Few customers and small batches: most reconciles find the customer kept from an earlier write.
			const batches = randomHistory(seed, 1_200, { customers: 40, maxBatch: 60 });
			const reading = await database();
			writeGroups(reading, batches, (events) => ({ events, sourceId: 1, receivedAt: NOW }));
			const expected = await derived(reading);
			const links = reading.$client
				.prepare('SELECT count(*) FROM events WHERE linked_contact_seq IS NOT NULL')
				.pluck()
				.get() as number;
			expect(links).toBeGreaterThan(30);
			// Legs chained by a parent id: read back from the stored JSON, not from the properties object.
			const parents = reading.$client
				.prepare(`SELECT count(*) FROM events WHERE properties LIKE '%parentContactId%'`)
				.pluck()
				.get() as number;
			expect(parents).toBeGreaterThan(10);

			const keeping = await database();
			keepRecentFacts(keeping);
			writeGroups(keeping, batches, asThreadGetsThem);
			expect(await derived(keeping)).toEqual(expected);

			await rebuildRollups(keeping);
			expect(await cellsOf(keeping)).toEqual(expected.cells);
			expect(await flagsOf(keeping)).toEqual(expected.flags);
		}
	);

	it('drops what it kept when another connection commits (sentiments rescored between writes)', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'resonance-recent-'));
		dirs.push(dir);
		const file = path.join(dir, 'db.sqlite');
		const writer = await database(file);
		keepRecentFacts(writer);
		const other = openDatabase(file);
		const batches = randomHistory(7, 1_200, { customers: 40, maxBatch: 60 });
		const half = Math.floor(batches.length / 2);
		writeGroups(writer, batches.slice(0, half), asThreadGetsThem);
		// Another connection moves every stored answer's sentiment (and its contributions): rows the writer kept.
		const answers = other.$client
			.prepare(`SELECT seq FROM events WHERE type = 'feedback'`)
			.pluck()
			.all() as number[];
		expect(answers.length).toBeGreaterThan(50);
		other.$client.transaction(() =>
			applySentimentScores(
				other,
				answers.map((seq, i) => ({ seq, sentiment: (i % 7) / 7 - 0.5 }))
			)
		)();
		writeGroups(writer, batches.slice(half), asThreadGetsThem);
		const maintained = { cells: await cellsOf(writer), flags: await flagsOf(writer) };
		await rebuildRollups(writer);
		expect(await cellsOf(writer)).toEqual(maintained.cells);
		expect(await flagsOf(writer)).toEqual(maintained.flags);
		other.$client.close();
		writer.$client.close();
	});
});
