import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { ensureDefaultJourneys } from '$lib/server/journeys';
import { instancesOf } from '$lib/server/metrics/derive-testing';
import { kpis } from '$lib/server/metrics/kpis';
import type { CxQuery } from '$lib/server/metrics/query';
import { centerOverview } from '$lib/server/overview';
import { copyField } from './history-postgres';
import { isDatabaseEmpty, seedDemo, type SeedResult } from './seed';

/**
 * The demo seeded into SQLite (through the event writer) and into PostgreSQL (in bulk, history-postgres.ts) from
 * the same seed and `now`: the same rows, the same derived tables, the same answers.
 */
const NOW = Date.UTC(2025, 5, 1, 4);
const DAY = 86_400_000;
const OPTIONS = { seed: 7, days: 3, now: NOW, scale: 0.5 };

let sqlite: Db;
let pg: TestPostgres;
let engines: Storage[];
let seeded: SeedResult[];

beforeAll(async () => {
	sqlite = openDatabase(':memory:');
	pg = await testPostgres();
	engines = [sqliteStorage(sqlite), postgresStorage(pg.db)];
	seeded = [];
	for (const storage of engines) {
		// As startup.ts: the standard journeys exist before the demo starts.
		await ensureDefaultJourneys(storage, NOW - 10 * DAY);
		// Small chunks on PostgreSQL too: customers and registrations carry over from chunk to chunk.
		seeded.push(await seedDemo(storage, { ...OPTIONS, chunkSize: 2_500 }));
	}
}, 300_000);

afterAll(async () => {
	sqlite?.$client.close();
	await pg?.close();
});

async function rows(storage: Storage, text: string): Promise<Record<string, unknown>[]> {
	if (storage.engine === 'sqlite') return storage.db.$client.prepare(text).all() as Record<string, unknown>[];
	return [...(await storage.db.$client.unsafe(text))] as Record<string, unknown>[];
}

/** Both engines' rows for one query, normalized (PostgreSQL numbers and SQLite numbers compare equal). */
async function both(text: string): Promise<[Record<string, unknown>[], Record<string, unknown>[]]> {
	const [a, b] = await Promise.all(engines.map((s) => rows(s, text)));
	const norm = (list: Record<string, unknown>[]) =>
		list.map((r) =>
			Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]))
		);
	return [norm(a), norm(b)];
}

function query(q: Partial<CxQuery> = {}): CxQuery {
	return {
		from: NOW - 3 * DAY,
		to: NOW,
		by: null,
		grain: null,
		filters: {},
		compare: null,
		standardise: true,
		scope: { teams: null },
		...q
	};
}

describe('seedDemo on both engines', { timeout: 60_000 }, () => {
	it('writes the same number of events of each type', () => {
		const [onSqlite, onPostgres] = seeded;
		expect(onSqlite.skipped).toBe(false);
		expect(onSqlite.events).toBeGreaterThan(5_000);
		expect(onPostgres).toMatchObject({
			skipped: false,
			events: onSqlite.events,
			byType: onSqlite.byType,
			teams: onSqlite.teams,
			agents: onSqlite.agents
		});
	});

	it('fills every table with the same number of rows', async () => {
		const tables = (
			sqlite.$client
				.prepare(
					`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
					 AND name NOT LIKE '__drizzle%' ORDER BY name`
				)
				.pluck()
				.all() as string[]
		).filter((t) => !t.startsWith('_'));
		expect(tables).toContain('events');
		const counts = async (storage: Storage) => {
			const out: Record<string, number> = {};
			for (const t of tables) out[t] = Number((await rows(storage, `SELECT count(*) AS n FROM ${t}`))[0].n);
			return out;
		};
		const [a, b] = [await counts(engines[0]), await counts(engines[1])];
		expect(b).toEqual(a);
		for (const t of ['events', 'customers', 'teams', 'agents', 'dimension_values', 'metric_cells'])
			expect(a[t], t).toBeGreaterThan(0);
		expect(a.journey_instances).toBeGreaterThan(100);
		expect(a.journey_event_names).toBeGreaterThan(5);
		expect(a.events).toBe(seeded[0].events);
	});

	it('stores the same event rows, flags, links, segments and sentiments (all but the arrival time)', async () => {
		const columns = `seq, id, source_id, type, ts, customer_id, channel, name, journey, handled_by, queue, team_id,
			agent_id, reason, wait_s, handle_s, outcome, metric, score, text, contact_id, category, severity, regulator,
			segment, region, sentiment, first_contact, repeat_same_reason_7d, repeat_48h, chain_last, chain_self_service,
			transferred_to_agent, linked_contact_seq, properties`;
		const [a, b] = await both(`SELECT ${columns} FROM events ORDER BY seq`);
		expect(b.length).toBe(a.length);
		// One by one so a difference names its row.
		for (let i = 0; i < a.length; i++)
			if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) expect(b[i]).toEqual(a[i]);
		// The rebuild set the contact-chain flags (the history is written without them).
		const [flags] = await both(
			`SELECT count(*) AS n FROM events WHERE type = 'contact' AND first_contact IS NOT NULL`
		);
		expect(Number(flags[0].n)).toBeGreaterThan(1_000);
		const [links] = await both(`SELECT count(*) AS n FROM events WHERE linked_contact_seq IS NOT NULL`);
		expect(Number(links[0].n)).toBeGreaterThan(100);
	});

	it('keeps the same customers and directory', async () => {
		for (const text of [
			'SELECT id, segment, tier, region, traits, first_seen, last_seen FROM customers ORDER BY id',
			'SELECT id, name, name_en, site, first_seen FROM teams ORDER BY id',
			'SELECT id, name, team_id, first_seen FROM agents ORDER BY id',
			'SELECT dimension, value, label, label_en, first_seen FROM dimension_values ORDER BY dimension, value'
		]) {
			const [a, b] = await both(text);
			expect(a.length, text).toBeGreaterThan(0);
			expect(b, text).toEqual(a);
		}
		const [segments] = await both('SELECT count(*) AS n FROM customers WHERE segment IS NOT NULL');
		expect(Number(segments[0].n)).toBe(seeded[0].byType.identify);
	});

	it('stitches the same journey instances', async () => {
		const [a, b] = await both(
			`SELECT journey_key, status, count(*) AS n, count(ended_at) AS ended
			 FROM journey_instances GROUP BY journey_key, status ORDER BY journey_key, status`
		);
		expect(a.length).toBeGreaterThan(4);
		expect(b).toEqual(a);
		const [x, y] = await both(
			`SELECT customer_id, journey_key, started_at, status FROM journey_instances
			 ORDER BY customer_id, journey_key, started_at`
		);
		expect(y).toEqual(x);
		// Every column of every instance (but its id and shape id), its path and switches, and the events linked to
		// it: the batched inserts of PostgreSQL's re-stitch write what SQLite's one by one does.
		const instances = await instancesOf(sqlite);
		expect(instances.length).toBeGreaterThan(100);
		expect(instances.filter((i) => (i as { linked: string[] }).linked.length > 0).length).toBeGreaterThan(10);
		expect(await instancesOf(pg.db)).toEqual(instances);
		const [shapes, pgShapes] = await both(
			'SELECT journey_key, path, switches FROM journey_shapes ORDER BY journey_key, path, switches'
		);
		expect(pgShapes).toEqual(shapes);
	});

	it('answers the same KPIs, overall, by team and by day, and the same overview', async () => {
		for (const q of [query(), query({ by: 'team' }), query({ by: 'channel', grain: 'day' })]) {
			const [a, b] = await Promise.all(engines.map((s) => kpis(s, q, { now: NOW })));
			expect(a.rows.length).toBeGreaterThan(0);
			expect(b.rows.length).toBe(a.rows.length);
			a.rows.forEach((row, i) => {
				expect([b.rows[i].group, b.rows[i].bucket]).toEqual([row.group, row.bucket]);
				for (const [key, kpi] of Object.entries(row.kpis)) {
					const other = b.rows[i].kpis[key as keyof typeof row.kpis];
					if (!kpi || !other) {
						expect(other, key).toEqual(kpi);
						continue;
					}
					expect(other.n, key).toBe(kpi.n);
					if (kpi.value === null) expect(other.value, key).toBeNull();
					else expect(other.value, key).toBeCloseTo(kpi.value, 9);
				}
			});
		}
		const overall = (await kpis(engines[1], query(), { now: NOW })).rows[0].kpis;
		expect(overall.service_level.n).toBeGreaterThan(1_000);
		expect(overall.service_level.value).toBeGreaterThan(0.3);
		const [a, b] = await Promise.all(engines.map((s) => centerOverview(s, NOW)));
		expect(b).toEqual(a);
	});

	it("refreshes PostgreSQL's planner statistics of the tables it filled", async () => {
		for (const table of ['events', 'customers', 'journey_instances'])
			await expect
				.poll(
					async () =>
						(await pg.db.$client`SELECT last_analyze FROM pg_stat_user_tables WHERE relname = ${table}`)[0]
							?.last_analyze ?? null,
					{ timeout: 20_000 }
				)
				.not.toBeNull();
	});

	it('seeds only an empty database', async () => {
		for (const storage of engines) {
			expect(await isDatabaseEmpty(storage)).toBe(false);
			expect((await seedDemo(storage, OPTIONS)).skipped).toBe(true);
		}
		const [a, b] = await both('SELECT count(*) AS n FROM events');
		expect(b).toEqual(a);
		expect(Number(a[0].n)).toBe(seeded[0].events);
	});
});

describe('copyField', () => {
	it("escapes what COPY's text format reads specially", () => {
		expect(copyField(null)).toBe('\\N');
		expect(copyField(1.5)).toBe('1.5');
		expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
		expect(copyField('\\N')).toBe('\\\\N');
		expect(copyField('没事')).toBe('没事');
	});
});
