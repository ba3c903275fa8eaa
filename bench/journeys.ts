/**
 * Journey analytics benchmark (issue 6): funnel, path map, breakpoints and the journey list over 1 million stored
 * journey instances, and the overhead of stitching at ingest.
 *
 *   npm run bench -- journeys        (BENCH_INSTANCES=1000000, BENCH_INGEST_EVENTS=100000 by default)
 *
 * The instances are stitched by the real code (`buildInstances`) from synthetic histories that walk the demo
 * generator's journeys (its channels, timings, drops, retries, loops, failure-demand calls and channel switches)
 * over 90 days, then stored with their contacts and survey answers; the step events themselves are not stored
 * (the queries never read them). The database is kept in bench/.data/journeys and reused while its size matches.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { Channel, CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { JOURNEYS, type JourneyDefinition as DemoJourney } from '$lib/server/demo/journeys';
import { createRandom, type Random } from '$lib/server/demo/random';
import { writeEvents } from '$lib/server/ingest/writer';
import {
	buildInstances,
	customerKeyOf,
	type InteractionRow,
	type StepEventRow
} from '$lib/server/journeys/core';
import { breakpoints } from '$lib/server/journeys/breakpoints';
import { funnel } from '$lib/server/journeys/funnel';
import { touchpointGap } from '$lib/server/journeys/gap';
import { pathMap } from '$lib/server/journeys/paths';
import { ensureDefaultJourneysSync, journeyCatalog, listJourneys } from '$lib/server/journeys/registry';
import { restitchAll, shapeIdOf, stitchJourneys, type StitchInput } from '$lib/server/journeys/stitch';
import { journeySummaries } from '$lib/server/journeys/summary';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1_000_000);
const INGEST_EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** `queries`, `ingest` or both (default). */
const PARTS = (process.env.BENCH_PARTS ?? 'queries,ingest').split(',');
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const dataDir = path.resolve('bench/.data/journeys');

// ---- synthetic histories ---------------------------------------------------------------------------------------

interface History {
	customerId: string;
	segment: string;
	steps: StepEventRow[];
	interactions: InteractionRow[];
}

let seq = 0;
const log = (message: string) => process.stderr.write(`[journeys] ${message}\n`);

function lognormalMs(r: Random, medianS: number, p90S: number): number {
	if (medianS <= 0) return 0;
	const sigma = p90S > medianS ? Math.log(p90S / medianS) / 1.2816 : 0.3;
	return r.lognormal(medianS, sigma) * 1000;
}

function npsScore(r: Random, mood: number): number {
	return Math.max(0, Math.min(10, Math.round(r.normal(7.6 + mood * 2, 2.2))));
}

/** One customer's walk through a demo journey, as step events and interactions. */
function simulate(j: DemoJourney, customerId: string, start: number, segment: string, r: Random): History {
	const steps: StepEventRow[] = [];
	const interactions: InteractionRow[] = [];
	let t = start;
	let mood = j.mood;
	let lastFailed = false;
	let looped = false;
	let ended = false;
	const stepEvent = (name: string, channel: string | null, ts: number, props: string | null = null) => {
		seq++;
		steps.push({ seq, id: `s${seq}`, ts, name, channel, journey: null, segment, properties: props });
	};
	const interaction = (
		type: InteractionRow['type'],
		channel: string,
		ts: number,
		extra: Partial<InteractionRow> = {}
	) => {
		seq++;
		interactions.push({
			seq,
			type,
			ts,
			channel,
			journey: null,
			metric: null,
			score: null,
			teamId: `T${r.int(1, 12)}`,
			...extra
		});
		if (type === 'contact' && r.bernoulli(0.3))
			interaction('feedback', channel, ts + 60_000, {
				metric: 'csat',
				score: Math.max(1, Math.min(5, Math.round(r.normal(4.2 + mood, 0.9))))
			});
	};
	for (let si = 0; si < j.stages.length && !ended; si++) {
		const stage = j.stages[si];
		if (stage.onlyAfterFailure && !lastFailed) continue;
		const step =
			stage.steps.length === 1
				? stage.steps[0]
				: r.weighted(
						stage.steps,
						stage.steps.map((s) => s.share ?? 1)
					);
		t += lognormalMs(r, step.after.medianS, step.after.p90S);
		const channel: Channel | null = step.channels.length
			? r.weighted(
					step.channels.map((c) => c.channel),
					step.channels.map((c) => c.weight)
				)
			: null;
		const bps = j.breakpoints.filter((b) => b.step === step.name);
		lastFailed = false;
		let done = false;
		for (const b of bps) {
			if (done) break;
			if (b.kind === 'retry' && r.bernoulli(b.rate)) {
				stepEvent(step.name, channel, t, '{"result":"failed"}');
				mood -= 0.3;
				if (r.bernoulli(b.recoverRate ?? 0.5)) t += r.exponential(10 * 60_000);
				else {
					lastFailed = true;
					done = true;
					if (!j.stages[si + 1]?.onlyAfterFailure) ended = true;
				}
			} else if (
				b.kind === 'channel_switch' &&
				channel &&
				b.fromChannels?.includes(channel) &&
				r.bernoulli(b.rate)
			) {
				stepEvent(step.name, channel, t, '{"result":"failed"}');
				const to = b.contact?.channel ?? 'phone';
				t += r.exponential(20 * 60_000);
				interaction('contact', to, t);
				stepEvent(step.name, to, t + 60_000);
				mood -= 0.4;
				done = true;
			}
		}
		if (!done && !lastFailed) {
			const declined = bps.find((b) => b.kind === 'drop' && b.property && r.bernoulli(b.rate));
			stepEvent(
				step.name,
				channel,
				t,
				declined?.property ? `{"${declined.property[0]}":"${declined.property[1]}"}` : null
			);
			if (channel && step.contact?.channels.includes(channel)) interaction('contact', channel, t);
			if (declined) ended = true;
		}
		for (const b of bps) {
			if (b.kind === 'failure_demand' && r.bernoulli(b.rate)) {
				interaction(
					'contact',
					b.contact?.channel ?? 'phone',
					t + r.uniform(0.1, b.contact?.withinHours ?? 24) * 3_600_000
				);
				mood -= 0.3;
			}
			if (b.kind === 'loop' && !looped && r.bernoulli(b.rate)) {
				looped = true;
				const back = j.stages.findIndex((s) => s.steps.some((x) => x.name === b.backTo));
				if (back >= 0) si = back - 1;
			}
			if (b.kind === 'drop' && !b.property && r.bernoulli(b.rate)) ended = true;
		}
		if (step.final) ended = true;
	}
	if (r.bernoulli(j.surveyRate)) {
		seq++;
		interactions.push({
			seq,
			type: 'feedback',
			ts: t + r.exponential(DAY),
			channel: 'app',
			journey: j.key,
			metric: 'nps',
			score: npsScore(r, mood),
			teamId: null
		});
	}
	return { customerId, segment, steps, interactions };
}

function journeyMix(): { journey: DemoJourney; weight: number }[] {
	return JOURNEYS.map((journey) => ({
		journey,
		weight: journey.startsPerDay > 0 ? journey.startsPerDay : 25
	}));
}

// ---- building the database ---------------------------------------------------------------------------------------

const INSERT_INSTANCE = `INSERT INTO journey_instances (journey_key, customer_id, customer_key, start_seq, started_at, last_event_at,
	ended_at, deadline, attach_end, reach_end, status, end_event, depth, last_step, step_offsets, duration_s, step_events,
	contacts, feedbacks, complaints, channels, first_channel, segment, shape_id, nps, csat, journey_nps,
	journey_csat, step_seqs, definition_version)
	VALUES (@journeyKey, @customerId, @customerKey, @startSeq, @startedAt, @lastEventAt, @endedAt, @deadline, @attachEnd, @reachEnd,
	@status, @endEvent, @depth, @lastStep, @stepOffsets, @durationS, @stepEvents, @contacts, @feedbacks, @complaints,
	@channels, @firstChannel, @segment, @shapeId, @nps, @csat, @journeyNps, @journeyCsat, @stepSeqs, 1)`;

function build(file: string): { instances: number; seconds: number } {
	const started = performance.now();
	const db = openDatabase(file);
	ensureDefaultJourneysSync(db, NOW);
	const catalog = journeyCatalog(db);
	const c = db.$client;
	const insertInstance = c.prepare(INSERT_INSTANCE);
	const insertLink = c.prepare(
		'INSERT INTO journey_interactions (instance_id, seq, type, ts) VALUES (?, ?, ?, ?)'
	);
	const insertEvent = c.prepare(
		`INSERT OR IGNORE INTO events (seq, id, type, ts, received_at, customer_id, channel, journey, team_id, metric, score, properties)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')`
	);
	const r = createRandom(20260601);
	const mix = journeyMix();
	const customers = Math.ceil(INSTANCES / 1.4);
	const segments = ['mass', 'affluent', 'private'];
	let written = 0;
	while (written < INSTANCES) {
		c.transaction(() => {
			for (let k = 0; k < 5000 && written < INSTANCES;) {
				const j = r.weighted(
					mix.map((m) => m.journey),
					mix.map((m) => m.weight)
				);
				const compiled = catalog.byKey.get(j.key);
				if (!compiled) throw new Error(`no definition for ${j.key}`);
				const customerId = `c${String(r.int(0, customers)).padStart(7, '0')}`;
				const h = simulate(
					j,
					customerId,
					NOW - r.next() * 90 * DAY,
					r.weighted(segments, [0.85, 0.13, 0.02]),
					r
				);
				for (const d of buildInstances(compiled, h.steps, h.interactions, NOW)) {
					const id = Number(
						insertInstance.run({
							...d,
							journeyKey: j.key,
							customerId,
							customerKey: customerKeyOf(customerId),
							shapeId: shapeIdOf(db, j.key, d.path, d.switches),
							stepSeqs: JSON.stringify(d.stepSeqs)
						}).lastInsertRowid
					);
					for (const x of d.interactions) {
						// The event before its link, as the writer stores them (journey_gap_answers' trigger reads it).
						insertEvent.run(
							x.seq,
							`x${x.seq}`,
							x.type,
							x.ts,
							x.ts,
							customerId,
							x.channel,
							x.journey,
							x.teamId,
							x.metric,
							x.score
						);
						insertLink.run(id, x.seq, x.type, x.ts);
					}
					written++;
					k++;
				}
			}
		})();
		if (written % 100_000 < 5000) log(`built ${written.toLocaleString('en')} instances`);
	}
	c.pragma('optimize');
	c.close();
	return { instances: written, seconds: (performance.now() - started) / 1000 };
}

// ---- measuring ---------------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function measure(
	run: (i: number) => unknown,
	samples: number
): Promise<{ p50: number; p95: number; max: number; n: number }> {
	await run(0); // warm-up (page cache, prepared statements)
	const times: number[] = [];
	for (let i = 0; i < samples; i++) {
		const t = performance.now();
		await run(i);
		times.push(performance.now() - t);
	}
	times.sort((a, b) => a - b);
	return {
		p50: percentile(times, 0.5),
		p95: percentile(times, 0.95),
		max: times[times.length - 1],
		n: samples
	};
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;

interface IngestRun {
	eventsPerSecond: number;
	seconds: number;
	/** Inside the transaction: writing the events, stitching them (the rest is the commit). */
	writeSeconds: number;
	stitchSeconds: number;
}

/** A live-like stream: histories started over the last 30 days, merged by time, 3% of events arriving late. */
function ingestStream(count: number): CxEvent[][] {
	const r = createRandom(424242);
	const mix = journeyMix();
	const events: (CxEvent & { arrival: number })[] = [];
	while (events.length < count) {
		const j = r.weighted(
			mix.map((m) => m.journey),
			mix.map((m) => m.weight)
		);
		const customerId = `i${r.int(0, Math.ceil(count / 8))}`;
		const h = simulate(j, customerId, NOW - 30 * DAY + r.next() * 29 * DAY, 'mass', r);
		for (const s of h.steps)
			events.push({
				id: randomUUID(),
				type: 'journey',
				ts: s.ts,
				customerId,
				name: s.name,
				channel: (s.channel ?? undefined) as Channel | undefined,
				properties: s.properties
					? (JSON.parse(s.properties) as Record<string, unknown>)
					: { device: 'iPhone15,2', appVersion: '8.3.1' },
				arrival: s.ts + (r.bernoulli(0.03) ? r.exponential(6 * 3_600_000) : 0)
			});
		for (const x of h.interactions)
			events.push({
				id: randomUUID(),
				type: x.type,
				ts: x.ts,
				customerId,
				channel: (x.channel ?? 'phone') as Channel,
				journey: x.journey ?? undefined,
				metric: (x.metric ?? undefined) as CxEvent['metric'],
				score: x.score ?? undefined,
				outcome: x.type === 'contact' ? 'resolved' : undefined,
				handledBy: x.type === 'contact' ? 'agent' : undefined,
				teamId: x.teamId ?? undefined,
				properties: {},
				arrival: x.ts
			});
	}
	events.sort((a, b) => a.arrival - b.arrival);
	const batches: CxEvent[][] = [];
	for (let i = 0; i < count; i += 500)
		batches.push(events.slice(i, Math.min(count, i + 500)).map(({ arrival: _a, ...e }) => e));
	return batches;
}

/**
 * `raw`: the writer without derived data; `stitch`: the same plus `stitchJourneys` in its transaction; `full`: the
 * writer as wired (rollups and stitching).
 */
function ingestRun(file: string, batches: CxEvent[][], mode: 'raw' | 'stitch' | 'full'): IngestRun {
	for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
	const db: Db = openDatabase(file);
	ensureDefaultJourneysSync(db, NOW);
	const last = db.$client.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
	const inserted = db.$client.prepare(
		'SELECT seq, type, ts, customer_id AS customerId, name, journey FROM events WHERE seq > ?'
	);
	let total = 0;
	let writeMs = 0;
	let stitchMs = 0;
	const started = performance.now();
	for (const batch of batches) {
		db.$client.transaction(() => {
			const before = last.get() as number;
			const t0 = performance.now();
			writeEvents(db, batch, { sourceId: 1, derive: mode === 'full' });
			const t1 = performance.now();
			writeMs += t1 - t0;
			if (mode === 'stitch') {
				stitchJourneys(db, inserted.all(before) as StitchInput[], { now: NOW });
				stitchMs += performance.now() - t1;
			}
		})();
		total += batch.length;
	}
	const seconds = (performance.now() - started) / 1000;
	db.$client.close();
	return {
		eventsPerSecond: total / seconds,
		seconds,
		writeSeconds: writeMs / 1000,
		stitchSeconds: stitchMs / 1000
	};
}

/**
 * A database built before the path map day rollup got it from the migration (drizzle/sqlite/0017_journey_path_days):
 * one whose triggers came from a draft of that migration (days not rounded for the bench's fractional ms) has its
 * triggers and rows made again from the migration's text.
 */
function repairPathDays(db: Db): void {
	const c = db.$client;
	const trigger = c
		.prepare("SELECT sql FROM sqlite_master WHERE name = 'journey_path_days_insert'")
		.pluck()
		.get() as string | undefined;
	if (trigger?.includes('CAST(')) return;
	log('rebuilding the path map day rollup from the migration');
	const text = readFileSync(path.resolve('drizzle/sqlite/0017_journey_path_days.sql'), 'utf8');
	const statements = text.split('--> statement-breakpoint').slice(1);
	c.transaction(() => {
		for (const name of ['insert', 'delete', 'update'])
			c.exec(`DROP TRIGGER IF EXISTS journey_path_days_${name}`);
		c.exec('DELETE FROM journey_path_days');
		for (const s of statements) c.exec(s);
	})();
}

/** Bump when the instance schema changes, so an old database is rebuilt rather than reused. */
const SCHEMA = 'v3';

async function queriesSection(): Promise<string> {
	const file = path.join(dataDir, `instances-${INSTANCES}-${SCHEMA}.db`);
	let buildNote = 'reused from an earlier run';
	if (!existsSync(file)) {
		for (const old of readdirSync(dataDir).filter((f) => f.startsWith('instances-')))
			rmSync(path.join(dataDir, old), { force: true });
		const b = build(file);
		buildNote = `${b.instances.toLocaleString('en')} instances built in ${b.seconds.toFixed(0)} s`;
	}
	const db = openDatabase(file);
	repairPathDays(db);
	const defs = (await listJourneys(db)).map((r) => r.definition);
	const stored = db.$client.prepare('SELECT count(*) FROM journey_instances').pluck().get() as number;
	const perJourney = db.$client
		.prepare('SELECT journey_key, count(*) AS n FROM journey_instances GROUP BY journey_key ORDER BY n DESC')
		.all() as { journey_key: string; n: number }[];
	const q30 = { from: NOW - 30 * DAY, to: NOW, segment: null, channel: null };
	const q90 = { from: NOW - 91 * DAY, to: NOW, segment: null, channel: null };
	const largest = defs.find((d) => d.key === perJourney[0].journey_key) ?? defs[0];
	const inLargest30 = db.$client
		.prepare(
			'SELECT count(*) FROM journey_instances WHERE journey_key = ? AND started_at >= ? AND started_at < ?'
		)
		.pluck()
		.get(largest.key, q30.from, q30.to) as number;
	const samples = defs.length * ROUNDS;
	log('measuring queries');
	const each = (f: (d: (typeof defs)[number]) => unknown) => (i: number) => f(defs[i % defs.length]);
	const rows: [string, Awaited<ReturnType<typeof measure>>][] = [
		[
			'funnel, 30 days, each journey',
			await measure(
				each((d) => funnel(db, d, q30, { now: NOW })),
				samples
			)
		],
		[
			'funnel, 30 days, split by segment',
			await measure(
				each((d) => funnel(db, d, q30, { now: NOW, by: 'segment' })),
				samples
			)
		],
		[
			`funnel, 30 days, largest journey (${largest.key}, ${inLargest30.toLocaleString('en')} journeys)`,
			await measure(() => funnel(db, largest, q30, { now: NOW }), 20)
		],
		[
			'funnel, all 90 days, each journey',
			await measure(
				each((d) => funnel(db, d, q90, { now: NOW })),
				samples
			)
		],
		[
			`funnel, all 90 days, largest journey (${perJourney[0].n.toLocaleString('en')} journeys)`,
			await measure(() => funnel(db, largest, q90, { now: NOW }), 20)
		],
		[
			'path map, 30 days, each journey',
			await measure(
				each((d) => pathMap(db, d, q30, { now: NOW })),
				samples
			)
		],
		['path map, 30 days, largest journey', await measure(() => pathMap(db, largest, q30, { now: NOW }), 20)],
		[
			'path map, all 90 days, each journey',
			await measure(
				each((d) => pathMap(db, d, q90, { now: NOW })),
				samples
			)
		],
		[
			'path map, all 90 days, largest journey',
			await measure(() => pathMap(db, largest, q90, { now: NOW }), 20)
		],
		[
			'breakpoints, 30 days, each journey',
			await measure(
				each((d) => breakpoints(db, d, q30, { now: NOW })),
				samples
			)
		],
		[
			'touchpoint vs journey gap, 30 days',
			await measure(
				each((d) => touchpointGap(db, d.key, q30)),
				samples
			)
		],
		[
			'touchpoint vs journey gap, all 90 days',
			await measure(
				each((d) => touchpointGap(db, d.key, q90)),
				samples
			)
		],
		['journey list (8 summaries), 30 days', await measure(() => journeySummaries(db, q30, { now: NOW }), 10)]
	];
	const size = statSync(file).size;
	db.$client.close();
	const funnel30 = rows[0][1].p95;
	const path30 = rows[5][1].p95;
	const funnel90 = rows[3][1].p95;
	const path90 = rows[7][1].p95;
	const gap90 = rows[11][1].p95;
	return `## Journey analytics: queries over ${(stored / 1e6).toFixed(1)} M journey instances (bench/journeys.ts)

\`npm run bench -- journeys\`: ${stored.toLocaleString('en')} journey instances over 90 days (8 journeys; largest
${perJourney[0].journey_key} ${perJourney[0].n.toLocaleString('en')}, smallest ${perJourney[perJourney.length - 1].journey_key} ${perJourney[perJourney.length - 1].n.toLocaleString('en')}),
stitched by \`buildInstances\` from synthetic histories walking the demo journeys (drops, retries, loops,
failure-demand calls, channel switches, surveys), stored in random start order; database file
${(size / 2 ** 20).toFixed(0)} MB (${buildNote}). Each query ran once to warm up, then ${ROUNDS} times per journey
(the "largest journey" rows 20 times), in one process; times are wall-clock on a shared machine.

| query | p50 | p95 | max | runs |
| --- | --- | --- | --- | --- |
${rows.map(([name, r]) => `| ${name} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.max)} | ${r.n} |`).join('\n')}

Targets: funnel p95 ≤ 300 ms (30 days, each journey: ${ms(funnel30)}) — **${funnel30 <= 300 ? 'met' : 'not met'}**;
path map p95 ≤ 500 ms (30 days, each journey: ${ms(path30)}) — **${path30 <= 500 ? 'met' : 'not met'}**.
Issue 22, all 90 days, each journey, p95 ≤ 300 ms: funnel ${ms(funnel90)} — **${funnel90 <= 300 ? 'met' : 'not met'}**;
path map ${ms(path90)} — **${path90 <= 300 ? 'met' : 'not met'}** (whole days from the day rollup \`journey_path_days\`);
gap ${ms(gap90)} — **${gap90 <= 300 ? 'met' : 'not met'}** (one range of \`journey_gap_answers\`, kept by triggers). 1-minute load average at the end: ${loadavg()[0].toFixed(1)}.
`;
}

async function ingestSection(): Promise<string> {
	log(`ingest: ${INGEST_EVENTS.toLocaleString('en')} events without and with stitching`);
	const batches = ingestStream(INGEST_EVENTS);
	const ingestFile = path.join(dataDir, 'ingest.db');
	const plain = ingestRun(ingestFile, batches, 'raw');
	const full = ingestRun(ingestFile, batches, 'full');
	const stitched = ingestRun(ingestFile, batches, 'stitch');
	const db = openDatabase(ingestFile);
	const instances = db.$client.prepare('SELECT count(*) FROM journey_instances').pluck().get() as number;
	const t = performance.now();
	const rebuilt = await restitchAll(db, { now: NOW });
	const restitchSeconds = (performance.now() - t) / 1000;
	const eventsStored = db.$client.prepare('SELECT count(*) FROM events').pluck().get() as number;
	db.$client.close();
	for (const suffix of ['', '-wal', '-shm']) rmSync(ingestFile + suffix, { force: true });
	const overhead = (1 - stitched.eventsPerSecond / plain.eventsPerSecond) * 100;
	return `## Journey analytics: stitching at ingest (bench/journeys.ts)

\`BENCH_PARTS=ingest npm run bench -- journeys\`: ${INGEST_EVENTS.toLocaleString('en')} live-like events (journeys
started over the last 30 days, merged by time, 3% arriving up to hours late), 500-event batches through
\`writeEvents\` (de-duplication on) into a fresh file database, once alone and once with \`stitchJourneys\` in the
same transaction (reading the batch's seqs back, which the wired writer does not need), and once as wired
(\`derive\` on: rollups and stitching). Then \`restitchAll\` rebuilds every instance from the stored events.

| measure | value |
| --- | --- |
| writer alone, \`derive: false\` (events/s) | ${Math.round(plain.eventsPerSecond).toLocaleString('en')} |
| writer + stitchJourneys (events/s) | ${Math.round(stitched.eventsPerSecond).toLocaleString('en')} |
| writer as wired: rollups + stitching (events/s) | ${Math.round(full.eventsPerSecond).toLocaleString('en')} |
| stitching overhead on ingest | ${overhead.toFixed(0)}% of throughput (${(((stitched.seconds - plain.seconds) / INGEST_EVENTS) * 1e6).toFixed(0)} µs per event) |
| of which stitchJourneys itself / the bigger commit | ${((stitched.stitchSeconds / INGEST_EVENTS) * 1e6).toFixed(0)} µs / ${(((stitched.seconds - stitched.writeSeconds - stitched.stitchSeconds - (plain.seconds - plain.writeSeconds)) / INGEST_EVENTS) * 1e6).toFixed(0)} µs per event |
| journey instances stitched incrementally | ${instances.toLocaleString('en')} |
| restitchAll over the ${eventsStored.toLocaleString('en')} stored events | ${restitchSeconds.toFixed(1)} s (${Math.round(eventsStored / restitchSeconds).toLocaleString('en')} events/s, ${rebuilt.toLocaleString('en')} instances) |
`;
}

async function main() {
	mkdirSync(dataDir, { recursive: true });
	const out: string[] = [];
	if (PARTS.includes('queries')) out.push(await queriesSection());
	if (PARTS.includes('ingest')) out.push(await ingestSection());
	console.log(out.join('\n'));
}

await main();
