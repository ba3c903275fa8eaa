/**
 * What the team indexes (events_team_ts, events_linked_ts: the metrics' raw path under a team filter) cost the
 * writer: writeEvents as wired (derive on: rollups, chains, stitching) on the metrics bench's events, into fresh
 * file databases with and without the two indexes, alternated, best of each kept (the machine is shared).
 *
 *   node -e "import('./scripts/bundle-lib.js').then(m => m.bundleLib('bench/_team-index-cost.ts', 'bench/.data/build', 'team-index-cost.mjs'))"
 *   node bench/.data/build/team-index-cost.mjs [events=100000] [rounds=2]
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { CxEvent } from '$lib/model';
import { generate, reseed } from './_metrics-generator';
import { openDatabase } from '$lib/server/db';
import { writeEvents } from '$lib/server/ingest/writer';

const COUNT = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const events: CxEvent[] = [];
reseed(0x1234567);
for (const batch of generate(10_000_000, 2_000)) {
	for (const p of batch) {
		const { seq: _s, segment: _g, region: _r, sentiment: _t, ...e } = p.e;
		events.push(e);
	}
	if (events.length >= COUNT) break;
}

function measure(withIndexes: boolean): number {
	const f = path.resolve('bench/.data', `team-index-${withIndexes}.db`);
	for (const x of [f, `${f}-wal`, `${f}-shm`]) rmSync(x, { force: true });
	const db = openDatabase(f);
	if (!withIndexes) db.$client.exec('DROP INDEX events_team_ts; DROP INDEX events_linked_ts;');
	const t = performance.now();
	for (let i = 0; i < events.length; i += 500)
		writeEvents(db, events.slice(i, i + 500), { sourceId: 1, derive: true });
	const seconds = (performance.now() - t) / 1000;
	db.$client.close();
	for (const x of [f, `${f}-wal`, `${f}-shm`]) rmSync(x, { force: true });
	return seconds;
}

const best = { without: Infinity, with: Infinity };
for (let round = 0; round < ROUNDS; round++) {
	best.without = Math.min(best.without, measure(false));
	best.with = Math.min(best.with, measure(true));
	console.error(`round ${round + 1}: without ${best.without.toFixed(2)} s, with ${best.with.toFixed(2)} s`);
}
const us = (s: number) => ((s * 1e6) / events.length).toFixed(1);
console.log(
	`${events.length} events, writeEvents as wired, 500-event requests: without the team indexes ${us(best.without)} µs/event` +
		` (${Math.round(events.length / best.without)} events/s); with ${us(best.with)} µs/event` +
		` (${Math.round(events.length / best.with)} events/s): +${(((best.with - best.without) / best.without) * 100).toFixed(1)}%`
);
