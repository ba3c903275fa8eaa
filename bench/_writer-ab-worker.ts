/**
 * One side of bench/_writer-ab.ts: the writer of one build in a worker thread of its own (its own heap), writing the
 * groups it is sent into its own database and answering with the CPU µs each took. Bundle it from each tree with
 * scripts/bundle-lib.js (bundleLib('bench/_writer-ab-worker.ts', 'bench/.data/build', '<name>.mjs')).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { writeBatches, type PreparedEvents } from '$lib/server/ingest/writer';
import { keepRecentFacts } from '$lib/server/metrics/rollups';

const db = openDatabase((workerData as { file: string }).file);
keepRecentFacts(db);
parentPort?.on('message', (group: { events: CxEvent[]; prepared: PreparedEvents }[]) => {
	const batches = group.map((b) => ({ ...b, sourceId: 1, derive: true }));
	const c0 = process.cpuUsage();
	writeBatches(db, batches);
	const c = process.cpuUsage(c0);
	parentPort?.postMessage(c.user + c.system);
});
