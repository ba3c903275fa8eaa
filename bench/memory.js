#!/usr/bin/env node
/**
 * The server's memory budget (issue 21, item 8): RSS ≤ 400 MB serving the 90-day demo after every page has been
 * viewed. Measured on the built server (run `npm run build` first):
 *
 * 1. the built server as `npm start` runs it (bench/_server.js) on a fresh SQLite file with the demo (90 days of history, seeded by the server's child process
 *    build/demo-seeder.js, then the live simulator running);
 * 2. once the history is seeded, an admin walks every screen in both languages and in every period preset (the
 *    wallboard and its TV pages, trends by team/channel/agent, voice, each journey with its drill-downs, alerts,
 *    cases, a case and a customer, every admin page), then holds the wallboard's live stream open for a while;
 * 3. RSS and its peak (VmRSS, VmHWM from /proc) are read after seeding, after the walk, and 30 s later.
 *
 *   npm run bench -- memory           (via bench/run.js: results go to bench/RESULTS.md)
 *   node bench/memory.js [--days 90] [--port 4198]   (or BENCH_MEMORY_PORT=…)
 * The server runs with the environment it would get from `npm start`; RESONANCE_* cache settings given to this
 * bench (e.g. RESONANCE_SQLITE_CACHE_MB) pass through, so settings can be compared.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serverNodeFlags } from '../scripts/node-flags.js';
import { root, sleep, startBuiltServer } from './_server.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DAYS = option('days', 90);
const PORT = option('port', Number(process.env.BENCH_MEMORY_PORT) || 4198);
// --reuse: keep a database seeded by an earlier run (to compare settings quickly); the figures then leave out seeding.
const REUSE = args.includes('--reuse');
const BUDGET_MB = 400;
const log = (...parts) => console.error('[memory]', ...parts);

/** VmRSS and VmHWM of a process, in MB. */
function memoryOf(pid) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
	return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** The main thread's V8 heap (used, total) and external memory from GET /metrics, in MB. */
async function heapOf(base, session) {
	const text = await (await fetch(`${base}/metrics`, { headers: { cookie: session } })).text();
	const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
	return {
		used: value('nodejs_heap_size_used_bytes'),
		total: value('nodejs_heap_size_total_bytes'),
		external: value('nodejs_external_memory_bytes')
	};
}

async function main() {
	const dbFile = path.join(root, 'bench/.data/memory.db');
	const reuse = REUSE && existsSync(dbFile);
	if (!reuse) for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
	const admin = { email: 'bench-admin@resonance.local', password: 'bench-memory-password-2026' };
	const server = await startBuiltServer({
		port: PORT,
		database: dbFile,
		env: {
			RESONANCE_DEMO: '1',
			RESONANCE_DEMO_DAYS: String(DAYS),
			RESONANCE_ADMIN_EMAIL: admin.email,
			RESONANCE_ADMIN_PASSWORD: admin.password
		}
	});
	const base = server.base;
	try {
		const seeded = reuse ? 'reused' : await server.demoSeeded();
		log(`demo seeded: ${seeded} events`);
		// Start-up work after seeding (text analysis, alert backfill) settles first.
		await sleep(20_000);
		const afterSeed = memoryOf(server.pid);
		log('after seeding', afterSeed);

		const session = await server.signIn(admin);
		const get = async (url, locale) => {
			const response = await fetch(base + url, {
				headers: { cookie: `${session}; PARAGLIDE_LOCALE=${locale}`, accept: 'text/html' }
			});
			await response.arrayBuffer();
			return response.status;
		};
		const json = async (url) =>
			(await fetch(base + url, { headers: { cookie: session, accept: 'application/json' } })).json();

		const journeyKeys = ((await json('/api/v1/journeys')).journeys ?? []).map((j) => j.key);
		const caseList = (await json('/api/v1/cases?limit=5')).cases ?? [];
		const audienceId = ((await json('/api/v1/audiences')).audiences ?? [])[0]?.id;
		const caseId = caseList[0]?.id;
		const customerId = caseList[0]?.customerId;
		const pages = [
			'/',
			'/wallboard',
			'/wallboard?tv=1',
			'/trends',
			'/trends?by=week&kpi=nps',
			'/trends?kpi=fcr&control=fcr',
			'/voice',
			'/journeys',
			'/journeys/admin',
			...journeyKeys.flatMap((k) => [
				`/journeys/${k}`,
				`/journeys/${k}?by=channel`,
				`/journeys/${k}?metric=csat`
			]),
			'/alerts',
			'/alerts/rules',
			'/cases',
			...(caseId ? [`/cases/${caseId}`] : []),
			'/risk',
			'/outreach',
			...(audienceId ? [`/outreach/${audienceId}`] : []),
			'/value',
			'/value?tv=1',
			...(customerId ? [`/customers/${encodeURIComponent(customerId)}`] : []),
			'/account',
			'/admin',
			...['alerts', 'audit', 'embed', 'import', 'ingestion', 'keys', 'metrics', 'text', 'users', 'value'].map(
				(p) => `/admin/${p}`
			)
		];
		const withRange = (page, range) => page + (page.includes('?') ? '&' : '?') + `range=${range}`;
		const statuses = new Map();
		const failed = new Set();
		let views = 0;
		const walkStarted = performance.now();
		for (const locale of ['zh-CN', 'en'])
			for (const range of ['today', '7d', '30d', '90d'])
				for (const page of pages) {
					const status = await get(withRange(page, range), locale);
					statuses.set(status, (statuses.get(status) ?? 0) + 1);
					if (status >= 400) failed.add(`${status} ${withRange(page, range)}`);
					views++;
				}
		const walkSeconds = (performance.now() - walkStarted) / 1000;
		// The wallboard's live stream, held open for 15 s.
		const stream = new AbortController();
		const streaming = fetch(`${base}/api/v1/stream`, {
			headers: { cookie: session, accept: 'text/event-stream' },
			signal: stream.signal
		})
			.then((r) => r.arrayBuffer())
			.catch(() => undefined);
		await sleep(15_000);
		stream.abort();
		await streaming;
		const afterWalk = memoryOf(server.pid);
		const heap = await heapOf(base, session);
		log('after the walk', afterWalk, heap, Object.fromEntries(statuses));
		await sleep(30_000);
		const later = memoryOf(server.pid);
		log('30 s later', later);
		const bad = [...statuses.keys()].filter((s) => s >= 400);
		if (bad.length) throw new Error(`some pages failed: ${[...failed].join(', ')}`);

		const settings = Object.entries(process.env)
			.filter(([k]) => /^RESONANCE_.*(CACHE|MB)/.test(k) && k !== 'RESONANCE_SEMI_SPACE_MB')
			.map(([k, v]) => `${k}=${v}`)
			.concat(serverNodeFlags(process.env));
		const mb = (x) => `${Math.round(x)} MB`;
		const worst = Math.max(afterWalk.rss, later.rss);
		console.log(`## Server memory, 90-day demo after every screen (bench/memory.js)

\`npm run bench -- memory\` (run \`npm run build\` first): the built server as \`npm start\` runs it (\`scripts/serve.js\`) on a fresh SQLite file
with the demo (${DAYS} days, ${seeded} events seeded, the live simulator running); an admin then views every screen
(${pages.length} pages incl. ${journeyKeys.length} journeys with their breakdowns, a case, a customer and every admin
page) in both languages and in each period preset (${views} page views in ${walkSeconds.toFixed(0)} s) and holds the
live stream open 15 s. RSS of the server's process from /proc (VmRSS; peak VmHWM); on SQLite the history is seeded
by a child process of the server (build/demo-seeder.js), which has exited before the walk and is not counted. Settings: ${settings.join(', ')} (other caches at their defaults).

| measure | value |
| --- | --- |
| RSS after seeding (settled 20 s) | ${mb(afterSeed.rss)} |
| RSS after the walk | ${mb(afterWalk.rss)} |
| … of which the main thread's V8 heap: used / total; external | ${mb(heap.used)} / ${mb(heap.total)}; ${mb(heap.external)} |
| RSS 30 s later | ${mb(later.rss)} |
| peak RSS (VmHWM, seeding included) | ${mb(later.peak)} |
| page views (status: count) | ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')} |
| 1-minute load average at the end (other processes) | ${os.loadavg()[0].toFixed(1)} |

Target: RSS ≤ ${BUDGET_MB} MB after every screen — **${worst <= BUDGET_MB ? 'met' : 'not met'}** (${mb(worst)}).
`);
	} finally {
		await server.stop();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
