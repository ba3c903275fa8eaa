import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { seedDemo, type SeedProgress } from './seed';
import { seedInChild } from './seed-child';

// The seeder as `npm run build` bundles it (scripts/bundle-lib.js), into a temporary folder inside the project so
// its bare imports resolve from node_modules as the built server's do.
let dir: string;
let url: URL;

beforeAll(async () => {
	const cache = path.resolve('node_modules/.cache');
	mkdirSync(cache, { recursive: true });
	dir = mkdtempSync(path.join(cache, 'resonance-demo-seeder-'));
	const { bundleLib } = (await import(pathToFileURL(path.resolve('scripts/bundle-lib.js')).href)) as {
		bundleLib: (entry: string, outDir: string, fileName: string) => Promise<string>;
	};
	url = pathToFileURL(await bundleLib('src/lib/server/demo/seed-process.ts', dir, 'demo-seeder.js'));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.UTC(2025, 5, 1, 4);

/** What the seed leaves in the database, table by table (a digest of the events, counts of the derived rows). */
function contents(db: Db) {
	const one = (sql: string) => db.$client.prepare(sql).get();
	return {
		events: one(`SELECT count(*) AS n, sum(ts) AS ts, count(DISTINCT customer_id) AS customers,
			sum(length(coalesce(text, ''))) AS texts, sum(coalesce(sentiment, 0)) AS sentiment FROM events`),
		customers: one('SELECT count(*) AS n, count(segment) AS segments FROM customers'),
		cells: one(
			'SELECT count(*) AS n, sum(contacts) AS contacts, sum(answered) AS answered FROM metric_cells'
		),
		dayCells: one('SELECT count(*) AS n FROM metric_day_cells'),
		journeys: one("SELECT count(*) AS n, sum(status = 'completed') AS completed FROM journey_instances"),
		names: one('SELECT count(*) AS n, sum(events) AS events FROM journey_event_names'),
		teams: one('SELECT count(*) AS n FROM teams')
	};
}

describe('the demo seeder process', () => {
	it('seeds what the in-process seed writes, in a child process that has exited when it answers', async () => {
		const progress: SeedProgress[] = [];
		const file = path.join(dir, 'child.db');
		openDatabase(file).$client.close();
		const run = seedInChild(url, file, { seed: 3, days: 1, now: NOW, onProgress: (p) => progress.push(p) });
		const result = await run.done;

		expect(result.pid).not.toBe(process.pid);
		expect(result.exitCode).toBe(0);
		// The process is gone (ESRCH), and with it the generator's and the writer's memory.
		expect(() => process.kill(result.pid, 0)).toThrow(/ESRCH/);
		expect(result.skipped).toBe(false);
		expect(result.events).toBeGreaterThan(5_000);
		expect(progress.at(-1)).toMatchObject({ done: result.events, percent: 100 });

		const inProcess = openDatabase(path.join(dir, 'in-process.db'));
		const expected = await seedDemo(inProcess, { seed: 3, days: 1, now: NOW });
		expect({ events: result.events, byType: result.byType }).toEqual({
			events: expected.events,
			byType: expected.byType
		});
		const child = openDatabase(file);
		try {
			const seeded = contents(child);
			expect((seeded.events as { n: number }).n).toBe(result.events);
			expect((seeded.journeys as { n: number }).n).toBeGreaterThan(0);
			expect((seeded.cells as { n: number }).n).toBeGreaterThan(0);
			expect(seeded).toEqual(contents(inProcess));
			// The seeder indexed the texts (and trained the risk model where the history allows) before it exited.
			const docs = child.$client.prepare('SELECT count(*) AS n FROM text_docs').get() as { n: number };
			expect(result.insights.texts).toBeGreaterThan(0);
			expect(docs.n).toBe(result.insights.texts);
		} finally {
			child.$client.close();
			inProcess.$client.close();
		}
	}, 120_000);

	it('rejects when it is stopped before it is done', async () => {
		const run = seedInChild(url, path.join(dir, 'stopped.db'), { seed: 1, days: 30, now: NOW });
		run.stop();
		await expect(run.done).rejects.toThrow(/exited \(SIGTERM\) before it was done/);
	}, 60_000);
});
