#!/usr/bin/env node
// `npm run admin -- …`: the administration CLI. Its code is src/lib/server/cli/ (one file per command group), the
// same TypeScript lib the server runs; esbuild (already installed with the dev tools) bundles it in ~0.1 s at each call, resolving `$lib`,
// leaving npm packages external, so the CLI can never drift from the server's rules.
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'src', 'lib');
// Inside the project, so the bundle's bare imports resolve from node_modules; one file per process, no races.
const outfile = join(root, 'node_modules', '.cache', 'resonance-admin', `cli-${process.pid}.mjs`);

/** @type {import('esbuild').Plugin} */
const libAlias = {
	name: 'sveltekit-lib-alias',
	setup(b) {
		b.onResolve({ filter: /^\$lib(\/|$)/ }, async (args) => {
			const target = join(lib, args.path.slice('$lib'.length));
			const result = await b.resolve(`./${target.slice(root.length + 1)}`, {
				resolveDir: root,
				kind: args.kind
			});
			return result.errors.length ? { errors: result.errors } : { path: result.path };
		});
	}
};

process.env.RESONANCE_MIGRATIONS ??= join(root, 'drizzle');
mkdirSync(dirname(outfile), { recursive: true });
try {
	await build({
		entryPoints: [join(lib, 'server', 'cli', 'index.ts')],
		outfile,
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		packages: 'external',
		plugins: [libAlias],
		logLevel: 'error'
	});
	const { runAdmin } = await import(pathToFileURL(outfile).href);
	process.exitCode = await runAdmin(process.argv.slice(2), {
		env: process.env,
		out: (line) => console.log(line),
		err: (line) => console.error(line)
	});
} finally {
	rmSync(outfile, { force: true });
}
