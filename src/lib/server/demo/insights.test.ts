import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { currentModel, summarizeModel, trainRisk } from '$lib/server/risk';
import { audienceResults } from '$lib/server/outreach';
import { DEMO_OUTREACH } from './generator';
import { prepareDemoInsights } from './insights';
import { DEMO_AUDIENCE_NAME } from './outreach';
import { seedDemo, type SeedResult } from './seed';

/**
 * The demo's planted signals (issue 19): a small demo (8 weeks at 0.3× volume) trains a complaint-risk model with
 * held-out skill, and its finished outreach audience shows a lift. Seeded once into SQLite, mirrored into
 * PostgreSQL; the model trained and the audience measured on both.
 */
const NOW = Date.parse('2026-12-01T00:00:00+08:00');
const DAY = 86_400_000;

let sqlite: Db;
let pg: TestPostgres;
let seeded: SeedResult;
let engines: Storage[];

beforeAll(async () => {
	sqlite = openDatabase(':memory:');
	seeded = await seedDemo(sqlite, { seed: 1, days: 56, now: NOW, scale: 0.3 });
	await prepareDemoInsights(sqlite, NOW);
	pg = await mirrorToPostgres(sqlite);
	await trainRisk(postgresStorage(pg.db), { now: NOW });
	engines = [sqliteStorage(sqlite), postgresStorage(pg.db)];
}, 600_000);

afterAll(async () => {
	sqlite?.$client.close();
	await pg?.close();
});

describe('the demo after its seed', { timeout: 120_000 }, () => {
	it.each([0, 1])('has a complaint-risk model with held-out skill (engine %i)', async (k) => {
		const row = await currentModel(engines[k]);
		expect(row).not.toBeNull();
		const model = summarizeModel(row!);
		expect(model.positives).toBeGreaterThanOrEqual(15);
		expect(model.auc95).not.toBeNull();
		// Well above chance: the interval's lower end clears 0.5.
		expect(model.auc95![0]).toBeGreaterThan(0.5);
		expect(model.auc).toBeGreaterThan(0.65);
		expect(model.scoredCustomers).toBeGreaterThan(1000);
	});

	it('trains the same model on both engines', async () => {
		const [a, b] = await Promise.all(engines.map(async (s) => summarizeModel((await currentModel(s))!)));
		expect(b.n).toBe(a.n);
		expect(b.positives).toBe(a.positives);
		expect(b.auc).toBeCloseTo(a.auc!, 3);
		expect(b.features).toEqual(a.features);
	});

	it.each([0, 1])('has one finished audience with a measured lift (engine %i)', async (k) => {
		expect(seeded.audienceId).toBe(DEMO_OUTREACH.audienceId);
		const results = await audienceResults(engines[k], seeded.audienceId!, { teams: null }, NOW);
		expect(results.audience.name).toBe(DEMO_AUDIENCE_NAME);
		expect(Date.parse(results.audience.createdAt)).toBe(NOW - DEMO_OUTREACH.daysBeforeEnd * DAY);
		expect(results.final).toBe(true);
		expect(results.audience.holdout).toBeGreaterThan(10);
		// Every treatment member was called back with a contact tagged with the audience; nobody in the holdout was.
		expect(results.reach.treatment).toBe(results.audience.treatment);
		expect(results.reach.holdout).toBe(0);
		expect(results.lift).toBeGreaterThan(0);
		expect(results.lift95).not.toBeNull();
		expect(results.lift95![1]).toBeGreaterThan(results.lift95![0]);
	});
});
