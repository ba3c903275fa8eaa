#!/usr/bin/env node
/**
 * Hostile input must never stall the server (issue 16): the built server as `npm start` runs it (scripts/serve.js
 * with the V8 flags of scripts/node-flags.js; run `npm run build` first)
 * receives batches of the most costly texts a public write key can send (12 comments of 29,000 letters and "@",
 * the issue's report; 17 texts of "1@" × 14,000; dialogue and punctuation runs), while a prober asks /healthz every
 * 10 ms. What a user feels is the prober's worst wait: the longest the main thread was held.
 *
 *   npm run bench -- hostile          (via bench/run.js: results go to bench/RESULTS.md)
 *   node bench/hostile-input.js [--rounds 5] [--port 4197] [--node-args "--trace-gc …"] [--server-log FILE]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serverNodeFlags } from '../scripts/node-flags.js';
import { root, sleep, startBuiltServer } from './_server.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = option('rounds', 5);
const PORT = option('port', 4197);
const BUDGET_MS = 50;
/** Extra flags for the server's node (profiling: `--cpu-prof --cpu-prof-dir=…`, `--trace-gc`). */
const nodeArgs = (() => {
	const i = args.indexOf('--node-args');
	return i >= 0 ? args[i + 1].split(/\s+/).filter(Boolean) : [];
})();
const log = (...parts) => console.error('[hostile]', ...parts);

const BATCHES = {
	'12 × ("a" × 29,000 + "@")': Array.from({ length: 12 }, () => 'a'.repeat(29_000) + '@'),
	'17 × "1@" × 14,000': Array.from({ length: 17 }, () => '1@'.repeat(14_000)),
	'dialogue and punctuation runs, × 2': [
		'坐席：好\n客户：差，但是很慢！\n'.repeat(500),
		'，'.repeat(10_000),
		'a '.repeat(14_000),
		'坐席：好\n客户：差，但是很慢！\n'.repeat(500),
		'，'.repeat(10_000),
		'a '.repeat(14_000)
	]
};

function percentile(sorted, p) {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
	if (!existsSync(path.join(root, 'build/text-scorer.js')))
		throw new Error('no build/text-scorer.js: run `npm run build` first');
	const dir = mkdtempSync(path.join(os.tmpdir(), 'resonance-hostile-'));
	const writeKey = 'rsn_w_bench_hostile_write_key';
	// What `npm start` runs (scripts/start.js): serve.js under the same V8 flags (RESONANCE_SEMI_SPACE_MB and
	// RESONANCE_HEAP_GROWTH_PERCENT apply here too).
	const flags = serverNodeFlags(process.env);
	const server = await startBuiltServer({
		port: PORT,
		database: path.join(dir, 'hostile.db'),
		env: { RESONANCE_DEMO: '0', RESONANCE_WRITE_KEY: writeKey },
		nodeArgs
	});
	const base = server.base;
	try {
		let n = 0;
		const rows = [];
		for (const [label, texts] of Object.entries(BATCHES)) {
			const waits = [];
			const posts = [];
			const worstByRound = [];
			for (let round = 0; round < ROUNDS; round++) {
				const before = waits.length;
				let probing = true;
				const prober = (async () => {
					while (probing) {
						const t0 = performance.now();
						await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
						waits.push(performance.now() - t0);
						await sleep(10);
					}
				})();
				await sleep(100);
				const events = texts.map((text) => ({
					id: `h-${++n}`,
					type: 'feedback',
					ts: new Date(Date.now() - 60_000).toISOString(),
					customerId: `hc-${n}`,
					channel: 'app',
					metric: 'csat',
					score: 1,
					text
				}));
				const t0 = performance.now();
				const response = await fetch(`${base}/api/v1/events`, {
					method: 'POST',
					headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
					body: JSON.stringify({ events })
				});
				const body = await response.json();
				posts.push(performance.now() - t0);
				if (body.accepted !== texts.length) throw new Error(`${label}: ${JSON.stringify(body)}`);
				await sleep(100);
				probing = false;
				await prober;
				worstByRound.push(Math.round(Math.max(...waits.slice(before))));
			}
			waits.sort((a, b) => a - b);
			posts.sort((a, b) => a - b);
			rows.push({
				label,
				kb: Math.round(texts.reduce((s, t) => s + t.length, 0) / 1024),
				post: percentile(posts, 50),
				p50: percentile(waits, 50),
				p99: percentile(waits, 99),
				max: waits[waits.length - 1],
				probes: waits.length,
				worstByRound
			});
			log(rows[rows.length - 1]);
		}
		const worst = Math.max(...rows.map((r) => r.max));
		const ms = (x) => `${x.toFixed(1)} ms`;
		console.log(`## Hostile texts and the main thread (bench/hostile-input.js)

\`npm run bench -- hostile\` (run \`npm run build\` first): the built server as \`npm start\` runs it (\`node
${flags.join(' ')} scripts/serve.js\`, writer thread and text scorer thread as built) on a fresh SQLite file; each batch below is posted ${ROUNDS} times through
\`POST /api/v1/events\` while a prober asks \`/healthz\` every 10 ms on another connection. The prober's wait is what
a page or a live stream would feel while the batch is being taken in.

| batch | text (KB) | POST answered (median) | /healthz wait p50 / p99 / max | worst wait by round (ms) | probes |
| --- | --- | --- | --- | --- | --- |
${rows.map((r) => `| ${r.label} | ${r.kb} | ${ms(r.post)} | ${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.max)} | ${r.worstByRound.join(', ')} | ${r.probes} |`).join('\n')}

1-minute load average at the end (other processes): ${os.loadavg()[0].toFixed(1)}.
Target: no /healthz wait over ${BUDGET_MS} ms — **${worst <= BUDGET_MS ? 'met' : 'not met'}** (${ms(worst)}).
`);
	} finally {
		await server.stop();
		const logIndex = args.indexOf('--server-log');
		if (logIndex >= 0) writeFileSync(args[logIndex + 1], server.log);
		rmSync(dir, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
