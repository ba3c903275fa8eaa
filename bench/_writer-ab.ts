/**
 * A/B of two builds of the writer on the contact-heavy mix, in one process: each build in a worker thread of its own
 * (bench/_writer-ab-worker.ts bundled from each tree), sent the same groups of 4 × 500 prepared events in turn, A then
 * B, so that a shared machine's load changes hit both alike. Prints the CPU µs per event of each and their ratio per
 * round of AB_ROUND groups, and the median ratio. Bundle this file with scripts/bundle-lib.js, then
 *   NODE_ENV=production AB_A=bench/.data/build/a.mjs AB_B=bench/.data/build/b.mjs node bench/.data/build/ab.mjs
 * with AB_EVENTS=120000, AB_ROUND=10, AB_CUSTOMERS=200000, AB_GROUP=4 (batches a group commit: 2 is nearer the HTTP
 * bench's ~950 events a commit).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CxEvent } from '$lib/model';
import { prepareEvents } from '$lib/server/ingest/writer';
import { ContactHeavyMix } from './_ingest-mix';

const N = Number(process.env.AB_EVENTS ?? 120_000);
const ROUND = Number(process.env.AB_ROUND ?? 10);
const BATCH = 500;
const GROUP = Number(process.env.AB_GROUP ?? 4);
const mix = new ContactHeavyMix(Number(process.env.AB_CUSTOMERS ?? 200_000));
const start = Date.now();
const groups: { events: CxEvent[]; prepared: ReturnType<typeof prepareEvents> }[][] = [];
for (let i = 0; i < N; i += GROUP * BATCH) {
	const group = [];
	for (let j = i; j < i + GROUP * BATCH; j += BATCH) {
		const events: CxEvent[] = [];
		for (let k = j; k < j + BATCH; k++) {
			const ts = start - 60_000 + Math.floor(k / BATCH) * 10 + (k % BATCH) / 100;
			const e = mix.event(ts);
			const out: Record<string, unknown> = {};
			for (const [key, v] of Object.entries(e)) if (v !== undefined) out[key] = v;
			if (out.text) out.text = '客服很耐心，回电请打[手机号]';
			events.push(out as unknown as CxEvent);
		}
		group.push({ events, prepared: prepareEvents(1, events) });
	}
	groups.push(group);
}
const dir = path.resolve('bench/.data/writer-ab');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const side = (name: string, bundle: string) => {
	const worker = new Worker(path.resolve(bundle), { workerData: { file: path.join(dir, `${name}.db`) } });
	worker.on('error', (error) => {
		console.error(name, error);
		process.exit(1);
	});
	return {
		worker,
		write: (group: unknown) =>
			new Promise<number>((resolve) => {
				worker.once('message', resolve);
				worker.postMessage(group);
			})
	};
};
const a = side('a', process.env.AB_A ?? '');
const b = side('b', process.env.AB_B ?? '');
const ratios: number[] = [];
let cpuA = 0;
let cpuB = 0;
let events = 0;
let totalA = 0;
let totalB = 0;
for (let g = 0; g < groups.length; g++) {
	// Alternate which side goes first, so neither always follows the other's garbage.
	const [first, second] = g % 2 ? [b, a] : [a, b];
	const t1 = await first.write(groups[g]);
	const t2 = await second.write(groups[g]);
	const [ta, tb] = g % 2 ? [t2, t1] : [t1, t2];
	cpuA += ta;
	cpuB += tb;
	totalA += ta;
	totalB += tb;
	events += groups[g].reduce((n, x) => n + x.events.length, 0);
	if ((g + 1) % ROUND === 0 || g === groups.length - 1) {
		ratios.push(cpuB / cpuA);
		console.log(
			`groups ≤${g + 1}: A ${(cpuA / events).toFixed(1)} µs/event, B ${(cpuB / events).toFixed(1)}, B/A ${(cpuB / cpuA).toFixed(3)}`
		);
		cpuA = cpuB = events = 0;
	}
}
const sorted = [...ratios].sort((x, y) => x - y);
console.log(
	`all: A ${(totalA / N).toFixed(1)} µs/event, B ${(totalB / N).toFixed(1)}, B/A ${(totalB / totalA).toFixed(3)}, median round B/A ${sorted[Math.floor(sorted.length / 2)].toFixed(3)}`
);
await a.worker.terminate();
await b.worker.terminate();
