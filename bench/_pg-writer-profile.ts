/**
 * The PostgreSQL writer with its derivation, in-process, for before/after trials of its round trips (not a recorded
 * bench: run.js skips files starting with "_"). Two pools on one temporary PostgreSQL stand for two server
 * processes, each with its own writer and group committer (the server's settings); PROFILE_STREAMS request
 * streams of 500-event requests are spread over them. Bundle with scripts/bundle-lib.js (bundleLib(
 * 'bench/_pg-writer-profile.ts', 'bench/.data/build', 'pg-writer-profile.mjs')), then
 *   NODE_ENV=production node bench/.data/build/pg-writer-profile.mjs
 * with PROFILE_MIX=journeys|contacts, PROFILE_EVENTS=40000, PROFILE_STREAMS=8, PROFILE_CUSTOMERS=200000.
 * Prints events/s, statements per group and the node CPU per event.
 */
import postgres from 'postgres';
import type { CxEvent } from '$lib/model';
import type { PgDb } from '$lib/server/db/postgres';
import { openPostgres } from '$lib/server/db/postgres';
import { GroupCommit } from '$lib/server/ingest/batcher';
import { postgresWriter } from '$lib/server/ingest/postgres-writer';
import { prepareEvents } from '$lib/server/ingest/writer';
import { deriveOnPostgres } from '$lib/server/metrics/derive-postgres';
import { startPostgresServer } from '$lib/server/testing/postgres-server';
import { ContactHeavyMix, makeEvent } from './_ingest-mix';

const MIX = process.env.PROFILE_MIX ?? 'journeys';
const N = Number(process.env.PROFILE_EVENTS ?? 40_000);
const STREAMS = Number(process.env.PROFILE_STREAMS ?? 8);
const CUSTOMERS = Number(process.env.PROFILE_CUSTOMERS ?? 200_000);
const BATCH = 500;

function toCxEvent(e: Record<string, unknown>): CxEvent {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(e)) if (v !== undefined) out[k] = v;
	return out as unknown as CxEvent;
}

let statements = 0;
const kinds = new Map<string, { n: number; ms: number }>();
/** Counts the statements run through a transaction (and its savepoints). */
function counting<T extends object>(tx: T): T {
	return new Proxy(tx, {
		get(target, key, receiver) {
			const value = Reflect.get(target, key, receiver);
			if (key === 'execute')
				return async (...args: unknown[]) => {
					statements++;
					const t = performance.now();
					try {
						return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
					} finally {
						const q = args[0] as { queryChunks?: unknown[] };
						const text = JSON.stringify(q.queryChunks?.[0] ?? '')
							.replace(/\\[nt]|\s+/g, ' ')
							.slice(0, 70);
						const k = kinds.get(text) ?? { n: 0, ms: 0 };
						k.n++;
						k.ms += performance.now() - t;
						kinds.set(text, k);
					}
				};
			if (key === 'transaction')
				return (f: (t: unknown) => unknown) => {
					statements += 2;
					return (value as (g: (t: unknown) => unknown) => unknown).call(target, (t: object) =>
						f(counting(t))
					);
				};
			return typeof value === 'function' ? value.bind(target) : value;
		}
	});
}

const start = Date.now();
const mix = new ContactHeavyMix(CUSTOMERS);
const requests: CxEvent[][] = [];
for (let b = 0; b * BATCH < N; b++)
	requests.push(
		Array.from({ length: BATCH }, (_, i) => {
			const ts = start - 60_000 + b * 10 + Math.floor(i / 100);
			return toCxEvent(MIX === 'contacts' ? mix.event(ts) : makeEvent(ts, CUSTOMERS));
		})
	);

const server = await startPostgresServer();
try {
	const admin = postgres(server.url, { max: 1, onnotice: () => {} });
	await admin.unsafe('CREATE DATABASE profile');
	await admin.end();
	const url = new URL(server.url);
	url.pathname = '/profile';
	const pools: PgDb[] = [];
	for (let p = 0; p < 2; p++) pools.push(await openPostgres(url.toString(), { pool: 10 }));
	let groups = 0;
	const committers = pools.map((db) => {
		const writer = postgresWriter(counting(db), { derive: deriveOnPostgres });
		return new GroupCommit(
			(batches) => {
				groups++;
				return writer.writeBatches(batches);
			},
			{ maxDelayMs: 4, maxEvents: 2000 }
		);
	});
	// Warm-up (catalog, default journeys), not timed.
	await committers[0].submit({ sourceId: 1, events: [] });
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	let next = 0;
	let accepted = 0;
	await Promise.all(
		Array.from({ length: STREAMS }, async (_, s) => {
			while (next < requests.length) {
				const events = requests[next++];
				const r = await committers[s % 2].submit({
					sourceId: 1,
					events,
					prepared: prepareEvents(1, events)
				});
				accepted += r.accepted;
			}
		})
	);
	const ms = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	const [{ n }] = await pools[0].$client`SELECT count(*)::int AS n FROM events`;
	const [{ i }] = await pools[0].$client`SELECT count(*)::int AS i FROM journey_instances`;
	console.log(
		`${MIX} ${N} events, ${STREAMS} streams: ${Math.round((accepted * 1000) / ms)} events/s, ` +
			`${groups} groups, ${(statements / groups).toFixed(1)} statements/group, ` +
			`${((cpu.user + cpu.system) / N).toFixed(1)} µs/event node CPU; stored ${n}, instances ${i}`
	);
	for (const [text, k] of [...kinds].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
		console.log(`${k.ms.toFixed(0).padStart(7)} ms ${String(k.n).padStart(5)}× ${text}`);
	for (const db of pools) await db.$client.end();
} finally {
	server.stop();
}
