/**
 * Where the funnel's time goes on the largest journey, 90 days (issue 22 profiling; not a bench of run.js):
 *   node -e "import('./scripts/bundle-lib.js').then((m) => m.bundleLib('bench/_funnel-parts.ts', 'bench/.data/build', 'funnel-parts.mjs'))"
 *   node bench/.data/build/funnel-parts.mjs
 */
import { funnel } from '$lib/server/journeys/funnel';
import { referenceFunnel } from '$lib/server/journeys/funnel-reference';
import { journeyStore } from '$lib/server/journeys/registry';
import { DAY, NOW, openJourneysDb } from './_journeys-db';

const { db, defs } = await openJourneysDb();
const key = process.env.JOURNEY ?? 'card_acquisition';
const d = defs.find((x) => x.key === key)!;
const q = { from: NOW - 91 * DAY, to: NOW, segment: null, channel: null };
const store = journeyStore(db);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const t: Record<string, number[]> = { lines: [], texts: [], raw: [], count: [], ref: [], new: [], sort: [] };
const only = process.env.ONLY;
for (let round = 0; round < 6; round++) {
	if (only === 'new') {
		const s0 = performance.now();
		await funnel(db, d, q, { now: NOW });
		t.new.push(performance.now() - s0);
		continue;
	}
	let s = performance.now();
	const lines = await store.funnelLines(d.key, q, NOW, null);
	t.lines.push(performance.now() - s);
	// What funnel.ts reads: the same lines, one text per window of starts.
	s = performance.now();
	await store.funnelText(d.key, q, NOW, null);
	t.texts.push(performance.now() - s);
	s = performance.now();
	db.$client
		.prepare(
			`SELECT customer_key, depth, status, deadline, step_offsets FROM journey_instances WHERE journey_key = ? AND started_at >= ? AND started_at < ?`
		)
		.raw()
		.all(d.key, q.from, q.to);
	t.raw.push(performance.now() - s);
	s = performance.now();
	db.$client
		.prepare(
			`SELECT count(*) FROM journey_instances WHERE journey_key = ? AND started_at >= ? AND started_at < ?`
		)
		.pluck()
		.get(d.key, q.from, q.to);
	t.count.push(performance.now() - s);
	s = performance.now();
	await referenceFunnel(db, d, q, { now: NOW });
	t.ref.push(performance.now() - s);
	s = performance.now();
	await funnel(db, d, q, { now: NOW });
	t.new.push(performance.now() - s);
	const a = new Float64Array(lines.length).map(() => Math.floor(Math.random() * 86400 * 3));
	s = performance.now();
	for (let k = 0; k < 5; k++) a.slice().sort();
	t.sort.push(performance.now() - s);
	if (round === 0) console.log(`${lines.length} lines`);
}
for (const [k, v] of Object.entries(t))
	if (v.length) console.log(`${k}: median ${med(v.slice(1)).toFixed(1)} ms`);
db.$client.close();
