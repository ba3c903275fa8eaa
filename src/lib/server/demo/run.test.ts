import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { sqliteStorage, type Storage } from '$lib/server/db/storage';
import { testEngines } from '$lib/server/testing/postgres';
import { until } from '$lib/server/testing/wait';
import { listKeys, verifyWriteKey } from '$lib/server/auth/keys';
import { ensureDefaultJourneys } from '$lib/server/journeys';

/** The demo's start is slow on a loaded machine: up to 90 s. */
const eventually = (condition: () => boolean | Promise<boolean>) => until(condition, 90_000, 50);

/** A stand-in ingestion endpoint: records each post's key and events, answers as the API does. */
function endpoint(): Promise<{ server: Server; url: string; posts: { key: string; events: number }[] }> {
	const posts: { key: string; events: number }[] = [];
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			const events = (JSON.parse(body) as { events: unknown[] }).events.length;
			posts.push({ key: (req.headers.authorization ?? '').replace(/^Bearer /, ''), events });
			res.setHeader('content-type', 'application/json');
			res.end(JSON.stringify({ accepted: events }));
		});
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, posts })
		)
	);
}

/** A server process's demo module of its own (its status and simulator are module state). */
async function freshDemoModule() {
	vi.resetModules();
	return import('./run');
}

async function eventCount(storage: Storage): Promise<number> {
	if (storage.engine === 'sqlite')
		return (storage.db.$client.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
	const [{ n }] = await storage.db.$client`SELECT count(*) AS n FROM events`;
	return Number(n);
}

describe.each(testEngines)('startDemo on $engine', ({ engine, open }) => {
	const cleanup: (() => Promise<void> | void)[] = [];
	afterEach(async () => {
		for (const step of cleanup.reverse()) await step();
		cleanup.length = 0;
	});

	it('seeds an empty database, then runs the live simulator with a write key of its own source', async () => {
		const { storage, close } = await open();
		cleanup.push(close);
		const http = await endpoint();
		cleanup.push(() => void http.server.close());
		await ensureDefaultJourneys(storage);
		const env = { RESONANCE_DEMO_DAYS: '1', RESONANCE_DEMO_RATE: '600', RESONANCE_SIMULATOR_URL: http.url };

		const first = await freshDemoModule();
		cleanup.push(() => first.stopDemo());
		first.startDemo(storage, env);
		await eventually(() => first.demoStatus().phase === 'live' && http.posts.length > 0);
		const seeded = await eventCount(storage);
		expect(seeded).toBeGreaterThan(5_000);
		expect(first.demoStatus()).toMatchObject({ enabled: true, seededEvents: seeded, percent: 100 });
		const key = http.posts[0].key;
		const identity = await verifyWriteKey(storage, key);
		expect(identity?.sourceId).toBeGreaterThan(0);
		const keys = (await listKeys(storage)).filter((k) => k.sourceName === 'Demo live simulator');
		expect(keys.map((k) => k.revokedAt)).toEqual([null]);

		// A second server process on the same database: nothing seeded twice.
		const second = await freshDemoModule();
		cleanup.push(() => second.stopDemo());
		second.startDemo(storage, env);
		await eventually(() => second.demoStatus().phase === 'live');
		expect(await eventCount(storage)).toBe(seeded);
		if (engine === 'postgres') {
			// One simulator across processes: the second leaves it to the first, whose key stays valid.
			await new Promise((resolve) => setTimeout(resolve, 1_500));
			expect(second.demoSimulator()).toBeUndefined();
			expect(new Set(http.posts.map((p) => p.key))).toEqual(new Set([key]));
			expect(await verifyWriteKey(storage, key)).not.toBeNull();
		} else {
			// SQLite has one server process: a restart issues a new key and revokes the previous run's.
			await eventually(() => second.demoSimulator() !== undefined);
			first.stopDemo();
			await eventually(() => http.posts.some((p) => p.key !== key));
			const active = (await listKeys(storage)).filter(
				(k) => k.sourceName === 'Demo live simulator' && k.revokedAt === null
			);
			expect(active).toHaveLength(1);
			expect(await verifyWriteKey(storage, key)).toBeNull();
		}
	}, 180_000);
});

describe('startDemo on a SQLite file with the built seeder', () => {
	it('seeds in a child process that has exited before the simulator starts, answering meanwhile', async () => {
		const cache = path.resolve('node_modules/.cache');
		mkdirSync(cache, { recursive: true });
		const dir = mkdtempSync(path.join(cache, 'resonance-demo-run-'));
		const { bundleLib } = (await import(pathToFileURL(path.resolve('scripts/bundle-lib.js')).href)) as {
			bundleLib: (entry: string, outDir: string, fileName: string) => Promise<string>;
		};
		const url = pathToFileURL(await bundleLib('src/lib/server/demo/seed-process.ts', dir, 'demo-seeder.js'));
		const db = openDatabase(path.join(dir, 'demo.db'));
		const storage = sqliteStorage(db);
		const http = await endpoint();
		const demo = await freshDemoModule();
		try {
			await ensureDefaultJourneys(storage);
			demo.useSeeder(url);
			demo.startDemo(storage, {
				RESONANCE_DEMO_DAYS: '1',
				RESONANCE_DEMO_RATE: '600',
				RESONANCE_SIMULATOR_URL: http.url
			});
			// The event loop stays free while the child seeds: timers keep firing on time.
			let worstLag = 0;
			const phases = new Set<string>();
			while (demo.demoStatus().phase !== 'live') {
				const asked = performance.now();
				await new Promise((resolve) => setTimeout(resolve, 20));
				worstLag = Math.max(worstLag, performance.now() - asked - 20);
				phases.add(demo.demoStatus().phase);
			}
			expect(phases.has('seeding')).toBe(true);
			expect(worstLag).toBeLessThan(1_000);
			const place = demo.demoSeedPlace();
			expect(place?.child?.pid).toBeGreaterThan(0);
			expect(place?.child?.pid).not.toBe(process.pid);
			expect(place?.child?.exitCode).toBe(0);
			expect(() => process.kill(place?.child?.pid ?? 0, 0)).toThrow(/ESRCH/);
			const seeded = await eventCount(storage);
			expect(seeded).toBeGreaterThan(5_000);
			expect(demo.demoStatus()).toMatchObject({ seededEvents: seeded, percent: 100 });
			// Then the simulator starts.
			await eventually(() => http.posts.length > 0);
		} finally {
			demo.stopDemo();
			http.server.close();
			db.$client.close();
			rmSync(dir, { recursive: true, force: true });
		}
	}, 180_000);
});
