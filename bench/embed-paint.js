#!/usr/bin/env node
/**
 * First paint of an embedded view against the app's page (issue 18, "an embedded view's first paint is within the
 * same budget as the app's page"), on the same server and the same data. Measured on the built server (run
 * `npm run build` first):
 *
 * 1. an embed integration is added with the CLI to a fresh SQLite file, then the built server (as `npm start` runs it, bench/_server.js) serves it with the demo
 *    (`--days` of history, the live simulator running);
 * 2. Chromium (Playwright) opens, in a fresh browser context each time (cold cache, as a portal's first visit),
 *    `/embed/kpis` and `/embed/wallboard` with a signed token for every team, and `/wallboard` signed in as the
 *    admin (every team too), `--runs` times each, interleaved;
 * 3. each page's `first-contentful-paint` (performance.getEntriesByName), the time to `load`, and the JavaScript it
 *    fetched (resource entries: count and decoded bytes) are recorded; the table gives medians.
 *
 *   npm run bench -- embed-paint            (via bench/run.js: results go to bench/RESULTS.md)
 *   node bench/embed-paint.js [--days 7] [--runs 7] [--port 4199]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { SignJWT } from 'jose';
import { root, sleep, startBuiltServer } from './_server.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DAYS = option('days', 7);
const RUNS = option('runs', 7);
const PORT = option('port', 4199);
const log = (...parts) => console.error('[embed-paint]', ...parts);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One cold visit: time to first byte, FCP, load, and the JavaScript fetched (including chunks loaded after load). */
async function visit(browser, url, cookie) {
	const context = await browser.newContext();
	if (cookie) await context.addCookies([cookie]);
	const page = await context.newPage();
	const scripts = [];
	page.on('response', (r) => {
		if (/\.m?js(\?|$)/.test(new URL(r.url()).pathname))
			scripts.push(
				r
					.body()
					.then((b) => b.length)
					.catch(() => 0)
			);
	});
	try {
		const response = await page.goto(url, { waitUntil: 'load' });
		if (!response?.ok()) throw new Error(`${url}: ${response?.status()}`);
		const timing = await page.evaluate(async () => {
			for (let i = 0; i < 50 && !performance.getEntriesByName('first-contentful-paint').length; i++)
				await new Promise((r) => setTimeout(r, 100));
			const nav = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]);
			return {
				ttfb: nav.responseStart,
				fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
				load: nav.loadEventStart
			};
		});
		await sleep(1500); // chunks a component imports after hydration (ECharts)
		const sizes = await Promise.all(scripts);
		return { ...timing, js: sizes.length, jsBytes: sizes.reduce((a, b) => a + b, 0) };
	} finally {
		await context.close();
	}
}

async function main() {
	const dbFile = path.join(root, 'bench/.data/embed-paint.db');
	for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
	const base = `http://127.0.0.1:${PORT}`;
	const admin = { email: 'bench-admin@resonance.local', password: 'bench-embed-paint-password-2026' };

	// The integration first (the CLI on the file the server will open), its secret read from --json.
	const cli = spawnSync(
		process.execPath,
		['scripts/admin.js', 'embed', 'add', '--name', 'Bench', '--origins', base, '--json'],
		{ cwd: root, env: { ...process.env, DATABASE_URL: dbFile }, encoding: 'utf8' }
	);
	if (cli.status !== 0) throw new Error(`embed add failed: ${cli.stderr}`);
	const integration = JSON.parse(cli.stdout.trim().split('\n').pop());

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
	let browser;
	try {
		const seeded = await server.demoSeeded();
		log(`demo seeded: ${seeded} events`);
		await sleep(10_000); // start-up work after seeding settles

		const session = await server.signIn(admin);
		const [name, value] = [session.slice(0, session.indexOf('=')), session.slice(session.indexOf('=') + 1)];
		const cookie = { name, value, url: base };

		const iat = Math.floor(Date.now() / 1000);
		const sign = (type) =>
			new SignJWT({ res: { type }, locale: 'en' })
				.setProtectedHeader({ alg: 'HS256', kid: integration.id })
				.setIssuer(integration.id)
				.setIssuedAt(iat)
				.setExpirationTime(iat + 3600)
				.sign(new TextEncoder().encode(integration.secret));
		const targets = [
			{ label: '`/embed/kpis` (token)', url: `${base}/embed/kpis?token=${await sign('kpis')}` },
			{
				label: '`/embed/wallboard` (token)',
				url: `${base}/embed/wallboard?token=${await sign('wallboard')}`
			},
			{ label: '`/wallboard` (signed in)', url: `${base}/wallboard`, cookie }
		];

		browser = await chromium.launch({
			...(existsSync(CHROMIUM) ? { executablePath: CHROMIUM } : {}),
			args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']
		});
		// One warm-up visit each (server caches, Chromium's first start), not counted.
		for (const t of targets) await visit(browser, t.url, t.cookie);
		const results = new Map(targets.map((t) => [t.label, []]));
		for (let run = 0; run < RUNS; run++)
			for (const t of targets) results.get(t.label).push(await visit(browser, t.url, t.cookie));
		log(JSON.stringify(Object.fromEntries(results)));

		const load = os.loadavg()[0].toFixed(1);
		const rows = targets.map((t) => {
			const r = results.get(t.label);
			return `| ${t.label} | ${median(r.map((x) => x.ttfb)).toFixed(0)} | ${median(r.map((x) => x.fcp)).toFixed(0)} | ${Math.min(...r.map((x) => x.fcp)).toFixed(0)}–${Math.max(...r.map((x) => x.fcp)).toFixed(0)} | ${median(r.map((x) => x.load)).toFixed(0)} | ${median(r.map((x) => x.js))} | ${(median(r.map((x) => x.jsBytes)) / 1024).toFixed(0)} |`;
		});
		console.log(`## Embed first paint vs the app's wallboard (bench/embed-paint.js)

\`npm run bench -- embed-paint\` (run \`npm run build\` first): the built server on a fresh SQLite file with the demo
(${DAYS} days, ${seeded} events, simulator running); Chromium opens each page ${RUNS} times in a fresh context
(cold cache), interleaved, after one warm-up each. Every page shows all teams' numbers for today. FCP is
\`performance.getEntriesByName('first-contentful-paint')\`; TTFB is the navigation's responseStart (the server's
work); JS is the scripts fetched within 1.5 s of load, and their size.
Load average at the end: ${load}.

| page | TTFB median (ms) | FCP median (ms) | FCP range (ms) | load median (ms) | JS files | JS KiB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`);
	} finally {
		await browser?.close();
		await server.stop();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
