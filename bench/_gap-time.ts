/**
 * The gap over all 90 days, each journey (issue 22 before/after: bundled from the old and the new code, run
 * alternately; the result hash must match):
 *   node -e "import('./scripts/bundle-lib.js').then((m) => m.bundleLib('bench/_gap-time.ts', 'bench/.data/build', 'gap-time.mjs'))"
 *   node bench/.data/build/gap-time.mjs
 */
import { touchpointGap } from '$lib/server/journeys/gap';
import { DAY, NOW, openJourneysDb } from './_journeys-db';

const { db, defs } = await openJourneysDb();
const q = { from: NOW - 91 * DAY, to: NOW, segment: null, channel: null };
const times: number[] = [];
let check = '';
for (let round = 0; round <= 3; round++)
	for (const d of defs) {
		const t = performance.now();
		const g = await touchpointGap(db, d.key, q);
		if (round > 0) times.push(performance.now() - t);
		if (round === 0) check += JSON.stringify(g);
	}
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)].toFixed(0);
console.log(
	`gap 90 days: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms; result hash ${check.length}:${[...check].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 0)}`
);
db.$client.close();
