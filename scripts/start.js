#!/usr/bin/env node
// `npm start`: build when the build is missing or older than the sources, then serve with the demo on by default.
import { spawnSync } from 'node:child_process';
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

process.env.RESONANCE_DEMO ??= '1';
process.env.PORT ??= '3000';
// Ingestion and CSV import enforce their own limits (500 KB a batch, 100 MB a CSV); adapter-node's 512 KB cap would cut CSVs.
process.env.BODY_SIZE_LIMIT ??= 'Infinity';
process.env.ORIGIN ??= `http://localhost:${process.env.PORT}`;
process.chdir(root);
console.log(
	`[resonance] serving on ${process.env.ORIGIN} (demo ${process.env.RESONANCE_DEMO === '1' ? 'on' : 'off'})`
);
await import(built);
