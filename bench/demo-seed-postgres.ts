/**
 * The demo's first start on PostgreSQL (issue 17): seeding the default history (90 days, scale 1, seed 1) into an
 * empty migrated database, as `npm start` does with DATABASE_URL=postgres://… : the history in bulk
 * (demo/history-postgres.ts), then contact chains, rollups and journeys rebuilt once, then the texts indexed and the
 * risk model trained (demo/insights.ts), each phase timed.
 *
 *   npm run bench -- demo-seed-postgres    (BENCH_DAYS=90, BENCH_DATABASE_URL=postgres://… or a temporary local server)
 *   BENCH_DAYS=14 npm run bench -- demo-seed-postgres    (a shorter history, to try it)
 */
import { existsSync, readFileSync } from 'node:fs';
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
 * CPU seconds of a local PostgreSQL server: its postmaster's own and its exited children's (each connection's
 * backend is a child that exits when the connection closes). Null for a server elsewhere.
 */
function serverCpuSeconds(dir: string | undefined): number | null {
	const pidFile = dir && `${dir}/data/postmaster.pid`;
	if (!pidFile || !existsSync(pidFile)) return null;
	const pid = readFileSync(pidFile, 'utf8').split('\n')[0].trim();
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	// utime, stime, cutime, cstime: fields 14–17 of /proc/<pid>/stat (here from field 3 on), in clock ticks.
	return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
}

async function main() {
	const server = process.env.BENCH_DATABASE_URL ? null : await startPostgresServer();
	const adminUrl = process.env.BENCH_DATABASE_URL ?? server!.url;
	const name = `bench_demo_seed_${process.pid}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	try {
		await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
		await admin.unsafe(`CREATE DATABASE ${name}`);
		const url = new URL(adminUrl);
		url.pathname = `/${name}`;
		const db = await openPostgres(url.toString(), {});
		const storage = postgresStorage(db);
		await ensureDefaultJourneys(storage);
		let last = -10;
		const cpu = process.cpuUsage();
		const serverCpu = serverCpuSeconds(server?.dir);
		const result = await seedDemo(storage, {
			seed: 1,
			days: DAYS,
			now: NOW,
			onProgress: ({ done, percent }) => {
				if (percent - last >= 10) log(`${percent}% (${done.toLocaleString('en')} events)`);
				last = Math.max(last, percent - (percent % 10));
			}
		});
		const insights = await prepareDemoInsights(storage, NOW);
		const used = process.cpuUsage(cpu);
		const cpuSeconds = (used.user + used.system) / 1e6;
		const [{ instances }] = await db.$client`SELECT count(*) AS instances FROM journey_instances`;
		await db.$client.end();
		await new Promise((resolve) => setTimeout(resolve, 500));
		const serverCpuAfter = serverCpuSeconds(server?.dir);
		const pgCpu =
			serverCpu === null || serverCpuAfter === null
				? 'not measured (a remote server)'
				: `${(serverCpuAfter - serverCpu).toFixed(1)} s`;
		await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
		const rate = (seconds: number) => Math.round(result.events / seconds).toLocaleString('en');
		const other = result.deriveSeconds - result.chainSeconds - result.rollupSeconds - result.journeySeconds;
		const total = result.seconds + insights.textSeconds + insights.riskSeconds;
		console.log(`## Demo seeding on PostgreSQL (issue 17)

The first start with DATABASE_URL=postgres://… on an empty database: ${DAYS} days of demo history (seed 1, scale 1),
then what the server does before showing it (texts indexed, risk model trained).

| step | events | seconds | events/s |
| --- | ---: | ---: | ---: |
| whole first start (seed, texts, risk) | ${result.events.toLocaleString('en')} | ${total.toFixed(1)} | ${rate(total)} |
| … seed (history, chains, rollups, journeys) | | ${result.seconds.toFixed(1)} | ${rate(result.seconds)} |
| … … history written in bulk (COPY per 8,000-event chunk, customers upserted; sentiment scored) | | ${result.writeSeconds.toFixed(1)} | ${rate(result.writeSeconds)} |
| … … generating and redacting the history | | ${(result.seconds - result.writeSeconds - result.deriveSeconds).toFixed(1)} | |
| … … contact chains (flags and links) recomputed | | ${result.chainSeconds.toFixed(1)} | |
| … … rollup cells rebuilt | | ${result.rollupSeconds.toFixed(1)} | |
| … … ${Number(instances).toLocaleString('en')} journey instances re-stitched | | ${result.journeySeconds.toFixed(1)} | |
| … … the outreach audience stored | | ${other.toFixed(1)} | |
| … ${insights.texts.toLocaleString('en')} texts indexed | | ${insights.textSeconds.toFixed(1)} | |
| … risk model trained (${insights.risk.trained ? `${insights.risk.scored.toLocaleString('en')} customers scored` : `not trained: ${insights.risk.reason}`}) | | ${insights.riskSeconds.toFixed(1)} | |

CPU used: ${cpuSeconds.toFixed(1)} s by the seeding process, ${pgCpu} by PostgreSQL. The load average was
${os.loadavg()[0].toFixed(1)} at the end: other work on the machine stretches the wall-clock figures, not the CPU ones.
`);
	} finally {
		await admin.end();
		server?.stop();
	}
}

await main();
