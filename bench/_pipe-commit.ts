/**
 * Trial (session 13, pipeline): the writer alone (contact-heavy mix, PROFILE_EVENTS=250000) with the commit's
 * checkpoint done different ways, printing the writer's time on a CPU, waiting for one and blocked (/proc schedstat),
 * its GC pauses and the WAL's largest size. Bundle with scripts/bundle-lib.js like bench/_writer-profile.ts, then
 *   CKPT=… PAGE=… NODE_ENV=production node [--max-semi-space-size=32] bench/.data/build/pipe-commit.mjs
 *   CKPT=auto (the writer's autocheckpoint alone) | bg (a second connection in a thread checkpoints PASSIVE every
 *   BG_MS, as ingest/checkpointer.ts) | manual (autocheckpoint off, PASSIVE on the writer's connection every
 *   CKPT_EVERY commits, timed apart) | none (never); PAGE=4096|8192|16384 (page size of the fresh file)
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { prepareEvents, writeBatches, type WriteBatch } from '$lib/server/ingest/writer';
import { keepRecentFacts } from '$lib/server/metrics/rollups';
import { ContactHeavyMix } from './_ingest-mix';

const N = Number(process.env.PROFILE_EVENTS ?? 250_000);
const BATCH = 500;
const CKPT = process.env.CKPT ?? 'auto';
const EVERY = Number(process.env.CKPT_EVERY ?? 6);
const PAGE = Number(process.env.PAGE ?? 4096);

function toCxEvent(e: Record<string, unknown>): CxEvent {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(e)) if (v !== undefined) out[k] = v;
	return out as unknown as CxEvent;
}
const start = Date.now();
const mix = new ContactHeavyMix(200_000);
const events: CxEvent[] = [];
for (let i = 0; i < N; i++)
	events.push(toCxEvent(mix.event(start - 60_000 + Math.floor(i / BATCH) * 10 + (i % BATCH) / 100)));
for (const e of events) if (e.text) e.text = '客服很耐心，回电请打[手机号]';
const dir = path.resolve('bench/.data/pipe-commit');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `w-${process.pid}.db`);
if (PAGE !== 4096) {
	const c = new Database(file);
	c.pragma(`page_size = ${PAGE}`);
	c.pragma('journal_mode = WAL');
	c.close();
}
const db = openDatabase(file);
keepRecentFacts(db);
if (CKPT !== 'auto' && CKPT !== 'bg') db.$client.pragma('wal_autocheckpoint = 0');
const groups: WriteBatch[][] = [];
for (let i = 0; i < events.length; i += 4 * BATCH) {
	const group: WriteBatch[] = [];
	for (let j = i; j < Math.min(i + 4 * BATCH, events.length); j += BATCH) {
		const chunk = events.slice(j, j + BATCH);
		group.push({ events: chunk, sourceId: 1, derive: true, prepared: prepareEvents(1, chunk) });
	}
	groups.push(group);
}
/** CPU ms of each thread of this process (from /proc), by thread id. */
function threadCpu(): Map<number, number> {
	const out = new Map<number, number>();
	for (const t of readdirSync('/proc/self/task')) {
		const f = readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].split(' ');
		out.set(Number(t), ((Number(f[11]) + Number(f[12])) * 1000) / 100);
	}
	return out;
}
let bg: Worker | null = null;
if (CKPT === 'bg') {
	// A second connection checkpoints PASSIVE every BG_MS; the writer keeps its autocheckpoint as the backstop.
	bg = new Worker(
		`const D = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
		 const c = new D(${JSON.stringify(file)}); c.pragma('busy_timeout = 5000');
		 const { parentPort } = require('node:worker_threads');
		 let n = 0, ms = 0;
		 const t = setInterval(() => { const s = performance.now(); c.pragma('wal_checkpoint(PASSIVE)'); ms += performance.now() - s; n++; }, ${Number(process.env.BG_MS ?? 100)});
		 parentPort.on('message', () => { clearInterval(t); c.close(); parentPort.postMessage({ n, ms }); });`,
		{ eval: true }
	);
}
let gcMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
	for (const e of list.getEntries()) {
		gcMs += e.duration;
		gcCount++;
	}
}).observe({ entryTypes: ['gc'] });
const tc0 = threadCpu();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const sched = () => readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
const s0 = sched();
let maxWal = 0;
let ckptMs = 0;
let commits = 0;
for (const group of groups) {
	writeBatches(db, group);
	maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
	if (CKPT === 'manual' && ++commits % EVERY === 0) {
		const t = performance.now();
		db.$client.pragma('wal_checkpoint(PASSIVE)');
		ckptMs += performance.now() - t;
	}
}
const ms = performance.now() - t0;
const s1 = sched();
const cpu = process.cpuUsage(cpu0);
const onCpu = (s1[0] - s0[0]) / 1e3 / N;
const runq = (s1[1] - s0[1]) / 1e3 / N;
await new Promise((resolve) => setTimeout(resolve, 200));
console.log(`GC pauses ${((gcMs * 1000) / N).toFixed(1)} µs/event, ${gcCount} of them`);
console.log(
	`writer: on CPU ${onCpu.toFixed(1)}, waiting for a core ${runq.toFixed(1)}, blocked ${((ms * 1000) / N - onCpu - runq).toFixed(1)} µs/event; WAL max ${(maxWal / 1e6).toFixed(0)} MB`
);
const tc1 = threadCpu();
const mainCpu = (tc1.get(process.pid)! - tc0.get(process.pid)!) * 1000;
let bgInfo = '';
if (bg) {
	const w = bg;
	const r = await new Promise<{ n: number; ms: number }>((res) => {
		w.once('message', res);
		w.postMessage('stop');
	});
	bgInfo = ` bg: ${r.n} checkpoints, ${((r.ms * 1000) / N).toFixed(1)} µs/event wall;`;
	await w.terminate();
}
console.log(
	`ckpt=${CKPT} page=${PAGE} ${N} events: ${((ms * 1000) / N).toFixed(1)} µs/event wall, ` +
		`${((cpu.user + cpu.system) / N).toFixed(1)} µs/event CPU (user ${(cpu.user / N).toFixed(1)}, sys ${(cpu.system / N).toFixed(1)}), ` +
		`writer thread CPU ${(mainCpu / N).toFixed(1)} µs/event;${bgInfo} checkpoints ${((ckptMs * 1000) / N).toFixed(1)} µs/event, ${Math.round(N / (ms / 1000))} events/s, db ${(statSync(file).size / 1e6).toFixed(0)} MB`
);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
