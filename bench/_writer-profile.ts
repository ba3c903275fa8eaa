/**
 * The writer alone on one mix, in-process, for profiling and before/after trials (not a recorded bench: run.js
 * skips files starting with "_"). Bundle it with scripts/bundle-lib.js (bundleLib('bench/_writer-profile.ts',
 * 'bench/.data/build', 'writer-profile.mjs')), then
 *   NODE_ENV=production [node --cpu-prof] node bench/.data/build/writer-profile.mjs
 * with PROFILE_MIX=contacts|journeys, PROFILE_EVENTS=60000, PROFILE_DERIVE=0 (no rollups, chains, journeys),
 * PROFILE_KEEP=0 (no rows kept between writes, as an in-process writer), PROFILE_DUMP=1 (row counts, a read's plan).
 * Prints wall and CPU µs per event: on a shared machine compare the CPU figure.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { prepareEvents, writeBatches, type WriteBatch } from '$lib/server/ingest/writer';
import { keepRecentFacts } from '$lib/server/metrics/rollups';
import { ContactHeavyMix, makeEvent } from './_ingest-mix';

const MIX = process.env.PROFILE_MIX ?? 'contacts';
const N = Number(process.env.PROFILE_EVENTS ?? 60_000);
const BATCH = 500;
const CUSTOMERS = Number(process.env.PROFILE_CUSTOMERS ?? 200_000);
const DERIVE = process.env.PROFILE_DERIVE !== '0';

function toCxEvent(e: Record<string, unknown>): CxEvent {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(e)) if (v !== undefined) out[k] = v;
	return out as unknown as CxEvent;
}

const start = Date.now();
const mix = new ContactHeavyMix(CUSTOMERS);
const events: CxEvent[] = [];
for (let i = 0; i < N; i++) {
	const ts = start - 60_000 + Math.floor(i / BATCH) * 10 + (i % BATCH) / 100;
	const e = MIX === 'contacts' ? mix.event(ts) : makeEvent(ts, CUSTOMERS);
	events.push(toCxEvent(e));
}
for (const e of events) if (e.text) e.text = '客服很耐心，回电请打[手机号]';
const dir = path.resolve('bench/.data/profile-writer');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const db = openDatabase(path.join(dir, `w-${process.pid}.db`));
if (process.env.PROFILE_KEEP !== '0') keepRecentFacts(db);
const groups: WriteBatch[][] = [];
for (let i = 0; i < events.length; i += 4 * BATCH) {
	const group: WriteBatch[] = [];
	for (let j = i; j < Math.min(i + 4 * BATCH, events.length); j += BATCH) {
		const chunk = events.slice(j, j + BATCH);
		group.push({ events: chunk, sourceId: 1, derive: DERIVE, prepared: prepareEvents(1, chunk) });
	}
	groups.push(group);
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const group of groups) writeBatches(db, group);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(
	`keep=${process.env.PROFILE_KEEP !== '0'} ${MIX} derive=${DERIVE} ${N} events: ${((ms * 1000) / N).toFixed(1)} µs/event wall, ` +
		`${((cpu.user + cpu.system) / N).toFixed(1)} µs/event CPU, ${Math.round(N / (ms / 1000))} events/s`
);
if (process.env.PROFILE_DUMP) {
	const c = db.$client;
	const tables = [
		'events',
		'metric_cells',
		'metric_day_cells',
		'journey_instances',
		'journey_interactions',
		'customers'
	];
	for (const t of tables) console.log(t, c.prepare(`SELECT count(*) FROM ${t}`).pluck().get());
	const ids = new Array(64).fill(0).map((_, i) => `c${i}`);
	const sql = `SELECT customer_id, seq FROM events WHERE customer_id IN (${ids.map(() => '?').join(', ')}) AND type <> 'journey' AND ts >= ? AND ts <= ?`;
	console.log(c.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...ids, 0, Date.now() * 2));
	const st = c.prepare(sql);
	const t1 = performance.now();
	for (let k = 0; k < 100; k++)
		st.all(
			...ids.map((_, i) => `c${((k * 64 + i) * 7) % CUSTOMERS}`),
			start - 30 * 86400000,
			start + 30 * 86400000
		);
	console.log('per statement', ((performance.now() - t1) / 100).toFixed(3), 'ms');
}
db.$client.close();
rmSync(dir, { recursive: true, force: true });
