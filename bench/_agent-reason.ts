/**
 * The reason-standardised KPIs by agent (a manager's drill-down, bench/metrics.ts rows "7 days by agent,
 * reason-standardised, previous period" and "30 days by agent, reason-standardised") alone, for before/after trials
 * of the team × agent × reason cuboid: bench/metrics.ts's queries on its 10M-event database, timed the same way
 * (TRIAL_RUNS runs after a warm-up, p50/p95), and the cells' answer compared with the raw path's (the `raw` option;
 * code without it answers from raw rows both times). Not a recorded bench (run.js skips "_" files): bundle it with
 * scripts/bundle-lib.js (bundleLib('bench/_agent-reason.ts', 'bench/.data/build', 'agent-reason.mjs')), then
 *   TRIAL_DB=path/to/events-10000000.db node bench/.data/build/agent-reason.mjs
 * Opening the database builds the cuboid's cells when it has none (completeCuboids): the time is printed.
 */
import { openDatabase } from '$lib/server/db';
import { kpis } from '$lib/server/metrics/kpis';
import { previousPeriod, type CxQuery } from '$lib/server/metrics/query';
import { chinaMidnight, DAY_MS } from '$lib/server/metrics/time';
import { END } from './_metrics-generator';

const RUNS = Number(process.env.TRIAL_RUNS ?? 20);
// TRIAL_TEAM= (empty): an admin's unscoped drill-down, the whole center's rows at the partial days.
const TEAM = process.env.TRIAL_TEAM ?? 't03';
const file = process.env.TRIAL_DB ?? 'bench/.data/metrics/events-10000000.db';

const opened = performance.now();
const db = openDatabase(file);
console.log(`opened in ${((performance.now() - opened) / 1000).toFixed(1)} s`);

const today = chinaMidnight(END - 1);
const from30 = today - 29 * DAY_MS;
const base: CxQuery = {
	from: from30,
	to: END,
	by: 'agent',
	grain: null,
	filters: {},
	compare: null,
	standardise: false,
	scope: { teams: TEAM ? [TEAM] : null }
};
const cases: [string, CxQuery][] = [
	[
		'7 days by agent, previous period',
		{ ...base, from: today - 6 * DAY_MS, compare: previousPeriod(today - 6 * DAY_MS, END) }
	],
	[
		'7 days by agent, reason-standardised, previous period',
		{
			...base,
			from: today - 6 * DAY_MS,
			compare: previousPeriod(today - 6 * DAY_MS, END),
			standardise: true
		}
	],
	['30 days by agent, reason-standardised', { ...base, standardise: true }]
];

function percentile(xs: number[], p: number): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

for (const [name, q] of cases) {
	const answer = await kpis(db, q);
	await kpis(db, q);
	const times: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const started = performance.now();
		await kpis(db, q);
		times.push(performance.now() - started);
	}
	// TRIAL_RAW=0 skips the comparison (its raw read would dominate a CPU profile).
	const raw =
		process.env.TRIAL_RAW === '0' ? answer : await kpis(db, q, { raw: true } as Parameters<typeof kpis>[2]);
	const same = JSON.stringify(answer.rows) === JSON.stringify(raw.rows);
	console.log(
		`${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, ` +
			`path ${answer.path}, ${answer.rows.length} agents, same as raw rows: ${same}` +
			(q.standardise ? `, csat_std n ${answer.rows.reduce((n, r) => n + (r.kpis.csat_std?.n ?? 0), 0)}` : '')
	);
}
db.$client.close();
