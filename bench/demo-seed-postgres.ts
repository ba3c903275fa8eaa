/**
 * The demo's first start on PostgreSQL (issue 17): seeding the default history (90 days, scale 1, seed 1) into an
 * empty migrated database, as `npm start` does with DATABASE_URL=postgres://… : the history in bulk
 * (demo/history-postgres.ts), then rollups, contact chains and journeys rebuilt once.
 *
 *   npm run bench -- demo-seed-postgres    (BENCH_DAYS=90, BENCH_DATABASE_URL=postgres://… or a temporary local server)
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import postgres from 'postgres';
import { openPostgres } from '$lib/server/db/postgres';
import { postgresStorage } from '$lib/server/db/storage';
import { ensureDefaultJourneys } from '$lib/server/journeys';
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
		const rollupSeconds = result.deriveSeconds - result.journeySeconds;
		const rate = (seconds: number) => Math.round(result.events / seconds).toLocaleString('en');
		console.log(`## Demo seeding on PostgreSQL (issue 17)

The first start with DATABASE_URL=postgres://… on an empty database: ${DAYS} days of demo history (seed 1, scale 1).

| step | events | seconds | events/s |
| --- | ---: | ---: | ---: |
| whole seed | ${result.events.toLocaleString('en')} | ${result.seconds.toFixed(1)} | ${rate(result.seconds)} |
| … history written in bulk (COPY per 8,000-event chunk, customers upserted; sentiment scored) | | ${result.writeSeconds.toFixed(1)} | ${rate(result.writeSeconds)} |
| … generating and redacting the history | | ${(result.seconds - result.writeSeconds - result.deriveSeconds).toFixed(1)} | |
| … rollups and contact chains rebuilt | | ${rollupSeconds.toFixed(1)} | |
| … ${Number(instances).toLocaleString('en')} journey instances re-stitched | | ${result.journeySeconds.toFixed(1)} | |

CPU used: ${cpuSeconds.toFixed(1)} s by the seeding process, ${pgCpu} by PostgreSQL. The load average was
${os.loadavg()[0].toFixed(1)} at the end: other work on the machine stretches the wall-clock figures, not the CPU ones.
`);
	} finally {
		await admin.end();
		server?.stop();
	}
}

await main();
