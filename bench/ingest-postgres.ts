/**
 * PostgreSQL ingestion benchmark (issue 17): the in-process PostgreSQL writer (ingest/postgres-writer.ts) storing a
 * service center's event mix (bench/_metrics-generator.ts: journeys, contacts, surveys, complaints, 2% late) in
 * 500-event requests, beside the SQLite writer on the same events. Events, customers, directories and the
 * de-duplication log only: the derivation (rollups, chains, journeys) is measured by the benches of those domains.
 *
 *   npm run bench -- ingest-postgres    (BENCH_EVENTS=50000, BENCH_BATCH=500, BENCH_CONCURRENCY=4,
 *                                        BENCH_DATABASE_URL=postgres://… or a temporary local server)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { openPostgres } from '$lib/server/db/postgres';
import { postgresWriter } from '$lib/server/ingest/postgres-writer';
import { writeBatches } from '$lib/server/ingest/writer';
import { startPostgresServer } from '$lib/server/testing/postgres-server';
import { generate } from './_metrics-generator';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const log = (m: string) => process.stderr.write(`[ingest-postgres] ${m}\n`);

function batches(): CxEvent[][] {
	const out: CxEvent[][] = [];
	for (const pending of generate(EVENTS, BATCH))
		out.push(pending.map(({ e: { seq: _s, segment: _g, region: _r, sentiment: _m, ...e } }) => e));
	return out;
}

const rate = (events: number, ms: number) => Math.round((events * 1000) / ms).toLocaleString('en');

async function main() {
	const data = batches();
	const total = data.reduce((n, b) => n + b.length, 0);
	const server = process.env.BENCH_DATABASE_URL ? null : await startPostgresServer();
	const adminUrl = process.env.BENCH_DATABASE_URL ?? server!.url;
	const lines: string[] = [];
	try {
		for (const mode of ['sequential', 'concurrent'] as const) {
			const name = `bench_ingest_${mode}_${process.pid}`;
			const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
			await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
			await admin.unsafe(`CREATE DATABASE ${name}`);
			const url = new URL(adminUrl);
			url.pathname = `/${name}`;
			const db = await openPostgres(url.toString(), { pool: CONCURRENCY + 1 });
			const writer = postgresWriter(db);
			const times: number[] = [];
			const started = performance.now();
			const one = async (i: number) => {
				const t = performance.now();
				await writer.writeEvents(data[i], { sourceId: 1, derive: false });
				times.push(performance.now() - t);
			};
			if (mode === 'sequential') for (let i = 0; i < data.length; i++) await one(i);
			else {
				let next = 0;
				await Promise.all(
					Array.from({ length: CONCURRENCY }, async () => {
						while (next < data.length) await one(next++);
					})
				);
			}
			const ms = performance.now() - started;
			times.sort((a, b) => a - b);
			const [{ n }] = await db.$client`SELECT count(*) AS n FROM events`;
			if (n !== total) throw new Error(`stored ${n} of ${total}`);
			const line = `| PostgreSQL, ${mode === 'sequential' ? 'one request at a time' : `${CONCURRENCY} requests at a time`} | ${rate(total, ms)} | ${times[Math.floor(times.length / 2)].toFixed(1)} ms | ${times[Math.floor(times.length * 0.95)].toFixed(1)} ms |`;
			log(line);
			lines.push(line);
			await db.$client.end();
			await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			await admin.end();
		}
		const dir = mkdtempSync(path.join(tmpdir(), 'resonance-bench-'));
		try {
			const db = openDatabase(path.join(dir, 'bench.db'));
			const times: number[] = [];
			const started = performance.now();
			for (const events of data) {
				const t = performance.now();
				const [r] = writeBatches(db, [{ sourceId: 1, events, derive: false }]);
				if (r instanceof Error) throw r;
				times.push(performance.now() - t);
			}
			const ms = performance.now() - started;
			times.sort((a, b) => a - b);
			lines.push(
				`| SQLite (file, inline writer) | ${rate(total, ms)} | ${times[Math.floor(times.length / 2)].toFixed(1)} ms | ${times[Math.floor(times.length * 0.95)].toFixed(1)} ms |`
			);
			db.$client.close();
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	} finally {
		server?.stop();
	}
	console.log(`## Ingestion on PostgreSQL (writer only, ${BATCH}-event requests)

${total.toLocaleString('en')} events of the metrics bench's mix, de-duplicated, customers and directories upserted, no derivation.

| Writer | events/s | per request p50 | p95 |
| --- | ---: | ---: | ---: |
${lines.join('\n')}
`);
}

await main();
