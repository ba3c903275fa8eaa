/**
 * Trial (session 13, pipeline): what crossing to the writer thread costs per event, serialising (main thread) and
 * deserialising (writer thread), for a group commit's batches as writer-client.ts posts them: v8.serialize, a real
 * worker that answers at once (its thread's CPU from /proc), and JSON text instead. Bundle with scripts/bundle-lib.js
 * like bench/_writer-profile.ts and run with NODE_ENV=production.
 */
import { deserialize, serialize } from 'node:v8';
import type { CxEvent } from '$lib/model';
import { prepareEvents, type WriteBatch } from '$lib/server/ingest/writer';
import { normalizeEvent } from '$lib/server/ingest/normalize';
import { ContactHeavyMix } from './_ingest-mix';

const N = 100_000;
const BATCH = 500;
const mix = new ContactHeavyMix(200_000);
const start = Date.now();
const events: CxEvent[] = [];
for (let i = 0; i < N; i++) {
	const raw = JSON.parse(JSON.stringify(mix.event(start - 60_000 + i / 100))) as Record<string, unknown>;
	events.push(raw as unknown as CxEvent);
}
void normalizeEvent;
const IN_PREPARED = Object.freeze({});
const groups: WriteBatch[][] = [];
for (let i = 0; i < N; i += 4 * BATCH) {
	const group: WriteBatch[] = [];
	for (let j = i; j < i + 4 * BATCH; j += BATCH) {
		const chunk = events.slice(j, j + BATCH);
		const prepared = prepareEvents(1, chunk);
		group.push({ events: chunk.map((e) => ({ ...e, properties: IN_PREPARED })), sourceId: 1, prepared });
	}
	groups.push(group);
}
console.log('sample event', JSON.stringify(groups[0][0].events[1]));
for (let round = 0; round < 3; round++) {
	let ser = 0;
	let des = 0;
	let bytes = 0;
	for (const g of groups) {
		const t0 = performance.now();
		const buf = serialize({ kind: 'write', id: 1, batches: g });
		const t1 = performance.now();
		deserialize(buf);
		des += performance.now() - t1;
		ser += t1 - t0;
		bytes += buf.length;
	}
	console.log(
		`serialise ${((ser * 1000) / N).toFixed(2)} µs/event, deserialise ${((des * 1000) / N).toFixed(2)} µs/event, ${(bytes / N).toFixed(0)} B/event`
	);
}

// The real path: a worker that receives each group and answers at once; its thread's CPU from /proc.
import { Worker } from 'node:worker_threads';
import { readFileSync, readdirSync } from 'node:fs';
function threadCpu(): Map<number, number> {
	const out = new Map<number, number>();
	for (const t of readdirSync('/proc/self/task')) {
		const f = readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].split(' ');
		out.set(Number(t), ((Number(f[11]) + Number(f[12])) * 1000) / 100);
	}
	return out;
}
const w = new Worker(
	`const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m.id));`,
	{ eval: true }
);
await new Promise((r) => setTimeout(r, 200));
for (let round = 0; round < 3; round++) {
	const c0 = threadCpu();
	const t0 = performance.now();
	let ser = 0;
	for (let k = 0; k < 3; k++)
		for (const g of groups) {
			const s = performance.now();
			w.postMessage({ kind: 'write', id: 1, batches: g });
			ser += performance.now() - s;
			await new Promise((r) => w.once('message', r));
		}
	const c1 = threadCpu();
	let rows = [...c1].map(([t, c]) => [t, c - (c0.get(t) ?? 0)]).filter(([t]) => t !== process.pid);
	rows = rows.sort((a, b) => b[1] - a[1]);
	console.log(
		`worker round trip: postMessage ${((ser * 1000) / (3 * N)).toFixed(2)} µs/event on main; busiest other thread ${((rows[0][1] * 1000) / (3 * N)).toFixed(2)} µs/event CPU; wall ${(((performance.now() - t0) * 1000) / (3 * N)).toFixed(2)}`
	);
}
await w.terminate();

// JSON text instead of structured clone: stringify on the main thread, parse on the writer's.
for (let round = 0; round < 3; round++) {
	let ser = 0;
	let des = 0;
	for (const g of groups) {
		const t0 = performance.now();
		const text = JSON.stringify(g.map((b) => b.events));
		const t1 = performance.now();
		JSON.parse(text);
		des += performance.now() - t1;
		ser += t1 - t0;
	}
	console.log(
		`JSON: stringify ${((ser * 1000) / N).toFixed(2)} µs/event, parse ${((des * 1000) / N).toFixed(2)} µs/event`
	);
	let ser2 = 0;
	let des2 = 0;
	for (const g of groups) {
		const t0 = performance.now();
		const buf = serialize(g.map((b) => b.events));
		const t1 = performance.now();
		deserialize(buf);
		des2 += performance.now() - t1;
		ser2 += t1 - t0;
	}
	console.log(
		`clone of the events alone: ${((ser2 * 1000) / N).toFixed(2)} / ${((des2 * 1000) / N).toFixed(2)} µs/event`
	);
}
