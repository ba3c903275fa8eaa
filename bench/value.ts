/**
 * Value ledger benchmark (issue 20): GET /api/v1/value's computation (`valueLedger`) for one month, on the metrics
 * bench's synthetic database of 10 million events (bench/.data/metrics/events-<N>.db, built by `npm run bench --
 * metrics`; reused here as is). Without it, a database of BENCH_EVENTS events (default 200,000) is written through
 * the ingestion writer (rollups maintained as in production) into bench/.data/value/. Target: p95 ≤ 50 ms a month.
 *
 *   npm run bench -- value        (BENCH_EVENTS=10000000 to use the metrics bench's 10M database)
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { CxEvent } from '$lib/model';
import { END, generate, reseed } from './_metrics-generator';
import { openDatabase } from '$lib/server/db';
import { writeEvents } from '$lib/server/ingest/writer';
import { DAY_MS } from '$lib/server/metrics/time';
import { valueLedger } from '$lib/server/value';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const log = (...args: unknown[]) => console.error('[value]', ...args);

const metricsFile = path.resolve(`bench/.data/metrics/events-${TOTAL}.db`);
const ownDir = path.resolve('bench/.data/value');
const ownFile = path.join(ownDir, `events-${TOTAL}.db`);

function file(): { file: string; source: string } {
	if (existsSync(metricsFile)) return { file: metricsFile, source: 'the metrics bench database' };
	if (existsSync(ownFile) && process.env.BENCH_FRESH !== '1')
		return { file: ownFile, source: 'built earlier by this bench' };
	mkdirSync(ownDir, { recursive: true });
	for (const x of [ownFile, `${ownFile}-wal`, `${ownFile}-shm`]) rmSync(x, { force: true });
	const db = openDatabase(ownFile);
	reseed(0x1234567);
	let written = 0;
	const started = performance.now();
	for (const batch of generate(TOTAL, 2_000)) {
		const events: CxEvent[] = batch.map((p) => {
			const { seq: _s, segment: _g, region: _r, sentiment: _t, ...e } = p.e;
			return e;
		});
		writeEvents(db, events, { sourceId: null, dedupe: false, receivedAt: END });
		written += events.length;
		if (written % 50_000 < 2_000) log(`${written.toLocaleString('en')} events written`);
	}
	log(`built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
	db.$client.close();
	return { file: ownFile, source: 'written through the ingestion writer by this bench' };
}

function percentile(xs: number[], p: number): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const { file: dbFile, source } = file();
const db = openDatabase(dbFile);
const events = Number(db.$client.prepare('SELECT count(*) FROM events').pluck().get());
// One China calendar month (June 2025, up to the data's end): a range over two months also computes each month for
// the trend.
const to = END;
const from = Date.parse('2025-06-01T00:00:00+08:00');
const q = { from, to, filters: {}, scope: { teams: null } };
const now = END + DAY_MS;
const time = async (query: typeof q) => {
	for (let i = 0; i < 3; i++) await valueLedger(db, query, now);
	const out: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const t = performance.now();
		await valueLedger(db, query, now);
		out.push(performance.now() - t);
	}
	return out;
};
const month = await time(q);
const team = await time({ ...q, filters: { team: ['t01'] }, scope: { teams: null } });
const last = await valueLedger(db, q, now);
const load = loadavg()[0].toFixed(1);
const fmt = (xs: number[]) => `${percentile(xs, 50).toFixed(1)} ms / ${percentile(xs, 95).toFixed(1)} ms`;

console.log(`## Value ledger (issue 20)

${events.toLocaleString('en')} events (${source}); load average ${load} while it ran${Number(load) > 4 ? ' (a shared, busy machine: figures under load)' : ''}. ${RUNS} runs after 3 warm-ups.

| ledger of one calendar month (\`valueLedger\`, GET /api/v1/value) | p50 / p95 | target |
| --- | --- | --- |
| whole center | ${fmt(month)} | p95 ≤ 50 ms at 10M events |
| one team (team × channel and team × reason cuboids) | ${fmt(team)} | |

Figures of the whole-center month: cost ¥${Math.round(last.costs.total.value ?? 0).toLocaleString('en')}, savings ¥${Math.round(last.savings.value ?? 0).toLocaleString('en')}, failure demand ¥${Math.round(last.failureDemand.value ?? 0).toLocaleString('en')} (default rates).
`);
db.$client.close();
