/**
 * The risk list benchmark (issue 19: "the risk list query p95 ≤ 100 ms"): `listRisk` (the /risk page and
 * GET /api/v1/risk/customers) on ≈ 1M scored customers, for every filter they offer — the whole center (an
 * admin), one team, a manager's several teams, each minimum risk of the page's menu (10%, 20%, 30%, 50%) — on the
 * first page, the second (the `next` cursor of the first) and a page from the middle of the list (inside the
 * largest group of tied scores), on SQLite and on PostgreSQL; and the page's other read (the current model).
 *
 *   npm run bench -- risk-list    (BENCH_RISK_CUSTOMERS=1000000, BENCH_RUNS=40, BENCH_RISK_ENGINES=sqlite,postgres,
 *                                  BENCH_RISK_SCORES=<an SQLite file with trained risk scores>; a temporary
 *                                  PostgreSQL server is started, as the tests do)
 *
 * Scores: synthetic by default (bench/_risk-scores.ts: a trained model's shape, with its large ties), so the list
 * is measured without the ≈ 13 minutes of training on the metrics bench's 10M events (bench/risk.ts measures the
 * list on those trained scores too, on SQLite). BENCH_RISK_SCORES takes the scores and model of a trained
 * database instead. Both engines get the same rows, through the risk store's `saveModel` (what training calls).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase } from '$lib/server/db';
import { openPostgres } from '$lib/server/db/postgres';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import {
	countsOver,
	currentModel,
	decodeCursor,
	encodeCursor,
	listRisk,
	scoresOver,
	summarizeModel,
	type RiskListFilter
} from '$lib/server/risk';
import {
	riskStores,
	scoresQuery,
	type NewRiskModel,
	type NewRiskScore,
	type OverFilter
} from '$lib/server/risk/store';
import { startPostgresServer, type PostgresServer } from '$lib/server/testing/postgres-server';
import { SYNTHETIC_TEAMS, syntheticScores } from './_risk-scores';

const CUSTOMERS = Number(process.env.BENCH_RISK_CUSTOMERS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const ENGINES = (process.env.BENCH_RISK_ENGINES ?? 'sqlite,postgres').split(',');
const SOURCE = process.env.BENCH_RISK_SCORES ? path.resolve(process.env.BENCH_RISK_SCORES) : null;
const PAGE = 50;
const dataDir = path.resolve('bench/.data/risk-list');
const log = (m: string) => process.stderr.write(`[risk-list] ${m}\n`);
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(1)}`;

function percentile(xs: number[], p: number): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** The scores to list: synthetic, or those of a trained database (its newest model). */
function scoresToList(): { model: NewRiskModel; scores: NewRiskScore[]; origin: string } {
	if (!SOURCE) {
		const { model, scores } = syntheticScores(CUSTOMERS);
		return { model, scores, origin: `${fmt(CUSTOMERS)} synthetic scores (bench/_risk-scores.ts)` };
	}
	const source = openDatabase(SOURCE).$client;
	const m = source
		.prepare(
			`SELECT trained_at, train_from, train_to, test_from, test_to, model, quality FROM risk_models
			 ORDER BY id DESC LIMIT 1`
		)
		.get() as Record<string, number | string> | undefined;
	if (!m) throw new Error(`${SOURCE} has no risk model`);
	const scores = (
		source
			.prepare(
				'SELECT customer_id, score, regulator_score, team_id, segment, reasons FROM risk_scores ORDER BY rowid'
			)
			.raw(true)
			.all() as [string, number, number, string | null, string | null, string][]
	).map(([customerId, score, regulatorScore, teamId, segment, reasons]) => ({
		customerId,
		score,
		regulatorScore,
		teamId,
		segment,
		reasons: JSON.parse(reasons)
	}));
	source.close();
	return {
		model: {
			trainedAt: Number(m.trained_at),
			trainFrom: Number(m.train_from),
			trainTo: Number(m.train_to),
			testFrom: Number(m.test_from),
			testTo: Number(m.test_to),
			model: JSON.parse(String(m.model)),
			quality: JSON.parse(String(m.quality))
		},
		scores,
		origin: `the ${fmt(scores.length)} trained scores of ${path.basename(SOURCE)}`
	};
}

interface Case {
	label: string;
	filter: Omit<RiskListFilter, 'cursor' | 'limit'>;
}

/** The page's filters: team (none = every team the user may see) × minimum risk (its menu). */
function cases(scores: NewRiskScore[]): Case[] {
	const size = new Map<string, number>();
	for (const s of scores) if (s.teamId) size.set(s.teamId, (size.get(s.teamId) ?? 0) + 1);
	const bySize = [...size.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
	const largest = bySize[0] ?? SYNTHETIC_TEAMS[0];
	const smallest = bySize.at(-1) ?? largest;
	const manager = bySize.slice(0, 3);
	const team = (t: string) => `team ${t} (${fmt(size.get(t) ?? 0)})`;
	return [
		{ label: 'whole center (an admin)', filter: { teams: null } },
		{ label: `one team: the largest, ${team(largest)}`, filter: { teams: [largest] } },
		{ label: `one team: the smallest, ${team(smallest)}`, filter: { teams: [smallest] } },
		{ label: `a manager's 3 teams (${manager.join(', ')})`, filter: { teams: manager } },
		...[0.1, 0.2, 0.3, 0.5].map((minScore) => ({
			label: `whole center, risk ≥ ${minScore * 100}%`,
			filter: { teams: null, minScore }
		})),
		{ label: `one team (${largest}), risk ≥ 10%`, filter: { teams: [largest], minScore: 0.1 } },
		{ label: `a manager's 3 teams, risk ≥ 10%`, filter: { teams: manager, minScore: 0.1 } }
	];
}

/** The row in the middle of a filter's list (in list order), as a cursor: a page deep inside the ties. */
function middleCursor(scores: NewRiskScore[], filter: Case['filter']): string | null {
	const teams = filter.teams === null ? null : new Set(filter.teams);
	const rows = scores.filter(
		(s) => s.score >= (filter.minScore ?? 0) && (teams === null || (s.teamId !== null && teams.has(s.teamId)))
	);
	if (rows.length < 2 * PAGE) return null;
	rows.sort((a, b) => b.score - a.score || (a.customerId < b.customerId ? 1 : -1));
	const mid = rows[Math.floor(rows.length / 2)];
	return encodeCursor(mid.score, mid.customerId);
}

async function timeIt(work: () => Promise<unknown>, runs = RUNS, warmups = 3): Promise<number[]> {
	const times: number[] = [];
	for (let i = 0; i < runs + warmups; i++) {
		const t = performance.now();
		await work();
		if (i >= warmups) times.push(performance.now() - t);
	}
	return times;
}

/**
 * The list query as it was before the row-value keyset (ties by customer ascending, the keyset an OR), for the
 * comparison row: a later page on the whole center or one team.
 */
function previousQuery(team: string | null, after: { score: number; customerId: string }) {
	return {
		text: `SELECT customer_id, model_id, scored_at, score, regulator_score, team_id, segment, reasons
			FROM risk_scores WHERE score >= ?${team === null ? '' : ' AND team_id IN (?)'}
			AND (score < ? OR (score = ? AND customer_id > ?))
			ORDER BY score DESC, customer_id ASC LIMIT ?`,
		params: [0, ...(team === null ? [] : [team]), after.score, after.score, after.customerId, PAGE + 1]
	};
}

async function run(storage: Storage, text: string, params: (string | number)[]): Promise<unknown> {
	if (storage.engine === 'sqlite') return storage.db.$client.prepare(text).all(...params);
	let n = 0;
	return storage.db.$client.unsafe(
		text.replace(/\?/g, () => `$${++n}`),
		params
	);
}

/** The access path of a query: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN (first lines). */
async function plan(storage: Storage, text: string, params: (string | number)[]): Promise<string> {
	if (storage.engine === 'sqlite')
		return (storage.db.$client.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as { detail: string }[])
			.map((r) => r.detail)
			.join('; ');
	let n = 0;
	const rows = await storage.db.$client.unsafe(`EXPLAIN ${text.replace(/\?/g, () => `$${++n}`)}`, params);
	return rows
		.map((r) => String((r as Record<string, unknown>)['QUERY PLAN']).trim())
		.filter((line) => /Scan|Append|Merge|Sort|Limit/.test(line))
		.join('; ');
}

interface Measured {
	rows: number;
	first: number[];
	second: number[] | null;
	middle: number[] | null;
	firstIds: string[];
}

async function measure(storage: Storage, scores: NewRiskScore[], c: Case): Promise<Measured> {
	const first = await listRisk(storage, { ...c.filter, limit: PAGE });
	const middle = middleCursor(scores, c.filter);
	if (first.next) {
		// The second page starts right after the first, in list order.
		const second = await listRisk(storage, { ...c.filter, limit: PAGE, cursor: first.next });
		const last = first.customers.at(-1)!;
		const next = second.customers[0];
		if (
			next &&
			(next.score > last.score || (next.score === last.score && next.customerId >= last.customerId))
		)
			throw new Error(`${c.label}: the second page does not follow the first on ${storage.engine}`);
	}
	return {
		rows: first.customers.length,
		first: await timeIt(() => listRisk(storage, { ...c.filter, limit: PAGE })),
		second: first.next
			? await timeIt(() => listRisk(storage, { ...c.filter, limit: PAGE, cursor: first.next }))
			: null,
		middle: middle
			? await timeIt(() => listRisk(storage, { ...c.filter, limit: PAGE, cursor: middle }))
			: null,
		firstIds: first.customers.map((x) => x.customerId)
	};
}

async function main() {
	rmSync(dataDir, { recursive: true, force: true });
	mkdirSync(dataDir, { recursive: true });
	const loadBefore = loadavg()[0];
	const started = performance.now();
	const { model, scores, origin } = scoresToList();
	log(`${origin}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
	const engines: Storage[] = [];
	let server: PostgresServer | null = null;
	const closers: (() => Promise<void>)[] = [];
	try {
		if (ENGINES.includes('sqlite')) {
			const db = openDatabase(path.join(dataDir, 'list.db'));
			const t = performance.now();
			await riskStores.sqlite(db).saveModel(model, scores, model.trainedAt);
			log(`SQLite: stored in ${((performance.now() - t) / 1000).toFixed(1)} s`);
			engines.push(sqliteStorage(db));
			closers.push(async () => void db.$client.close());
		}
		if (ENGINES.includes('postgres')) {
			server = await startPostgresServer();
			const admin = postgres(server.url, { max: 1, onnotice: () => {} });
			await admin.unsafe('CREATE DATABASE bench_risk_list');
			await admin.end();
			const url = new URL(server.url);
			url.pathname = '/bench_risk_list';
			const pg = await openPostgres(url.toString());
			const t = performance.now();
			await riskStores.postgres(pg).saveModel(model, scores, model.trainedAt);
			// What autovacuum does soon after a training replaced every score.
			await pg.$client`ANALYZE risk_scores`;
			log(`PostgreSQL: stored in ${((performance.now() - t) / 1000).toFixed(1)} s`);
			engines.push(postgresStorage(pg));
			closers.push(() => pg.$client.end());
		}

		const all = cases(scores);
		const results = new Map<string, Map<string, Measured>>();
		const modelTimes = new Map<string, number[]>();
		const plans: string[] = [];
		const previous: string[] = [];
		const alertReads: string[] = [];
		for (const storage of engines) {
			const byCase = new Map<string, Measured>();
			for (const c of all) {
				log(`${storage.engine}: ${c.label}`);
				byCase.set(c.label, await measure(storage, scores, c));
			}
			results.set(storage.engine, byCase);
			modelTimes.set(
				storage.engine,
				await timeIt(async () => summarizeModel((await currentModel(storage))!))
			);
			// The alert rule kind "risk score" reads the same table every pass (a minute): its watch and its count.
			const watches: [string, OverFilter][] = [
				[
					'VIP customers, complaint ≥ 10%',
					{ outcome: 'complaint', minScore: 0.1, teams: null, segments: ['private'], limit: 200 }
				],
				[
					'VIP customers, complaint ≥ 0.5%',
					{ outcome: 'complaint', minScore: 0.005, teams: null, segments: ['private'], limit: 200 }
				],
				[
					'any customer, regulator ≥ 1%',
					{ outcome: 'regulator', minScore: 0.01, teams: null, segments: null, limit: 200 }
				]
			];
			for (const [label, filter] of watches) {
				const times = await timeIt(() => scoresOver(storage, filter), 10);
				alertReads.push(
					`| ${storage.engine} | customer mode, ${label} | ${ms(percentile(times, 50))} / ${ms(percentile(times, 95))} |`
				);
			}
			const counts: [string, Omit<OverFilter, 'limit'>][] = [
				[
					'any customer, complaint ≥ 0.5%',
					{ outcome: 'complaint', minScore: 0.005, teams: null, segments: null }
				],
				[
					'any customer, regulator ≥ 0.1%',
					{ outcome: 'regulator', minScore: 0.001, teams: null, segments: null }
				]
			];
			for (const [label, filter] of counts) {
				// The store's count (what a pass pays once per model) and countsOver (kept per model) after it.
				const uncached = await timeIt(
					() => riskStores[storage.engine](storage.db as never).countsOver(filter),
					3,
					0
				);
				await countsOver(storage, filter);
				const cached = await timeIt(() => countsOver(storage, filter), 20);
				alertReads.push(
					`| ${storage.engine} | count mode, ${label}: counted once per model / then | ${ms(percentile(uncached, 50))} (max ${ms(Math.max(...uncached))}) / ${ms(percentile(cached, 95))} p95 |`
				);
			}
			if (storage.engine === 'sqlite') {
				// The previous count (SQLite chose risk_scores_team_score for the GROUP BY and looked every row up): once.
				const text = `SELECT team_id, COUNT(*) AS n FROM risk_scores WHERE regulator_score >= ? GROUP BY team_id ORDER BY team_id`;
				const t = performance.now();
				await run(storage, text, [0.001]);
				previous.push(
					`- sqlite, count mode, any customer, regulator ≥ 0.1%, without NOT INDEXED: ${ms(performance.now() - t)} ms once; plan \`${await plan(storage, text, [0.001])}\``
				);
			}
			// The previous query, on the middle page of the whole center and of the largest team (fewer runs: slow).
			for (const c of all.slice(0, 2)) {
				const team = c.filter.teams?.[0] ?? null;
				const before = previousQuery(team, decodeCursor(middleCursor(scores, c.filter)!)!);
				const times: number[] = [];
				for (let i = 0; i < 6; i++) {
					const t = performance.now();
					await run(storage, before.text, before.params);
					if (i) times.push(performance.now() - t);
				}
				previous.push(
					`- ${storage.engine}, ${c.label}, the middle page: p50 ${ms(percentile(times, 50))} ms, max ${ms(Math.max(...times))} ms; plan \`${await plan(storage, before.text, before.params)}\``
				);
			}
			// The middle pages' plans: the whole center, one team, a manager's teams.
			for (const c of all.slice(0, 4).filter((_, i) => i !== 2)) {
				const q = scoresQuery({
					minScore: c.filter.minScore ?? 0,
					teams: c.filter.teams,
					limit: PAGE + 1,
					after: decodeCursor(middleCursor(scores, c.filter)!)
				});
				plans.push(
					`- ${storage.engine}, ${c.label}, the middle page: \`${await plan(storage, q.text, q.params)}\``
				);
			}
		}

		// Both engines list the same customers in the same order (the temporary server's collation is C).
		let agree = 'one engine measured';
		if (engines.length === 2) {
			const [a, b] = [...results.values()];
			const differ = all.filter(
				(c) => JSON.stringify(a.get(c.label)!.firstIds) !== JSON.stringify(b.get(c.label)!.firstIds)
			);
			agree = differ.length
				? `**first pages differ between the engines**: ${differ.map((c) => c.label).join('; ')}`
				: 'both engines list the same customers in the same order on every first page';
		}

		let worst = 0;
		const cell = (xs: number[] | null) => {
			if (!xs) return '—';
			const p95 = percentile(xs, 95);
			worst = Math.max(worst, p95);
			return `${ms(percentile(xs, 50))} / ${ms(p95)}`;
		};
		const names = engines.map((s) => (s.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'));
		const header = `| filter | rows | ${names.map((n) => `${n}: first page | ${n}: second page | ${n}: middle page`).join(' | ')} |`;
		const lines = all.map((c) => {
			const per = engines.map((s) => results.get(s.engine)!.get(c.label)!);
			return `| ${c.label} | ${per[0].rows} | ${per.map((m) => `${cell(m.first)} | ${cell(m.second)} | ${cell(m.middle)}`).join(' | ')} |`;
		});
		const modelCells = engines.map((s) => `${ms(percentile(modelTimes.get(s.engine)!, 95))} ms`).join(', ');
		const load = ((loadBefore + loadavg()[0]) / 2).toFixed(1);
		console.log(`## Complaint risk list: every filter, first and later pages, both engines (issue 19${SOURCE ? ', trained scores' : ''})

\`listRisk\` (the /risk page, GET /api/v1/risk/customers), ${PAGE} a page, on ${origin}: ${fmt(scores.filter((s) => s.score < 0.01).length)} below 1%, the largest group of tied scores ${fmt(largestTie(scores))} customers. Milliseconds p50 / p95 of ${RUNS} runs after 3 warm-ups; the middle page is the one whose cursor is the middle row of the filter's list (inside the largest tie on the whole center). Load average ${load} while it ran${Number(load) > 4 ? ' (a shared, busy machine: figures under load)' : ''}.

${header}
| --- | --- | ${names.map(() => '--- | --- | ---').join(' | ')} |
${lines.join('\n')}

Worst p95 ${ms(worst)} ms (target ≤ 100 ms ${worst <= 100 ? '✓' : '✗'}). The page's other read, the current model with its held-out quality, p95 ${modelCells}. ${agree}.

Query plans (the store's \`scoresQuery\`; keyset \`(score, customer_id) < (?, ?)\`, order score and customer descending):
${plans.join('\n')}

The alert rule kind "risk score" (alerts/risk-score.ts, every pass): \`scoresOver\` (customer mode, 200 highest) and \`countsOver\` (count mode), ms p50 / p95:

| engine | read | ms |
| --- | --- | --- |
${alertReads.join('\n')}

Before (the keyset \`score < ? OR (score = ? AND customer_id > ?)\`, ties by customer ascending; 5 runs; and the alert rule's previous count):
${previous.join('\n')}
`);
	} finally {
		for (const close of closers) await close();
		server?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

function largestTie(scores: NewRiskScore[]): number {
	const n = new Map<number, number>();
	for (const s of scores) n.set(s.score, (n.get(s.score) ?? 0) + 1);
	return Math.max(...n.values());
}

await main();
