/**
 * Funnel before/after (issue 22): the reference (funnel-reference.ts) and funnel.ts alternately on the same
 * database (bench/.data/journeys, built by bench/journeys.ts), so their ratio holds under any load.
 *   node -e "import('./scripts/bundle-lib.js').then((m) => m.bundleLib('bench/_funnel-ab.ts', 'bench/.data/build', 'funnel-ab.mjs'))"
 *   node bench/.data/build/funnel-ab.mjs
 * BENCH_ROUNDS (3), BENCH_DAYS (91), BENCH_BY (segment | channel) vary it; it stops if the two funnels differ.
 */
import { funnel } from '$lib/server/journeys/funnel';
import { referenceFunnel } from '$lib/server/journeys/funnel-reference';
import { DAY, NOW, openJourneysDb } from './_journeys-db';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DAYS = Number(process.env.BENCH_DAYS ?? 91);
const { db, defs } = await openJourneysDb();
const q = { from: NOW - DAYS * DAY, to: NOW, segment: null, channel: null };
const by = (process.env.BENCH_BY ?? '') as '' | 'segment' | 'channel';
const times: Record<string, number[]> = { reference: [], new: [] };
const perJourney = new Map<string, { reference: number[]; new: number[] }>();
for (let round = 0; round <= ROUNDS; round++) {
	for (const d of defs) {
		const order = round % 2 ? (['new', 'reference'] as const) : (['reference', 'new'] as const);
		const results: unknown[] = [];
		for (const which of order) {
			const t = performance.now();
			const f = which === 'new' ? funnel : referenceFunnel;
			results.push(await f(db, d, q, { now: NOW, by: by || null }));
			const ms = performance.now() - t;
			if (round > 0) {
				times[which].push(ms);
				const pj = perJourney.get(d.key) ?? { reference: [], new: [] };
				pj[which].push(ms);
				perJourney.set(d.key, pj);
			}
		}
		if (JSON.stringify(results[0]) !== JSON.stringify(results[1]))
			throw new Error(`${d.key}: results differ`);
	}
}
const pct = (xs: number[], p: number) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
};
for (const [k, v] of perJourney)
	console.log(
		`${k.padEnd(24)} ref median ${pct(v.reference, 0.5).toFixed(0)} ms  new median ${pct(v.new, 0.5).toFixed(0)} ms  ratio ${(pct(v.new, 0.5) / pct(v.reference, 0.5)).toFixed(2)}`
	);
for (const p of [0.5, 0.95])
	console.log(
		`p${p * 100}: reference ${pct(times.reference, p).toFixed(0)} ms, new ${pct(times.new, p).toFixed(0)} ms, ratio ${(pct(times.new, p) / pct(times.reference, p)).toFixed(2)}`
	);
db.$client.close();
