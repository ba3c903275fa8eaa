#!/usr/bin/env node
// `npm start`: build when the build is missing or older than the sources, then serve (scripts/serve.js) with the demo
// asked for by default.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'build', 'index.js');

/** Newest modification time under the given paths (files or folders). */
function newest(paths) {
	let max = 0;
	const visit = (p) => {
		if (!existsSync(p)) return;
		const s = statSync(p);
		if (s.isDirectory()) {
			for (const entry of readdirSync(p)) if (entry !== 'paraglide') visit(join(p, entry));
		} else max = Math.max(max, s.mtimeMs);
	};
	paths.forEach((p) => visit(join(root, p)));
	return max;
}

const sourcesChanged =
	!existsSync(built) ||
	newest(['src', 'messages', 'static', 'package.json', 'svelte.config.js', 'vite.config.ts']) >
		statSync(built).mtimeMs;
if (sourcesChanged) {
	console.log('[resonance] building…');
	const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) process.exit(result.status ?? 1);
}

// The demo turns itself on only in a database of its own (src/lib/server/demo/eligibility.ts says why not).
process.env.RESONANCE_DEMO ??= '1';
process.env.PORT ??= '3000';
process.env.ORIGIN ??= `http://localhost:${process.env.PORT}`;
process.chdir(root);
console.log(
	`[resonance] serving on ${process.env.ORIGIN} (demo ${process.env.RESONANCE_DEMO === '0' ? 'off' : 'asked for'})`
);
// V8's young generation: 4 MB semi-spaces keep the heap V8 holds on to small (the RSS budget of issue 21: ≤ 400 MB
// serving the 90-day demo after every screen; 16 MB, Node's default, left ~90 MB more). Ingestion-heavy servers may
// trade memory for fewer scavenges with RESONANCE_SEMI_SPACE_MB=16 (bench/memory.js measures the difference).
const semiSpace = process.env.RESONANCE_SEMI_SPACE_MB?.trim() || '4';
if (!/^\d+$/.test(semiSpace) || Number(semiSpace) < 1 || Number(semiSpace) > 256) {
	console.error(
		`[resonance] RESONANCE_SEMI_SPACE_MB: expected a whole number of MB from 1 to 256, got "${semiSpace}"`
	);
	process.exit(2);
}
// V8's old generation: after each full collection V8 lets the heap grow to the live size times a factor it picks (up
// to 4× on a machine with GBs of memory), so a server with ~55 MB live held ~175 MB of heap after a walk through every
// screen. A fixed growth of 50% (1.5×) held ~95 MB (bench/memory.js); RESONANCE_HEAP_GROWTH_PERCENT=0 gives V8 its
// own factor back (fewer full collections under heavy load, more memory).
const heapGrowth = process.env.RESONANCE_HEAP_GROWTH_PERCENT?.trim() || '50';
if (!/^\d+$/.test(heapGrowth) || Number(heapGrowth) > 300) {
	console.error(
		`[resonance] RESONANCE_HEAP_GROWTH_PERCENT: expected a whole number from 0 to 300, got "${heapGrowth}"`
	);
	process.exit(2);
}
const v8Flags = [
	`--max-semi-space-size=${semiSpace}`,
	...(heapGrowth === '0' ? [] : [`--heap-growing-percent=${heapGrowth}`])
];
// The body limit (finite, never lifted) and the security headers of static files are set in serve.js, run as a
// child so that the V8 settings apply; signals pass through and its exit code is ours.
const server = spawn(process.execPath, [...v8Flags, join(root, 'scripts', 'serve.js')], {
	stdio: 'inherit'
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) =>
	process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 0))
);
