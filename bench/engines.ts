/**
 * PostgreSQL beside SQLite (issue 17, item 6): the same targets on both engines.
 * 1. HTTP ingestion through TWO built server processes (`node scripts/serve.js`, the production entry, with
 *    DATABASE_URL=postgres://…) sharing one PostgreSQL, beside ONE built server on a SQLite file, with the ingestion
 *    bench's event mix (bench/_ingest-mix.ts). Needs `npm run build` first.
 * 2. The metrics queries (wallboard snapshot, 30-day trend by channel) and the journeys queries (funnel, path map of
 *    every journey) on the same data: the demo history seeded into SQLite (writer, rollups, journeys), copied to
 *    PostgreSQL by `copySqliteToPostgres` (what `admin migrate-to` does); both engines' answers compared.
 *
 *   npm run bench -- engines    (BENCH_SECONDS=20, BENCH_CONNECTIONS=8, BENCH_BATCH=500, BENCH_CUSTOMERS=200000,
 *                                 BENCH_DAYS=30 of demo history, BENCH_RUNS=5, BENCH_PARTS=http,queries;
 *                                 a temporary PostgreSQL server is started, as the tests do)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase } from '$lib/server/db';
import { copySqliteToPostgres } from '$lib/server/db/copy';
import { openPostgres } from '$lib/server/db/postgres';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { seedDemo } from '$lib/server/demo/seed';
import { funnel } from '$lib/server/journeys/funnel';
import { pathMap } from '$lib/server/journeys/paths';
import { listJourneys } from '$lib/server/journeys/registry';
import { kpis } from '$lib/server/metrics/kpis';
import { previousPeriod, type CxQuery } from '$lib/server/metrics/query';
import { chinaMidnight, DAY_MS } from '$lib/server/metrics/time';
import { startPostgresServer, freePort, type PostgresServer } from '$lib/server/testing/postgres-server';
import { makeEvent } from './_ingest-mix';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PARTS = (process.env.BENCH_PARTS ?? 'http,queries').split(',');
const WRITE_KEY = 'rsn_w_bench_postgres_key';
const dataDir = path.resolve('bench/.data/engines');
const log = (m: string) => process.stderr.write(`[engines] ${m}\n`);
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
const pct = (sorted: number[], p: number) =>
	sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

/** A database of its own on the temporary server; its URL. */
async function createDatabase(server: PostgresServer, name: string): Promise<string> {
	const admin = postgres(server.url, { max: 1, onnotice: () => {} });
	await admin.unsafe(`CREATE DATABASE ${name}`);
	await admin.end();
	const url = new URL(server.url);
	url.pathname = `/${name}`;
	return url.toString();
}

/** A built server (`node scripts/serve.js`) on `databaseUrl`; resolves once /readyz answers. */
async function startServer(
	port: number,
	databaseUrl: string
): Promise<{ base: string; child: ChildProcess }> {
	const base = `http://127.0.0.1:${port}`;
	let output = '';
	const child = spawn(process.execPath, ['scripts/serve.js'], {
		env: {
			...process.env,
			NODE_ENV: 'production',
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: `http://localhost:${port}`,
			DATABASE_URL: databaseUrl,
			RESONANCE_DEMO: '0',
			RESONANCE_WRITE_KEY: WRITE_KEY,
			RESONANCE_ADMIN_EMAIL: 'bench@bank.example',
			RESONANCE_ADMIN_PASSWORD: 'bench-postgres-password',
			// The rate limit is not what is measured here.
			RESONANCE_INGEST_RATE: '100000000'
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout?.on('data', (d) => (output += d));
	child.stderr?.on('data', (d) => (output += d));
	for (let i = 0; i < 600; i++) {
		if (child.exitCode !== null) break;
		const ok = await fetch(`${base}/readyz`).then(
			(r) => r.ok,
			() => false
		);
		if (ok) return { base, child };
		await new Promise((r) => setTimeout(r, 200));
	}
	child.kill('SIGKILL');
	throw new Error(`the server on ${port} did not start:\n${output.slice(-2000)}`);
}

async function stopServer(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
	await exited;
	clearTimeout(timer);
}

function post(agent: Agent, url: URL, body: Buffer): Promise<{ status: number; text: string }> {
	return new Promise((resolve, reject) => {
		const req = request(
			url,
			{
				agent,
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'content-length': body.length,
					authorization: `Bearer ${WRITE_KEY}`
				}
			},
			(res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (c) => (text += c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
			}
		);
		req.on('error', reject);
		req.end(body);
	});
}

interface HttpRun {
	label: string;
	rate: number;
	accepted: number;
	errors: number;
	latencies: number[];
	load: number;
}

/** Sends the batches over CONNECTIONS keep-alive connections, spread evenly over the servers, for SECONDS. */
async function httpRun(label: string, bases: string[], batches: readonly Buffer[]): Promise<HttpRun> {
	// Warm-up: one small request to each server first (dictionary, statements, connections), not timed.
	for (const b of bases)
		await post(new Agent(), new URL('/api/v1/events', b), Buffer.from(JSON.stringify({ events: [] })));
	const load = loadavg()[0];
	const agents = bases.map(() => new Agent({ keepAlive: true, maxSockets: CONNECTIONS }));
	const urls = bases.map((b) => new URL('/api/v1/events', b));
	const latencies: number[] = [];
	let next = 0;
	let accepted = 0;
	let errors = 0;
	const t0 = performance.now();
	const deadline = t0 + SECONDS * 1000;
	await Promise.all(
		Array.from({ length: CONNECTIONS }, async (_, c) => {
			const at = c % bases.length;
			while (performance.now() < deadline && next < batches.length) {
				const body = batches[next++];
				const s = performance.now();
				const res = await post(agents[at], urls[at], body);
				latencies.push(performance.now() - s);
				if (res.status === 200) accepted += (JSON.parse(res.text) as { accepted: number }).accepted;
				else if (errors++ < 3) log(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
			}
		})
	);
	const elapsed = (performance.now() - t0) / 1000;
	for (const a of agents) a.destroy();
	latencies.sort((a, b) => a - b);
	const rate = accepted / elapsed;
	log(`${label}: ${fmt(rate)} events/s, ${errors} errors, load ${load.toFixed(1)}`);
	return { label, rate, accepted, errors, latencies, load };
}

async function httpPart(server: PostgresServer): Promise<string> {
	if (!existsSync('build/index.js')) throw new Error('no build: run `npm run build` first');
	const maxBatches = Number(process.env.BENCH_MAX_BATCHES ?? Math.ceil((SECONDS * 60_000) / BATCH));
	log(`generating ${maxBatches} batches of ${BATCH} events…`);
	const start = Date.now();
	const batches: Buffer[] = [];
	for (let b = 0; b < maxBatches; b++) {
		const events = Array.from({ length: BATCH }, (_, i) =>
			makeEvent(start - 60_000 + b * 10 + i / 100, CUSTOMERS)
		);
		batches.push(Buffer.from(JSON.stringify({ events })));
	}

	// SQLite: one process (a SQLite file has one writer).
	const sqliteFile = path.join(dataDir, 'http.db');
	const single = await startServer(await freePort(), sqliteFile);
	const sqliteRun = await httpRun('SQLite, 1 process', [single.base], batches);
	await stopServer(single.child);
	const sqliteDb = openDatabase(sqliteFile);
	const sqliteStored = sqliteDb.$client.prepare('SELECT count(*) FROM events').pluck().get() as number;
	sqliteDb.$client.close();

	// PostgreSQL: two processes on one database, each receiving half the connections. The first migrates.
	const url = await createDatabase(server, 'bench_http');
	const a = await startServer(await freePort(), url);
	const b = await startServer(await freePort(), url);
	const pgRun = await httpRun('PostgreSQL, 2 processes', [a.base, b.base], batches);
	await Promise.all([stopServer(a.child), stopServer(b.child)]);
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	const [{ n: pgStored }] = await sql`SELECT count(*)::int AS n FROM events`;
	await sql.end();

	const row = (r: HttpRun, processes: number, stored: number) =>
		`| ${r.label} | ${fmt(r.rate)} | ${fmt(r.accepted)} (${fmt(stored)} stored) | ${r.errors} | ${pct(r.latencies, 50).toFixed(0)} ms / ${pct(r.latencies, 99).toFixed(0)} ms | ${r.load.toFixed(1)} | ${processes} |`;
	return `## Ingestion over HTTP on PostgreSQL beside SQLite (bench/engines.ts)

\`npm run bench -- engines\` (BENCH_PARTS=http): the built server (\`node scripts/serve.js\`, as \`npm start\` runs it:
node:http, SvelteKit, the ingestion handlers, group commit), ${BATCH}-event JSON batches of the ingestion bench's mix
(bench/_ingest-mix.ts: half journey steps, a quarter contacts, a fifth survey answers, complaints, identifies;
customers drawn from ${fmt(CUSTOMERS)}), ${CONNECTIONS} keep-alive connections over loopback for up to ${SECONDS} s,
derivation on (rollups, contact chains, journeys in the write's transaction). SQLite: one process on a fresh file
database (writer thread). PostgreSQL: two processes sharing one fresh database on a temporary local PostgreSQL
server (Debian's binaries, default settings, on the same 2 cores), each receiving half the connections. The load
generator runs on the same cores; the machine is shared with other engineers' processes (load average in the table).

| engine | accepted events/s | accepted (stored) | errors | request p50 / p99 | load before | processes |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${row(sqliteRun, 1, sqliteStored)}
${row(pgRun, 2, pgStored)}

Target (issue 4, the same on both engines): HTTP ≥ 20,000 events/s — SQLite: ${verdict(sqliteRun.rate >= 20_000)},
PostgreSQL: ${verdict(pgRun.rate >= 20_000)}. Every accepted event stored once: SQLite ${verdict(sqliteStored === sqliteRun.accepted)},
PostgreSQL ${verdict(pgStored === pgRun.accepted)}.`;
}

interface Timed {
	p50: number;
	p95: number;
}

async function timed(f: () => Promise<unknown>, runs: number): Promise<Timed> {
	await f();
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const t = performance.now();
		await f();
		times.push(performance.now() - t);
	}
	times.sort((a, b) => a - b);
	return { p50: pct(times, 50), p95: pct(times, 95) };
}

/** Answers compared across engines: numbers rounded to 9 significant digits (float sums differ in the last bits). */
const canonical = (x: unknown) =>
	JSON.stringify(x, (_, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v));

async function queriesPart(server: PostgresServer): Promise<string> {
	const now = Date.now();
	const file = path.join(dataDir, 'queries.db');
	const db = openDatabase(file);
	log(`seeding ${DAYS} days of demo history into SQLite…`);
	const seeded = await seedDemo(db, { seed: 1, days: DAYS, now });
	log(`${fmt(seeded.events)} events; copying to PostgreSQL…`);
	const url = await createDatabase(server, 'bench_queries');
	const pg = await openPostgres(url);
	const t0 = performance.now();
	const copied = await copySqliteToPostgres(db, pg);
	const copySeconds = (performance.now() - t0) / 1000;
	await pg.$client`ANALYZE`;
	const engines: [string, Storage][] = [
		['SQLite', sqliteStorage(db)],
		['PostgreSQL', postgresStorage(pg)]
	];

	const today = chinaMidnight(now);
	const snapshot: CxQuery = {
		from: today,
		to: now,
		by: null,
		grain: null,
		filters: {},
		compare: previousPeriod(today, now),
		standardise: false,
		scope: { teams: null }
	};
	const trend: CxQuery = {
		from: today - 29 * DAY_MS,
		to: now,
		by: 'channel',
		grain: 'day',
		filters: {},
		compare: null,
		standardise: false,
		scope: { teams: null }
	};
	const journeys = (await listJourneys(db)).map((r) => r.definition);
	const q30 = { from: now - 30 * DAY_MS, to: now, segment: null, channel: null };
	const each = (f: (s: Storage, d: (typeof journeys)[number]) => Promise<unknown>) => (s: Storage) =>
		Promise.all(journeys.map((d) => f(s, d)));
	const queries: [string, (s: Storage) => Promise<unknown>, number | null][] = [
		['wallboard snapshot (every KPI, today + previous period)', (s) => kpis(s, snapshot, { now }), 25],
		['30-day trend by channel', (s) => kpis(s, trend, { now }), 50],
		[`funnel, 30 days, all ${journeys.length} journeys`, each((s, d) => funnel(s, d, q30, { now })), 300],
		[`path map, 30 days, all ${journeys.length} journeys`, each((s, d) => pathMap(s, d, q30, { now })), null]
	];
	const lines: string[] = [];
	const load = loadavg()[0];
	for (const [name, run, target] of queries) {
		const answers: string[] = [];
		const times: Timed[] = [];
		for (const [engine, storage] of engines) {
			log(`${name} on ${engine}…`);
			const answer = await run(storage);
			answers.push(
				canonical(
					answer && typeof answer === 'object' && 'rows' in answer
						? (answer as { rows: unknown }).rows
						: answer
				)
			);
			times.push(await timed(() => run(storage), RUNS));
		}
		const ms = (x: number) => `${x.toFixed(1)} ms`;
		const met = target === null ? '–' : `≤ ${target} ms: ${verdict(times.every((t) => t.p95 <= target))}`;
		lines.push(
			`| ${name} | ${ms(times[0].p50)} / ${ms(times[0].p95)} | ${ms(times[1].p50)} / ${ms(times[1].p95)} | ${answers[0] === answers[1] ? 'yes' : '**no**'} | ${met} |`
		);
	}
	await pg.$client.end();
	db.$client.close();
	return `## Metrics and journeys queries on PostgreSQL beside SQLite (bench/engines.ts)

\`npm run bench -- engines\` (BENCH_PARTS=queries): the demo history (seed 1, ${DAYS} days, ${fmt(seeded.events)} events)
seeded into a SQLite file by the real writer (rollups, contact chains, journeys), then copied to a fresh PostgreSQL
database by \`copySqliteToPostgres\` (what \`admin migrate-to\` does: ${fmt(copied.rows)} rows in ${copySeconds.toFixed(1)} s),
ANALYZEd. The same questions on both engines, in one process, through the domain functions the routes call; each
query once to warm up, then ${RUNS} times. Answers compared (rows, numbers to 9 significant digits). 1-minute load
average at the start of the queries: ${load.toFixed(1)} (2 cores shared with other engineers' processes).

| query | SQLite p50 / p95 | PostgreSQL p50 / p95 | same answer | target (p95, both engines) |
| --- | ---: | ---: | --- | --- |
${lines.join('\n')}`;
}

async function main() {
	rmSync(dataDir, { recursive: true, force: true });
	mkdirSync(dataDir, { recursive: true });
	const server = await startPostgresServer();
	const sections: string[] = [];
	try {
		if (PARTS.includes('http')) sections.push(await httpPart(server));
		if (PARTS.includes('queries')) sections.push(await queriesPart(server));
	} finally {
		server.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
	console.log(sections.join('\n\n'));
}

await main();
