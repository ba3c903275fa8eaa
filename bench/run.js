#!/usr/bin/env node
/**
 * Runs the benchmarks in bench/ and records their results in bench/RESULTS.md.
 *
 *   npm run bench                 every bench file
 *   npm run bench -- ingest       only those whose file name contains "ingest"
 *
 * A bench is any bench/*.js or bench/*.ts (not this runner, not files starting with "_"). TypeScript benches may
 * import `$lib/…`: they are bundled with Vite (already a dependency) into bench/.data/build first, packages left
 * external. Each bench runs in its own Node process from the project root and prints one or more markdown
 * sections to stdout, each starting with a `## ` heading (progress goes to stderr). The runner adds the machine
 * and date under each heading and replaces the section of the same heading in RESULTS.md, or appends it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleLib } from '../scripts/bundle-lib.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const resultsFile = path.join(benchDir, 'RESULTS.md');
const buildDir = path.join(benchDir, '.data', 'build');

const filters = process.argv.slice(2);
const files = readdirSync(benchDir)
	.filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && f !== 'run.js' && !f.startsWith('_'))
	.filter((f) => !filters.length || filters.some((word) => f.includes(word)))
	.sort();
if (!files.length) {
	console.error(`no bench file matches ${filters.join(', ') || '(any)'}`);
	process.exit(1);
}

async function bundle(file) {
	return bundleLib(path.join('bench', file), buildDir, `${file.replace(/\.ts$/, '')}.mjs`);
}

function runNode(entry) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--expose-gc', entry], {
			cwd: root,
			stdio: ['ignore', 'pipe', 'inherit'],
			env: { ...process.env, NODE_ENV: 'production' }
		});
		let out = '';
		child.stdout.on('data', (chunk) => {
			out += chunk;
			process.stdout.write(chunk);
		});
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0 ? resolve(out) : reject(new Error(`${entry} exited with ${code}`))
		);
	});
}

function machine() {
	const cpus = os.cpus();
	const gib = (os.totalmem() / 2 ** 30).toFixed(1);
	return (
		`_Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${gib} GiB RAM, ` +
		`Node ${process.version}, ${os.type()} ${os.release()}. Run ${new Date().toISOString()}._`
	);
}

/** Splits markdown into the text before the first `## ` heading and the sections that follow. */
function sections(markdown) {
	const parts = markdown.split(/^(?=## )/m);
	const head = parts[0].startsWith('## ') ? '' : parts.shift();
	return { head, sections: parts.map((p) => ({ title: p.split('\n')[0].trim(), body: p })) };
}

function record(output) {
	const found = sections(output).sections;
	if (!found.length) throw new Error('the bench printed no "## " section');
	const current = existsSync(resultsFile)
		? sections(readFileSync(resultsFile, 'utf8'))
		: {
				head: '# Benchmark results\n\nWritten by `npm run bench` (bench/run.js); one section per benchmark.\n\n',
				sections: []
			};
	for (const s of found) {
		const [heading, ...rest] = s.body.trimEnd().split('\n');
		const body = `${heading}\n\n${machine()}\n${rest.join('\n').replace(/^\n*/, '\n')}\n\n`;
		const at = current.sections.findIndex((c) => c.title === s.title);
		if (at >= 0) current.sections[at] = { title: s.title, body };
		else current.sections.push({ title: s.title, body });
	}
	writeFileSync(resultsFile, current.head + current.sections.map((s) => s.body).join(''));
}

let failed = false;
for (const file of files) {
	console.error(`\n▶ bench/${file}`);
	try {
		const entry = file.endsWith('.ts') ? await bundle(file) : path.join(benchDir, file);
		record(await runNode(entry));
		console.error(`✓ bench/${file} → bench/RESULTS.md`);
	} catch (error) {
		failed = true;
		console.error(`✗ bench/${file}: ${error instanceof Error ? error.message : error}`);
	}
}
process.exit(failed ? 1 : 0);
