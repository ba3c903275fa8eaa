import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteKey } from '$lib/server/auth/keys';
import { openDatabase, type Db } from '$lib/server/db';
import { mapEventName } from '$lib/server/journeys/registry';
import { ingestConfig } from './config';
import { createIngestContext, type IngestContext } from './context';
import { routeIngestion } from './serve';
import { bearer, post } from './testing';

// The writer thread as `npm run build` bundles it (scripts/bundle-lib.js), into a temporary folder inside the
// project, so its bare imports resolve from node_modules as the built server's do.
let dir: string;
let threadUrl: URL;
let db: Db;
let ctx: IngestContext;
let key: string;

beforeAll(async () => {
	const cache = path.resolve('node_modules/.cache');
	mkdirSync(cache, { recursive: true });
	dir = mkdtempSync(path.join(cache, 'resonance-writer-thread-'));
	const { bundleLib } = (await import(pathToFileURL(path.resolve('scripts/bundle-lib.js')).href)) as {
		bundleLib: (entry: string, outDir: string, fileName: string) => Promise<string>;
	};
	threadUrl = pathToFileURL(
		await bundleLib('src/lib/server/ingest/writer-thread.ts', dir, 'ingest-writer.js')
	);
	db = openDatabase(path.join(dir, 'thread.db'));
	key = (await createWriteKey(db, { name: 'thread test' })).key;
	ctx = createIngestContext(db, { ...ingestConfig({}), groupCommitMs: 5 }, { writerThreadUrl: threadUrl });
	await ctx.writerThread?.ready;
}, 60_000);

afterAll(async () => {
	await ctx?.close();
	db?.$client.close();
	rmSync(dir, { recursive: true, force: true });
});

const minute = 60_000;
const at = (ms: number) => new Date(Date.now() - 30 * minute + ms).toISOString();

async function send(events: Record<string, unknown>[]) {
	const response = await routeIngestion(post('/api/v1/events', JSON.stringify({ events }), bearer(key)), ctx);
	return { status: response.status, body: await response.json() };
}

const count = (sql: string, ...params: unknown[]) =>
	db.$client
		.prepare(sql)
		.pluck()
		.get(...params) as number;

describe('the writer thread', () => {
	it('is used for a file database, and writes events, rollups and journeys another connection can read', async () => {
		expect(ctx.writerThread).not.toBeNull();
		const r = await send([
			{ id: 't1', type: 'journey', ts: at(0), customerId: 'w1', name: 'loss_reported', channel: 'app' },
			{
				id: 't2',
				type: 'journey',
				ts: at(minute),
				customerId: 'w1',
				name: 'card_blocked',
				channel: 'app',
				properties: { device: 'iPhone15,2', nested: { city: '上海' } }
			},
			{
				id: 't3',
				type: 'contact',
				ts: at(2 * minute),
				customerId: 'w1',
				channel: 'phone',
				handledBy: 'agent',
				teamId: 'T1',
				agentId: 'A1',
				waitS: 12,
				handleS: 200,
				outcome: 'resolved',
				reason: 'card_lost'
			}
		]);
		expect(r).toMatchObject({ status: 200, body: { accepted: 3, duplicates: 0 } });
		expect(count("SELECT count(*) FROM events WHERE customer_id = 'w1'")).toBe(3);
		expect(count("SELECT count(*) FROM journey_instances WHERE customer_id = 'w1'")).toBe(1);
		// Properties cross to the thread as their JSON text (the events carry a shared empty object instead).
		const stored = db.$client.prepare('SELECT id, properties FROM events ORDER BY seq').raw().all();
		expect(stored.slice(-3)).toEqual([
			['t1', '{}'],
			['t2', '{"device":"iPhone15,2","nested":{"city":"上海"}}'],
			['t3', '{}']
		]);
		expect(count('SELECT count(*) FROM metric_cells')).toBeGreaterThan(0);
		expect(count("SELECT count(*) FROM agents WHERE id = 'A1'")).toBe(1);
	});

	it('runs with a young generation big enough to hold a group commit without scavenging it repeatedly', () => {
		// V8 rounds the semi-spaces to powers of two: 96 MB is two 32 MB semi-spaces (the default: 16 MB).
		expect(ctx.writerThread?.heapLimits?.maxYoungGenerationSizeMb).toBeGreaterThanOrEqual(96);
	});

	it('stores concurrent retries of the same ids once and reports the rest as duplicates', async () => {
		const batch = Array.from({ length: 50 }, (_, i) => ({
			id: `dup-${i}`,
			type: 'feedback',
			ts: at(3 * minute),
			customerId: `d${i % 7}`,
			metric: 'nps',
			score: i % 11
		}));
		const answers = await Promise.all(Array.from({ length: 8 }, () => send(batch)));
		expect(answers.every((a) => a.status === 200)).toBe(true);
		expect(answers.reduce((n, a) => n + a.body.accepted, 0)).toBe(50);
		expect(answers.reduce((n, a) => n + a.body.duplicates, 0)).toBe(7 * 50);
		expect(count("SELECT count(*) FROM events WHERE id LIKE 'dup-%'")).toBe(50);
	});

	it('stitches with a journey mapping made on the main thread after the thread compiled its catalog', async () => {
		await mapEventName(
			db,
			{ eventName: 'card_frozen_in_app', journeyKey: 'lost_card', stepEvent: 'card_blocked' },
			null
		);
		await send([
			{ id: 'm1', type: 'journey', ts: at(0), customerId: 'w2', name: 'loss_reported', channel: 'app' },
			{
				id: 'm2',
				type: 'journey',
				ts: at(minute),
				customerId: 'w2',
				name: 'card_frozen_in_app',
				channel: 'app'
			}
		]);
		expect(
			count("SELECT depth FROM journey_instances WHERE customer_id = 'w2' AND journey_key = 'lost_card'")
		).toBe(2);
	});

	it('checkpoints beside the writer: an answered event is readable at once, and its pages reach the file soon', async () => {
		// The WAL index (the -shm file, https://sqlite.org/walformat.html): the last committed frame at byte 16 and the
		// last frame copied back into the database file (nBackfill) at byte 96, in this machine's byte order.
		const walIndex = () => {
			const shm = readFileSync(`${db.$client.name}-shm`);
			const read = (at: number) => (os.endianness() === 'LE' ? shm.readUInt32LE(at) : shm.readUInt32BE(at));
			return { lastFrame: read(16), copied: read(96) };
		};
		const r = await send([
			{ id: 'ck1', type: 'feedback', ts: at(0), customerId: 'w4', metric: 'csat', score: 5 },
			{ id: 'ck2', type: 'contact', ts: at(minute), customerId: 'w4', channel: 'phone', outcome: 'resolved' }
		]);
		expect(r.body).toMatchObject({ accepted: 2 });
		// Committed before the answer, and visible to another connection (this thread's) without waiting.
		expect(count("SELECT count(*) FROM events WHERE id IN ('ck1', 'ck2')")).toBe(2);
		expect(walIndex().lastFrame).toBeGreaterThan(0);
		// A few hundred frames, far below the writer's autocheckpoint (10,000): only the checkpointer copies them.
		const deadline = Date.now() + 5_000;
		let index = walIndex();
		while (index.copied < index.lastFrame && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 50));
			index = walIndex();
		}
		expect(index.copied).toBe(index.lastFrame);
	});

	it('writes what waits for its group commit at close, then refuses with 503 and Retry-After', async () => {
		const waiting = send([
			{
				id: 'late-1',
				type: 'complaint',
				ts: at(0),
				customerId: 'w3',
				category: 'fees',
				severity: 'low',
				regulator: false
			}
		]);
		// Let the request be read and handed to the group commit (which waits 5 ms for company), then close.
		await new Promise((resolve) => setImmediate(resolve));
		await new Promise((resolve) => setImmediate(resolve));
		await ctx.close();
		expect((await waiting).body).toMatchObject({ accepted: 1 });
		expect(count("SELECT count(*) FROM events WHERE id = 'late-1'")).toBe(1);
		const after = await routeIngestion(
			post(
				'/api/v1/events',
				JSON.stringify({
					events: [{ id: 'late-2', type: 'feedback', ts: at(0), customerId: 'w3', metric: 'csat', score: 4 }]
				}),
				bearer(key)
			),
			ctx
		);
		expect(after.status).toBe(503);
		expect(after.headers.get('retry-after')).toBe('1');
	});
});

describe('a writer thread that cannot start', () => {
	it('is restarted a few times, then ingestion answers 503 at once instead of hanging', async () => {
		const bad = path.join(dir, 'broken-writer.js');
		writeFileSync(bad, "throw new Error('cannot start');\n");
		const file = path.join(dir, 'broken.db');
		const other = openDatabase(file);
		const badKey = (await createWriteKey(other, { name: 'broken' })).key;
		const broken = createIngestContext(
			other,
			{ ...ingestConfig({}), groupCommitMs: 1 },
			{
				writerThreadUrl: pathToFileURL(bad)
			}
		);
		const errors = console.error;
		console.error = () => undefined;
		try {
			let last = 0;
			for (let i = 0; i < 8 && last !== 503; i++) {
				const response = await routeIngestion(
					post(
						'/api/v1/events',
						JSON.stringify({
							events: [
								{
									id: `b${i}`,
									type: 'complaint',
									ts: at(0),
									customerId: 'x',
									category: 'fees',
									severity: 'low',
									regulator: false
								}
							]
						}),
						bearer(badKey)
					),
					broken
				);
				last = response.status;
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
			expect(last).toBe(503);
			// Given up on rather than restarted forever.
			await expect.poll(() => broken.writerThread?.failed, { timeout: 10_000 }).toBe(true);
			await broken.close();
			expect(other.$client.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0);
		} finally {
			console.error = errors;
			other.$client.close();
		}
	}, 30_000);
});
