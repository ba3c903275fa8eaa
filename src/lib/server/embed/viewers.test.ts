import { afterEach, describe, expect, it } from 'vitest';
import type { PgDb } from '$lib/server/db/postgres';
import { memoryBroadcast, postgresBroadcast, type Broadcast } from '$lib/server/live/broadcast';
import { createRelay, type Relay } from '$lib/server/live/relay';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { until } from '$lib/server/testing/wait';
import { createViewerCounts, type ViewerCounts } from './viewers';

/**
 * Live embed viewers summed across processes: on PostgreSQL, three "processes" (three pools, each with its own
 * relay over LISTEN/NOTIFY) count their own streams and see the sum; a process that stops announcing is dropped
 * after the time to live. On SQLite (one process, the in-process broadcast) the count is the process's own.
 */

let pg: TestPostgres | undefined;
let pools = 0;
const broadcasts: Broadcast[] = [];
const relays: Relay[] = [];
const counters: ViewerCounts[] = [];

afterEach(async () => {
	for (const c of counters.splice(0)) c.stop();
	for (const r of relays.splice(0)) await r.detach();
	for (const b of broadcasts.splice(0)) await b.close();
	await pg?.close();
	pg = undefined;
	pools = 0;
});

const FAST = { announceMs: 50, heartbeatMs: 200, ttlMs: 2_000 };
/** A time to live no test outlasts: counts never expire on a loaded machine whose heartbeats run late. */
const STEADY = { ...FAST, ttlMs: 60_000 };

/** A process: its own relay over a broadcast, and its viewer counts. */
async function processOn(broadcast: Broadcast, options = FAST): Promise<ViewerCounts> {
	broadcasts.push(broadcast);
	const relay = createRelay();
	await relay.attach(broadcast);
	relays.push(relay);
	const counts = createViewerCounts(relay, options);
	counters.push(counts);
	return counts;
}

async function pool(): Promise<PgDb> {
	pg ??= await testPostgres();
	return pg.another({ pool: 2, applicationName: `resonance-${pools++}` });
}

describe('embed viewers across processes on PostgreSQL', () => {
	it('every process shows the sum of the open streams of all; closing one lowers it everywhere', async () => {
		const a = await processOn(postgresBroadcast(await pool()), STEADY);
		const b = await processOn(postgresBroadcast(await pool()), STEADY);
		const a1 = a.count('emb_1');
		const a2 = a.count('emb_1');
		b.count('emb_1');
		b.count('emb_2');
		// Each integration's count is announced on its own: wait for both to arrive.
		await until(() => a.viewers('emb_1') === 3 && b.viewers('emb_1') === 3 && a.viewers('emb_2') === 1);
		expect(a.viewers('emb_2')).toBe(1);
		expect(b.viewers('emb_2')).toBe(1);
		expect(a.viewers('emb_3')).toBe(0);
		a1();
		a1(); // uncounting twice counts once
		await until(() => b.viewers('emb_1') === 2);
		a2();
		await until(() => b.viewers('emb_1') === 1);
		expect(a.viewers('emb_1')).toBe(1);
		// A process started later asks, and hears the others' counts without waiting for their heartbeat.
		const slow = { ...STEADY, heartbeatMs: 60_000, ttlMs: 120_000 };
		const c = await processOn(postgresBroadcast(await pool()), slow);
		await until(() => c.viewers('emb_1') === 1 && c.viewers('emb_2') === 1);
	});

	it('a process that stops announcing (it died) is no longer counted after the time to live', async () => {
		const a = await processOn(postgresBroadcast(await pool()));
		const b = await processOn(postgresBroadcast(await pool()));
		b.count('emb_1');
		await until(() => a.viewers('emb_1') === 1);
		// B keeps its viewer but goes silent: A still counts it within the time to live, then drops it.
		b.stop();
		await relays[1].detach();
		expect(a.viewers('emb_1')).toBe(1);
		await until(() => a.viewers('emb_1') === 0);
	});
});

describe('embed viewers on SQLite (one process)', () => {
	it('counts the process’s own streams', async () => {
		const a = await processOn(memoryBroadcast());
		const done = a.count('emb_1');
		a.count('emb_1');
		expect(a.viewers('emb_1')).toBe(2);
		done();
		expect(a.viewers('emb_1')).toBe(1);
	});
});
