import { afterEach, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { openPostgres, type PgDb } from '$lib/server/db/postgres';
import { postgresStorage } from '$lib/server/db/storage';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { ingestConfig } from './config';
import { createIngestContext } from './context';
import { postgresWriter, mergePatch, type PgDerive } from './postgres-writer';
import { pruneEventIds } from './prune';
import { flagValue, insertedFlags } from '$lib/server/metrics/rollups';
import { deriveOnPostgres } from '$lib/server/metrics/derive-postgres';
import { prepareEvents, writeBatches, writeEvents, type WriteBatch, type WriteResult } from './writer';

const T0 = Date.UTC(2026, 10, 2, 9);
const MIN = 60_000;

const ev = (id: string, extra: Partial<CxEvent> = {}): CxEvent => ({
	id,
	type: 'journey',
	name: 'step',
	ts: T0,
	customerId: 'c',
	properties: {},
	...extra
});

/** A mix like the demo's: identifies, contacts with teams/agents/queues/reasons, feedback with text, complaints. */
function mix(): CxEvent[][] {
	const a: CxEvent[] = [
		ev('i1', {
			type: 'identify',
			customerId: 'c1',
			traits: { segment: 'mass', region: 'east', vip: true }
		}),
		ev('j1', {
			customerId: 'c1',
			journey: 'card_activation',
			ts: T0 + MIN,
			properties: { step: 1, 渠道: '手机' }
		}),
		ev('k1', {
			type: 'contact',
			name: undefined,
			customerId: 'c2',
			ts: T0 + 2 * MIN,
			channel: 'phone',
			handledBy: 'agent',
			queue: 'cards',
			teamId: 'T1',
			agentId: 'A1',
			reason: 'card_lost',
			waitS: 12.5,
			handleS: 240,
			outcome: 'resolved',
			contactId: 'call-1'
		}),
		ev('f1', {
			type: 'feedback',
			name: undefined,
			customerId: 'c2',
			ts: T0 + 3 * MIN,
			metric: 'csat',
			score: 4,
			teamId: 'T1',
			agentId: 'A1',
			text: '客服很耐心，问题解决了'
		}),
		ev('x1', {
			type: 'complaint',
			name: undefined,
			customerId: 'c3',
			ts: T0 + 4 * MIN,
			category: 'fees',
			severity: 'high',
			regulator: true,
			text: '收费不合理'
		})
	];
	const b: CxEvent[] = [
		// Late: before c1's first event; out of order within the batch; a duplicate of a's k1 and one within b.
		ev('j0', { customerId: 'c1', journey: 'card_activation', ts: T0 - 10 * MIN }),
		ev('k1', { type: 'contact', name: undefined, customerId: 'c2', ts: T0 + 2 * MIN }),
		ev('i2', {
			type: 'identify',
			customerId: 'c2',
			ts: T0 + 5 * MIN,
			traits: { segment: 'private', tier: 'gold', nested: { a: 1, b: 2 } }
		}),
		ev('f2', {
			type: 'feedback',
			name: undefined,
			customerId: 'c2',
			ts: T0 + 6 * MIN,
			metric: 'nps',
			score: 9,
			text: 'bad experience, very slow'
		}),
		ev('j2', {
			customerId: 'c4',
			ts: T0 + 90 * MIN,
			queue: 'loans',
			reason: 'rate',
			teamId: 'T2',
			agentId: 'A2'
		}),
		ev('j2', { customerId: 'c4', ts: T0 + 91 * MIN }),
		ev('x2', { type: 'complaint', name: undefined, customerId: 'c3', ts: T0 + 200 * MIN, regulator: false })
	];
	const c: CxEvent[] = [
		ev('i3', {
			type: 'identify',
			customerId: 'c2',
			ts: T0 + 7 * MIN,
			traits: { region: 'north', nested: { b: null } }
		}),
		ev('j3', { customerId: 'c2', ts: T0 + 8 * MIN }),
		ev('j4', { customerId: 'c5', ts: T0 - 60 * MIN })
	];
	return [a, b, c];
}

/** Stored rows as both engines answer them, without what differs by design (seq, arrival time). */
function sqliteRows(db: Db, table: string, order: string): Record<string, unknown>[] {
	return (
		db.$client.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Record<string, unknown>[]
	).map(clean);
}
async function pgRows(db: PgDb, table: string, order: string): Promise<Record<string, unknown>[]> {
	return (
		(await db.$client.unsafe(`SELECT * FROM ${table} ORDER BY ${order}`)) as Record<string, unknown>[]
	).map(clean);
}
function clean(row: Record<string, unknown>): Record<string, unknown> {
	const { seq: _seq, received_at: _receivedAt, ...rest } = row;
	if (typeof rest.traits === 'string') rest.traits = JSON.parse(rest.traits);
	if (typeof rest.properties === 'string') rest.properties = JSON.parse(rest.properties);
	return rest;
}

const opened: (TestPostgres | { close: () => Promise<void> })[] = [];
afterEach(async () => {
	for (const o of opened.splice(0).reverse()) await o.close();
});
async function pg(): Promise<TestPostgres> {
	const p = await testPostgres();
	opened.push(p);
	return p;
}

const batchesOf = (groups: CxEvent[][], sourceId = 1, derive = false): WriteBatch[] =>
	groups.map((events, i) => ({ sourceId, events, receivedAt: T0 + 1000 * MIN + i, derive }));

describe('the PostgreSQL writer', () => {
	it('stores what the SQLite writer stores: events, customers, teams, agents, dimension values', async () => {
		const sqlite = openDatabase(':memory:');
		const { db } = await pg();
		const writer = postgresWriter(db);
		const [a, b, c] = mix();
		// a and b in one group commit, c alone, on each engine.
		const s1 = writeBatches(sqlite, batchesOf([a, b]));
		const s2 = writeBatches(sqlite, batchesOf([c]));
		const p1 = await writer.writeBatches(batchesOf([a, b]));
		const p2 = await writer.writeBatches(batchesOf([c]));
		expect(p1).toEqual(s1);
		expect(p2).toEqual(s2);
		expect(p1).toEqual([
			{ accepted: 5, duplicates: 0, duplicateIndexes: [] },
			{ accepted: 5, duplicates: 2, duplicateIndexes: [1, 5] }
		]);

		const events = await pgRows(db, 'events', 'seq');
		expect(events).toEqual(sqliteRows(sqlite, 'events', 'seq'));
		expect(events.map((e) => e.id)).toEqual([
			'i1',
			'j1',
			'k1',
			'f1',
			'x1',
			'j0',
			'i2',
			'f2',
			'j2',
			'x2',
			'i3',
			'j3',
			'j4'
		]);
		// Stamped with the customer as of the event: f1 before c2's identify, f2 after it, j3 after the second.
		const byId = new Map(events.map((e) => [e.id, e]));
		expect([byId.get('f1')?.segment, byId.get('f2')?.segment, byId.get('j3')?.segment]).toEqual([
			null,
			'private',
			'private'
		]);
		expect([byId.get('f2')?.region, byId.get('j3')?.region]).toEqual([null, 'north']);
		expect(byId.get('x1')?.regulator).toBe(1);
		expect(byId.get('x2')?.regulator).toBe(0);
		expect(byId.get('f1')?.sentiment).toEqual(expect.any(Number));
		expect(byId.get('j1')?.properties).toEqual({ step: 1, 渠道: '手机' });

		const customers = await pgRows(db, 'customers', 'id');
		expect(customers).toEqual(sqliteRows(sqlite, 'customers', 'id'));
		expect(customers.find((r) => r.id === 'c2')).toEqual({
			id: 'c2',
			segment: 'private',
			tier: 'gold',
			region: 'north',
			// json_patch semantics: b deleted by null, a kept.
			traits: { nested: { a: 1 } },
			first_seen: T0 + 2 * MIN,
			// j3 is within a minute of the identify at +7: last_seen trails, as on SQLite.
			last_seen: T0 + 7 * MIN
		});
		// Late events move first_seen back.
		expect(customers.find((r) => r.id === 'c1')?.first_seen).toBe(T0 - 10 * MIN);
		for (const [table, order] of [
			['teams', 'id'],
			['agents', 'id'],
			['dimension_values', 'dimension, value']
		])
			expect(await pgRows(db, table, order)).toEqual(sqliteRows(sqlite, table, order));
		expect((await pgRows(db, 'agents', 'id')).map((r) => [r.id, r.team_id])).toEqual([
			['A1', 'T1'],
			['A2', 'T2']
		]);
		// Same again: every event is a duplicate on both engines.
		const again = await writer.writeBatches(batchesOf([a]));
		expect(again).toEqual(writeBatches(sqlite, batchesOf([a])));
		expect(again[0]).toMatchObject({ accepted: 0, duplicates: 5 });
		sqlite.$client.close();
	});

	it('stores the same prepared events (hashes, sentiments, properties computed beforehand)', async () => {
		const sqlite = openDatabase(':memory:');
		const { db } = await pg();
		const events = mix()[0];
		const prepared = prepareEvents(7, events);
		const options = { sourceId: 7, receivedAt: T0, prepared, derive: false };
		expect(await postgresWriter(db).writeEvents(events, options)).toEqual(
			writeEvents(sqlite, events, options)
		);
		expect(await pgRows(db, 'events', 'seq')).toEqual(sqliteRows(sqlite, 'events', 'seq'));
		sqlite.$client.close();
	});

	it('de-duplicates per source, within a request and across requests', async () => {
		const { db } = await pg();
		const w = postgresWriter(db);
		expect(await w.writeEvents([ev('a'), ev('b'), ev('a')], { sourceId: 1 })).toEqual({
			accepted: 2,
			duplicates: 1,
			duplicateIndexes: [2]
		});
		expect(await w.writeEvents([ev('b')], { sourceId: 1 })).toMatchObject({ duplicates: 1 });
		expect(await w.writeEvents([ev('b')], { sourceId: 2 })).toMatchObject({ accepted: 1 });
		// Without de-duplication (the demo seed) everything is stored and nothing claimed.
		expect(await w.writeEvents([ev('z'), ev('z')], { sourceId: 1, dedupe: false })).toMatchObject({
			accepted: 2
		});
		const [{ n }] = await db.$client`SELECT count(*) AS n FROM events`;
		const [{ m }] = await db.$client`SELECT count(*) AS m FROM event_ids`;
		expect([n, m]).toEqual([5, 3]);
		// The unique index refuses a second claim outright.
		await expect(
			db.$client`INSERT INTO event_ids (hash, seen_at) SELECT hash, 0 FROM event_ids LIMIT 1`
		).rejects.toThrow(/unique/);
	});

	it('stores an event once when two processes (two pools) receive it at the same time', async () => {
		const p = await pg();
		const other = await openPostgres(p.url, { pool: 4 });
		opened.push({ close: () => other.$client.end({ timeout: 1 }) });
		const one = postgresWriter(p.db);
		const two = postgresWriter(other);
		const events = Array.from({ length: 300 }, (_, i) =>
			ev(`e${i}`, { customerId: `c${i % 37}`, teamId: `T${i % 5}`, ts: T0 + i * 1000 })
		);
		// Each process gets every event, in different request splits and orders, several requests at once.
		const results = await Promise.all([
			...[0, 100, 200].map((from) => one.writeEvents(events.slice(from, from + 100), { sourceId: 1 })),
			...[0, 150].map((from) => two.writeEvents(events.slice(from, from + 150).reverse(), { sourceId: 1 })),
			two.writeBatches(batchesOf([events.slice(250), events.slice(0, 10)], 1, true))
		]);
		const flat = results.flat() as WriteResult[];
		expect(flat.every((r) => !(r instanceof Error))).toBe(true);
		expect(flat.reduce((sum, r) => sum + r.accepted, 0)).toBe(300);
		expect(flat.reduce((sum, r) => sum + r.duplicates, 0)).toBe(300 + 60);
		const rows = await p.db.$client`SELECT id, count(*) AS n FROM events GROUP BY id`;
		expect(rows).toHaveLength(300);
		expect(rows.every((r) => r.n === 1)).toBe(true);
		const [{ customers, teams }] = await p.db.$client`SELECT
			(SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM teams) AS teams`;
		expect([customers, teams]).toEqual([37, 5]);
	});

	it('isolates a failing request inside a group commit; its claims and registrations roll back', async () => {
		const { db } = await pg();
		const w = postgresWriter(db);
		const poison = {
			...ev('p', { teamId: 'T9' }),
			properties: { big: 1n } as unknown as Record<string, unknown>
		};
		const noCustomer = ev('q', { customerId: null as unknown as string });
		const results = await w.writeBatches([
			{ sourceId: 1, events: [ev('x', { teamId: 'T1' })] },
			{ sourceId: 1, events: [ev('y', { teamId: 'T9' }), poison] },
			{ sourceId: 1, events: [ev('w', { teamId: 'T8' }), noCustomer] },
			{ sourceId: 1, events: [ev('z')] }
		]);
		expect(results[0]).toMatchObject({ accepted: 1 });
		expect(results[1]).toBeInstanceOf(Error);
		expect(results[2]).toBeInstanceOf(Error);
		expect(results[3]).toMatchObject({ accepted: 1 });
		expect((await db.$client`SELECT id FROM events ORDER BY seq`).map((r) => r.id)).toEqual(['x', 'z']);
		// The retry of the failed requests is stored (nothing of them was kept: ids, customers, teams).
		expect(
			await w.writeEvents([ev('y', { teamId: 'T9' }), ev('w', { teamId: 'T8' })], { sourceId: 1 })
		).toMatchObject({
			accepted: 2
		});
		expect((await db.$client`SELECT id FROM teams ORDER BY id`).map((r) => r.id)).toEqual(['T1', 'T8', 'T9']);
		// A request alone that fails rejects writeEvents.
		await expect(w.writeEvents([noCustomer], { sourceId: 1 })).rejects.toThrow();
	});

	it('writes a group again with savepoints when a request fails: the others derive what they derive alone', async () => {
		// Contacts (chains, cells), journey steps (instances), a customer seen twice and one identified.
		const contact = (id: string, customerId: string, ts: number, extra: Partial<CxEvent> = {}) =>
			ev(id, {
				type: 'contact',
				name: undefined,
				customerId,
				ts,
				channel: 'phone',
				handledBy: 'agent',
				teamId: 'T1',
				agentId: 'A1',
				reason: 'card_lost',
				outcome: 'resolved',
				waitS: 30,
				handleS: 200,
				...extra
			});
		const step = (id: string, customerId: string, ts: number, name: string) =>
			ev(id, { customerId, ts, name, journey: 'lost_card', channel: 'app' });
		const good1 = [
			step('s1', 'k1', T0, 'loss_reported'),
			contact('c1', 'k1', T0 + MIN),
			step('s2', 'k1', T0 + 2 * MIN, 'card_blocked'),
			ev('i1', { type: 'identify', customerId: 'k2', traits: { segment: 'affluent' } })
		];
		const good2 = [
			contact('c2', 'k1', T0 + 30 * MIN, { outcome: 'unresolved' }),
			contact('c3', 'k2', T0 + 31 * MIN, { handledBy: 'bot', teamId: undefined, agentId: undefined }),
			step('s3', 'k2', T0 + 32 * MIN, 'loss_reported'),
			step('s4', 'k1', T0 + 33 * MIN, 'reissue_requested')
		];
		const poison = {
			...ev('p', { customerId: 'k1' }),
			properties: { big: 1n } as unknown as Record<string, unknown>
		};
		const grouped = await pg();
		const alone = await pg();
		const results = await postgresWriter(grouped.db, { derive: deriveOnPostgres }).writeBatches([
			{ sourceId: 1, events: good1, receivedAt: T0 + 40 * MIN },
			{ sourceId: 1, events: [contact('c9', 'k1', T0 + 5 * MIN), poison], receivedAt: T0 + 40 * MIN },
			{ sourceId: 1, events: good2, receivedAt: T0 + 40 * MIN }
		]);
		expect(results[0]).toMatchObject({ accepted: 4 });
		expect(results[1]).toBeInstanceOf(Error);
		expect(results[2]).toMatchObject({ accepted: 4 });
		const w = postgresWriter(alone.db, { derive: deriveOnPostgres });
		await w.writeEvents(good1, { sourceId: 1, receivedAt: T0 + 40 * MIN });
		await w.writeEvents(good2, { sourceId: 1, receivedAt: T0 + 40 * MIN });
		const unkeyed = (rows: Record<string, unknown>[]) =>
			rows.map(({ key: _key, ...rest }) => JSON.stringify(rest)).sort();
		const derived = async (db: PgDb) => ({
			events: await pgRows(db, 'events', 'id'),
			customers: await pgRows(db, 'customers', 'id'),
			// Cell keys hold combo ids (drawn from a sequence, as instance and shape ids): cells compared as a set.
			cells: unkeyed(await pgRows(db, 'metric_cells', 'key')),
			days: unkeyed(await pgRows(db, 'metric_day_cells', 'key')),
			combos: await db.$client`SELECT cuboid, v1, v2 FROM metric_combos ORDER BY cuboid, v1, v2`,
			instances: (await pgRows(db, 'journey_instances', 'journey_key, customer_id, start_seq')).map(
				// Ids drawn by the rolled-back first try are not given back (sequences are not transactional).
				({ id: _id, start_seq: _s, step_seqs: _q, shape_id: _shape, ...rest }) => rest
			),
			shapes: await db.$client`SELECT i.journey_key, i.customer_id, s.path, s.switches
				FROM journey_instances i JOIN journey_shapes s ON s.id = i.shape_id
				ORDER BY i.journey_key, i.customer_id, i.started_at`,
			links: await db.$client`SELECT count(*)::int AS n FROM journey_interactions`
		});
		const expected = await derived(alone.db);
		expect(expected.instances.length).toBeGreaterThan(0);
		expect(expected.cells.length).toBeGreaterThan(0);
		expect(await derived(grouped.db)).toEqual(expected);
		// Nothing of the failed request: its contact c9 would have been k1's first contact.
		expect(expected.events.map((e) => e.id)).not.toContain('c9');
	});

	it('derives every event once when two processes receive the same events, duplicates inside requests too', async () => {
		const p = await pg();
		const reference = await pg();
		const other = await openPostgres(p.url, { pool: 4 });
		opened.push({ close: () => other.$client.end({ timeout: 1 }) });
		const events = Array.from({ length: 120 }, (_, i) =>
			i % 2
				? ev(`e${i}`, {
						type: 'contact',
						name: undefined,
						customerId: `c${i % 13}`,
						ts: T0 + i * MIN,
						channel: i % 4 === 1 ? 'phone' : 'chat',
						handledBy: 'agent',
						teamId: `T${i % 3}`,
						outcome: 'resolved',
						reason: 'fraud'
					})
				: ev(`e${i}`, {
						customerId: `c${i % 13}`,
						ts: T0 + i * MIN,
						name: i % 3 ? 'card_blocked' : 'loss_reported',
						journey: 'lost_card'
					})
		);
		const one = postgresWriter(p.db, { derive: deriveOnPostgres });
		const two = postgresWriter(other, { derive: deriveOnPostgres });
		// Every event sent to both processes, some twice within one request, in different splits, at once.
		const results = (
			await Promise.all([
				one.writeBatches(batchesOf([events.slice(0, 60), [...events.slice(60), events[61]]], 1, true)),
				two.writeBatches(batchesOf([[...events.slice(30, 90), events[30]], events.slice(0, 30)], 1, true)),
				two.writeBatches(batchesOf([events.slice(90)], 1, true))
			])
		).flat() as WriteResult[];
		expect(results.every((r) => !(r instanceof Error))).toBe(true);
		expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(120);
		expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(120 + 2);
		// The same cells, flags and instances as one writer storing each event once, in time order.
		await postgresWriter(reference.db, { derive: deriveOnPostgres }).writeEvents(events, {
			sourceId: 1,
			receivedAt: T0 + 1000 * MIN
		});
		const derived = async (db: PgDb) => ({
			flags: await db.$client`SELECT id, first_contact, repeat_same_reason_7d, repeat_48h, chain_last
				FROM events ORDER BY id`,
			cells: await pgRows(db, 'metric_cells', 'key'),
			instances: await db.$client`SELECT journey_key, customer_id, status, depth, step_events, contacts
				FROM journey_instances ORDER BY journey_key, customer_id, started_at`
		});
		const expected = await derived(reference.db);
		expect(expected.instances.length).toBeGreaterThan(0);
		expect(await derived(p.db)).toEqual(expected);
	});

	it('runs the injected derivation in the write transaction with the stored seqs and the customers created', async () => {
		const { db } = await pg();
		const calls: { seqs: number[]; ids: string[]; created: string[]; now: number; seen: number }[] = [];
		const derive: PgDerive = async (tx, inserted, { now, created }) => {
			// Inside the transaction: the rows are visible to it.
			const [{ n }] = (await tx.execute(`SELECT count(*) AS n FROM events`)) as unknown as { n: number }[];
			calls.push({
				seqs: inserted.map((e) => e.seq),
				ids: inserted.map((e) => e.id),
				created: [...created].sort(),
				now,
				seen: n
			});
			if (inserted.some((e) => e.id === 'boom')) throw new Error('derive failed');
		};
		const w = postgresWriter(db, { derive });
		const contact = ev('c', {
			customerId: 'n2',
			type: 'contact',
			name: undefined,
			handledBy: 'bot',
			outcome: 'resolved'
		});
		await w.writeEvents(
			[
				ev('i', { type: 'identify', customerId: 'n1', traits: { segment: 'affluent' } }),
				ev('a', { customerId: 'n1' }),
				ev('b', { customerId: 'n2' })
			],
			{
				sourceId: 1,
				receivedAt: T0
			}
		);
		await w.writeEvents([contact], { sourceId: 1, receivedAt: T0 + 1 });
		await w.writeEvents([ev('d')], { sourceId: 1, derive: false });
		const stored =
			await db.$client`SELECT seq, id, first_contact, chain_self_service FROM events ORDER BY seq`;
		expect(calls).toEqual([
			{ seqs: stored.slice(0, 3).map((r) => r.seq), ids: ['i', 'a', 'b'], created: ['n2'], now: T0, seen: 3 },
			{ seqs: [stored[3].seq], ids: ['c'], created: [], now: T0 + 1, seen: 4 }
		]);
		// The contact's flags as if alone (the derivation reconciles them).
		const flags = insertedFlags(contact);
		expect(stored[3]).toMatchObject({
			id: 'c',
			first_contact: flagValue(flags.firstContact),
			chain_self_service: 1
		});
		expect(stored[4]).toMatchObject({ id: 'd', first_contact: null });
		// A failing derivation fails its request: nothing of it is stored.
		await expect(w.writeEvents([ev('boom')], { sourceId: 1 })).rejects.toThrow('derive failed');
		expect((await db.$client`SELECT id FROM events WHERE id = 'boom'`).length).toBe(0);
	});

	it('merges traits as SQLite json_patch does', () => {
		expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 }, f: [1] })).toEqual({
			a: 1,
			b: { d: 3, e: 4 },
			f: [1]
		});
		expect(mergePatch('x', { a: 1 })).toEqual({ a: 1 });
	});
});

describe('the ingestion context on PostgreSQL', () => {
	it('group-commits concurrent requests and answers after the commit', async () => {
		const { db } = await pg();
		const ctx = createIngestContext(
			postgresStorage(db),
			{ ...ingestConfig({}), groupCommitMs: 20 },
			{ derive: null }
		);
		const origin = ctx.committer;
		const results = await Promise.all(
			Array.from({ length: 8 }, (_, i) =>
				origin.submit({ sourceId: 1, events: [ev(`e${i}`), ev(`e${(i + 1) % 8}`)], receivedAt: T0 })
			)
		);
		const commits = ctx.monitor.status().writer.sinceStart;
		expect(results.reduce((s, r) => s + r.accepted, 0)).toBe(8);
		expect(results.reduce((s, r) => s + r.duplicates, 0)).toBe(8);
		// All eight in fewer transactions than requests, each committed when answered.
		expect(commits.transactions).toBeLessThan(8);
		expect(commits.events).toBe(16);
		const [{ n }] = await db.$client`SELECT count(*) AS n FROM events`;
		expect(n).toBe(8);
		await ctx.close();
		expect(() => ctx.db).toThrow(/storage/);
	});
});

describe.each(['sqlite', 'postgres'] as const)('pruning de-duplication ids on %s', (engine) => {
	it('prunes ids older than the window, a few rows at a time, and then accepts them again', async () => {
		const old = Date.now() - 8 * 86_400_000;
		const before = Date.now() - 7 * 86_400_000;
		let write: (events: CxEvent[], receivedAt?: number) => Promise<WriteResult>;
		let target: Parameters<typeof pruneEventIds>[0];
		let count: () => Promise<number>;
		if (engine === 'sqlite') {
			const db = openDatabase(':memory:');
			opened.push({ close: async () => void db.$client.close() });
			write = async (events, receivedAt) => writeEvents(db, events, { sourceId: 1, receivedAt });
			target = db;
			count = async () => db.$client.prepare('SELECT count(*) FROM event_ids').pluck().get() as number;
		} else {
			const { db } = await pg();
			const w = postgresWriter(db);
			write = (events, receivedAt) => w.writeEvents(events, { sourceId: 1, receivedAt });
			target = postgresStorage(db);
			count = async () => (await db.$client`SELECT count(*) AS n FROM event_ids`)[0].n as number;
		}
		await write([ev('old1'), ev('old2'), ev('old3')], old);
		await write([ev('new')]);
		expect(await pruneEventIds(target, before, 2)).toBe(2);
		expect(await pruneEventIds(target, before, 2)).toBe(1);
		expect(await pruneEventIds(target, before, 2)).toBe(0);
		expect(await count()).toBe(1);
		expect(await write([ev('old1'), ev('new')])).toMatchObject({ accepted: 1, duplicateIndexes: [1] });
	});
});
