/**
 * Complaint-risk benchmark (issue 19): training and scoring (`trainRisk`, as the nightly job and
 * POST /api/v1/risk/model/train run it) on the metrics bench's synthetic center — 10 million events over 90 days,
 * ≈ 1 million customers active in a 14-day window — and the risk list query (`listRisk`, the /risk page and
 * GET /api/v1/risk/customers). Targets: training + scoring ≤ 60 s and ≤ 2 GB peak RSS; list p95 ≤ 100 ms.
 *
 *   npm run bench -- risk
 *
 * Data: BENCH_RISK_DB (a path), else bench/.data/metrics/events-<BENCH_EVENTS>.db (default 10,000,000). The file is
 * copied first to bench/.data/risk/ (training writes risk_models, risk_scores and the audit log; the metrics
 * bench's file stays as it was). When missing, the metrics bench builds it (`BENCH_EVENTS=N node bench/run.js
 * metrics`, its generator and writer). That data has complaints at the generator's rate (0.5% of events: ≈ 47,000
 * in 10M, 10% of them regulator referrals, ≈ 0.5% of customers a fortnight) but no comment texts or journey
 * instances, so those three features are zero here (their joins still run, on empty tables).
 * BENCH_RISK_KEEP=1 keeps the trained copy (bench/.data/risk/…), for `BENCH_RISK_SCORES=<it> npm run bench --
 * risk-list` (the list on every filter and both engines, bench/risk-list.ts).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { END } from './_metrics-generator';
import { openDatabase } from '$lib/server/db';
import { listRisk, summarizeModel, currentModel, trainRisk } from '$lib/server/risk';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const log = (...args: unknown[]) => console.error('[risk]', ...args);

const source = path.resolve(process.env.BENCH_RISK_DB ?? `bench/.data/metrics/events-${TOTAL}.db`);
const ownDir = path.resolve('bench/.data/risk');
const ownFile = path.join(ownDir, path.basename(source));

if (!existsSync(source)) {
	if (process.env.BENCH_RISK_DB) throw new Error(`${source} does not exist`);
	log(`${source} is missing: the metrics bench builds it (BENCH_EVENTS=${TOTAL})`);
	const built = spawnSync(process.execPath, ['bench/run.js', 'metrics'], {
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...process.env, BENCH_EVENTS: String(TOTAL) }
	});
	if (built.status !== 0 || !existsSync(source))
		throw new Error('the metrics bench did not build its database');
}
mkdirSync(ownDir, { recursive: true });
for (const x of [ownFile, `${ownFile}-wal`, `${ownFile}-shm`]) rmSync(x, { force: true });
copyFileSync(source, ownFile);

// Peak RSS of this process: the kernel's high-water mark, and a sampled one for the training alone.
let sampledPeak = 0;
const sampler = setInterval(() => {
	sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
}, 20);
sampler.unref();

const db = openDatabase(ownFile);
const c = db.$client;
const events = Number(c.prepare('SELECT count(*) FROM events').pluck().get());
const complaints = Number(c.prepare(`SELECT count(*) FROM events WHERE type = 'complaint'`).pluck().get());
const rssBefore = process.resourceUsage().maxRSS * 1024;
sampledPeak = process.memoryUsage().rss;
const loadBefore = loadavg()[0];

log('training and scoring …');
const started = performance.now();
const cpuBefore = process.cpuUsage();
const outcome = await trainRisk(db, { now: END, trigger: 'on_demand' });
const trainSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
clearInterval(sampler);
const peakRss = process.resourceUsage().maxRSS * 1024;
if (!outcome.trained) throw new Error(`not trained: ${outcome.reason} (${outcome.detail})`);
log(`trained in ${trainSeconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s CPU): ${JSON.stringify(outcome)}`);
const model = summarizeModel((await currentModel(db))!);

function percentile(xs: number[], p: number): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

// A threshold that keeps about the top 2% of customers, as a "risk ≥" filter would.
const threshold =
	Math.floor(
		Number(
			c
				.prepare('SELECT score FROM risk_scores ORDER BY score DESC LIMIT 1 OFFSET ?')
				.pluck()
				.get(Math.floor(outcome.scored / 50))
		) * 1000
	) / 1000;
const team = String(
	c
		.prepare('SELECT team_id FROM risk_scores WHERE team_id IS NOT NULL GROUP BY team_id LIMIT 1')
		.pluck()
		.get()
);
const cases: { label: string; teams: string[] | null; minScore: number }[] = [
	{ label: 'whole center', teams: null, minScore: 0 },
	{ label: `one team (${team})`, teams: [team], minScore: 0 },
	{ label: `whole center, risk ≥ ${(threshold * 100).toFixed(1)}%`, teams: null, minScore: threshold },
	{ label: `one team, risk ≥ ${(threshold * 100).toFixed(1)}%`, teams: [team], minScore: threshold }
];
const rows: string[] = [];
let worstP95 = 0;
for (const q of cases) {
	const first = await listRisk(db, { ...q, limit: 50 });
	const times: number[] = [];
	for (let i = 0; i < RUNS + 3; i++) {
		const t = performance.now();
		// The first page, then the second (keyset cursor), as the page's "Next page" link reads it.
		await listRisk(db, { ...q, limit: 50, cursor: i % 2 ? first.next : null });
		if (i >= 3) times.push(performance.now() - t);
	}
	const p95 = percentile(times, 95);
	worstP95 = Math.max(worstP95, p95);
	rows.push(
		`| ${q.label} | ${first.customers.length} | ${percentile(times, 50).toFixed(2)} ms / ${p95.toFixed(2)} ms |`
	);
}
const load = ((loadBefore + loadavg()[0]) / 2).toFixed(1);
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const ok = (b: boolean) => (b ? '✓' : '✗');

console.log(`## Complaint risk: training, scoring and the risk list (issue 19)

${events.toLocaleString('en')} events of the metrics bench's synthetic center (90 days, ${complaints.toLocaleString('en')} complaints; no comment texts or journey instances, so those features are zero), trained at the data's end as the nightly job trains (\`trainRisk\`: 6 weekly training anchors, 2 held-out, every customer active in the last 14 days scored and stored). Load average ${load} while it ran${Number(load) > 4 ? ' (a shared, busy machine: figures under load)' : ''}.

| training + scoring | figure | target |
| --- | --- | --- |
| wall time | ${trainSeconds.toFixed(1)} s | ≤ 60 s ${ok(trainSeconds <= 60)} |
| CPU time of the process (user + system; the fairer figure on a busy machine) | ${cpuSeconds.toFixed(1)} s | |
| peak RSS of the process (kernel high-water mark; ${mb(rssBefore)} before training) | ${mb(peakRss)} | ≤ 2 GB ${ok(peakRss <= 2 * 2 ** 30)} |
| training rows (customer × anchor, thinned to ≤ 400,000) / held-out rows (all evaluated) | ${outcome.trainRows.toLocaleString('en')} / ${outcome.testRows.toLocaleString('en')} | |
| customers scored | ${outcome.scored.toLocaleString('en')} | ≈ 1M |
| held-out AUC (95% CI), n, complained; Brier | ${model.auc} (${model.auc95?.join('–') ?? '—'}), ${model.n.toLocaleString('en')}, ${model.positives.toLocaleString('en')}; ${model.brier} | |

| risk list (\`listRisk\`, 50 a page, first and second page alternating) | rows | p50 / p95 |
| --- | --- | --- |
${rows.join('\n')}

Worst p95 ${worstP95.toFixed(2)} ms (target ≤ 100 ms ${ok(worstP95 <= 100)}); ${RUNS} runs each after 3 warm-ups.
`);
c.close();
if (!process.env.BENCH_RISK_KEEP) rmSync(ownFile, { force: true });
