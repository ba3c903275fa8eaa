#!/usr/bin/env node
// `npm start`: build when the build is missing or older than the sources, then serve (scripts/serve.js) with the demo
// asked for by default.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NodeFlagError, serverNodeFlags } from './node-flags.js';

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
// V8's settings (young generation, heap growth): scripts/node-flags.js, shared with the benchmarks.
let v8Flags;
try {
	v8Flags = serverNodeFlags(process.env);
} catch (error) {
	if (!(error instanceof NodeFlagError)) throw error;
	console.error(`[resonance] ${error.message}`);
	process.exit(2);
}
// The body limit (finite, never lifted) and the security headers of static files are set in serve.js, run as a
// child so that the V8 settings apply; signals pass through and its exit code is ours.
const server = spawn(process.execPath, [...v8Flags, join(root, 'scripts', 'serve.js')], {
	stdio: 'inherit'
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) =>
	process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 0))
);
