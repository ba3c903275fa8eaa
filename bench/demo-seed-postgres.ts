/**
 * The demo's first start on PostgreSQL (issue 17): seeding the default history (90 days, scale 1, seed 1) into an
 * empty migrated database, as `npm start` does with DATABASE_URL=postgres://… : the history in bulk
 * (demo/history-postgres.ts), then contact chains, rollups and journeys rebuilt once, then the texts indexed and the
 * risk model trained (demo/insights.ts), each phase timed.
 *
 *   npm run bench -- demo-seed-postgres    (BENCH_DAYS=90, BENCH_DATABASE_URL=postgres://… or a temporary local server)
 *   BENCH_DAYS=14 npm run bench -- demo-seed-postgres    (a shorter history, to try it)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import postgres from 'postgres';
import { openPostgres } from '$lib/server/db/postgres';
import { postgresStorage } from '$lib/server/db/storage';
import { ensureDefaultJourneys } from '$lib/server/journeys';
import { prepareDemoInsights } from '$lib/server/demo/insights';
import { seedDemo } from '$lib/server/demo/seed';
import { startPostgresServer } from '$lib/server/testing/postgres-server';

const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const NOW = Date.now();
const log = (m: string) => process.stderr.write(`[demo-seed-postgres] ${m}\n`);

/**
 * CPU seconds of a local PostgreSQL server so far: its postmaster's own, its live children's (each connection's
 * backend, the checkpointer, the WAL writer…) and its exited children's. Null for a server elsewhere.
 */
function serverCpuSeconds(dir: string | undefined): number | null {
	const pidFile = dir && `${dir}/data/postmaster.pid`;
	if (!pidFile || !existsSync(pidFile)) return null;
	const pid = readFileSync(pidFile, 'utf8').split('\n')[0].trim();
	// /proc/<pid>/stat after the command's ") ": state, ppid, … utime, stime, cutime, cstime at 11–14, in ticks.
	const stat = (p: string) => {
		try {
			return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
		} catch {
			return null; // exited meanwhile: its time is in the postmaster's cutime now
		}
	};
	const own = stat(pid);
	if (!own) return null;
	let ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(own[i]), 0);
	for (const p of readdirSync('/proc')) {
		if (!/^\d+$/.test(p) || p === pid) continue;
		const fields = stat(p);
		if (fields && fields[1] === pid) ticks += Number(fields[11]) + Number(fields[12]);
	}
	return ticks / 100;
}

/** Statements the server logged as slower than SLOW_MS (log_min_duration_statement), slowest first. */
function slowStatements(dir: string | undefined): { ms: number; text: string }[] {
	const file = dir && `${dir}/server.log`;
	if (!file || !existsSync(file)) return [];
	const found: { ms: number; text: string }[] = [];
	const lines = readFileSync(file, 'utf8').split('\n');
	for (let i = 0; i < lines.length; i++) {
		const m = /duration: ([\d.]+) ms\s+(?:statement|execute [^:]*): (.*)$/.exec(lines[i]);
		if (!m) continue;
		let text = m[2];
		// A statement continues on the following lines that are not a new log line.
		for (let j = i + 1; j < lines.length && !/^\d{4}-\d\d-\d\d /.test(lines[j]); j++) text += ` ${lines[j]}`;
		found.push({ ms: Number(m[1]), text: text.replace(/\s+/g, ' ').trim() });
	}
	// A statement the statement timeout cancelled is logged as an error, the statement on the next line.
	for (let i = 0; i < lines.length; i++) {
		if (!/ERROR:\s+canceling statement due to statement timeout/.test(lines[i])) continue;
		const statement = lines.slice(i + 1, i + 3).find((l) => /STATEMENT:/.test(l));
		found.push({ ms: Infinity, text: `(cancelled) ${statement?.split('STATEMENT:')[1]?.trim() ?? '?'}` });
	}
	// The bench's own DROP DATABASE is not the seed's.
	return found.filter((s) => !/^DROP DATABASE/.test(s.text)).sort((a, b) => b.ms - a.ms);
}

const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 2000);

interface Mark {
	/** Wall-clock, seeding process CPU and PostgreSQL CPU seconds at the end of a phase. */
	wall: number;
	cpu: number;
	pg: number | null;
}

async function main() {
	const server = process.env.BENCH_DATABASE_URL
		? null
		: await startPostgresServer({
				settings: {
					log_min_duration_statement: String(SLOW_MS),
					// BENCH_EXPLAIN_MS: the plans of statements slower than this logged too (auto_explain).
					...(process.env.BENCH_EXPLAIN_MS
						? {
								shared_preload_libraries: 'auto_explain',
								'auto_explain.log_min_duration': process.env.BENCH_EXPLAIN_MS
							}
						: {})
				}
			});
	const adminUrl = process.env.BENCH_DATABASE_URL ?? server!.url;
	const name = `bench_demo_seed_${process.pid}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	try {
		await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
		await admin.unsafe(`CREATE DATABASE ${name}`);
		const url = new URL(adminUrl);
		url.pathname = `/${name}`;
		const timeout = Number(process.env.BENCH_STATEMENT_TIMEOUT_MS ?? 0);
		const db = await openPostgres(url.toString(), timeout ? { statementTimeoutMs: timeout } : {});
		const storage = postgresStorage(db);
		await ensureDefaultJourneys(storage);
		let last = -10;
		const mark = (): Mark => {
			const used = process.cpuUsage();
			return {
				wall: performance.now() / 1000,
				cpu: (used.user + used.system) / 1e6,
				pg: serverCpuSeconds(server?.dir)
			};
		};
		const marks: [string, Mark][] = [['start', mark()]];
		const phase = (label: string) => {
			marks.push([label, mark()]);
			const [prev, now] = [marks[marks.length - 2][1], marks[marks.length - 1][1]];
			log(
				`${label}: ${(now.wall - prev.wall).toFixed(1)} s, CPU ${(now.cpu - prev.cpu).toFixed(1)} s seeder` +
					(now.pg === null || prev.pg === null ? '' : `, ${(now.pg - prev.pg).toFixed(1)} s PostgreSQL`) +
					`, load ${os.loadavg()[0].toFixed(1)}`
			);
		};
		const result = await seedDemo(storage, {
			seed: 1,
			days: DAYS,
			now: NOW,
			onProgress: ({ done, percent }) => {
				if (percent - last >= 10) log(`${percent}% (${done.toLocaleString('en')} events)`);
				last = Math.max(last, percent - (percent % 10));
			},
			onPhase: phase
		});
		const insights = await prepareDemoInsights(storage, NOW, {
			onTextsDone: () => phase('texts')
		});
		phase('risk');
		const [{ instances }] = await db.$client`SELECT count(*) AS instances FROM journey_instances`;
		await db.$client.end();
		if (process.env.BENCH_KEEP) {
			log(`kept: ${url} (server folder ${server?.dir}); stop it with pg_ctl -D <folder>/data stop`);
			await new Promise(() => undefined);
		}
		await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
		const slow = slowStatements(server?.dir);
		const rate = (seconds: number) => Math.round(result.events / seconds).toLocaleString('en');
		const labels: Record<string, string> = {
			history:
				'history generated, redacted and written in bulk (COPY per 8,000-event chunk, customers upserted, sentiment scored)',
			chains: 'contact chains (flags and links) recomputed',
			rollups: 'rollup cells rebuilt',
			journeys: `${Number(instances).toLocaleString('en')} journey instances re-stitched`,
			audience: 'the outreach audience stored, statistics refreshed (ANALYZE)',
			texts: `${insights.texts.toLocaleString('en')} texts indexed`,
			risk: `risk model trained (${insights.risk.trained ? `${insights.risk.scored.toLocaleString('en')} customers scored` : `not trained: ${insights.risk.reason}`})`
		};
		const first = marks[0][1];
		const end = marks[marks.length - 1][1];
		const pgCell = (a: Mark, b: Mark) => (a.pg === null || b.pg === null ? 'n/a' : (b.pg - a.pg).toFixed(1));
		if (slow.some((s) => s.ms === Infinity)) throw new Error('a statement ran into the statement timeout');
		const rows = marks
			.slice(1)
			.map(
				([label, m], i) =>
					`| … ${labels[label] ?? label} | ${(m.wall - marks[i][1].wall).toFixed(1)} | ${(m.cpu - marks[i][1].cpu).toFixed(1)} | ${pgCell(marks[i][1], m)} |`
			)
			.join('\n');
		const total = end.wall - first.wall;
		console.log(`## Demo seeding on PostgreSQL (issue 17)

\`BENCH_DAYS=${DAYS} node bench/run.js demo-seed-postgres\`: the first start with DATABASE_URL=postgres://… on an
empty database: ${DAYS} days of demo history (seed 1, scale 1, ${result.events.toLocaleString('en')} events), then what
the server does before showing it (texts indexed, risk model trained). Wall-clock seconds stretch with other work on
the machine; the CPU seconds of the seeding process and of PostgreSQL (all its processes) are the fair figures.

| phase | seconds | CPU s, seeder | CPU s, PostgreSQL |
| --- | ---: | ---: | ---: |
| whole first start (${rate(total)} events/s) | ${total.toFixed(1)} | ${(end.cpu - first.cpu).toFixed(1)} | ${pgCell(first, end)} |
${rows}

Of the history phase, ${result.writeSeconds.toFixed(1)} s were spent waiting for the bulk writes. Statements slower than
${SLOW_MS / 1000} s (log_min_duration_statement): ${slow.length === 0 ? 'none' : slow.map((s) => `${(s.ms / 1000).toFixed(1)} s (${s.text.slice(0, 60).replace(/\|/g, '\\|')}…)`).join('; ')}.
The 1-minute load average was ${os.loadavg()[0].toFixed(1)} at the end (other processes on the machine stretch the wall-clock figures, not the CPU ones).
`);
	} finally {
		for (const s of slowStatements(server?.dir))
			log(`slow (${Math.round(s.ms)} ms): ${s.text.slice(0, 600)}`);
		await admin.end();
		server?.stop();
	}
}

await main();
