/**
 * Bundles one server-side TypeScript file of ours (which may import `$lib/…`) into a single ES module for Node,
 * npm packages left external, with Vite (already a dependency). Used for the writer thread at build time and for
 * the benchmarks.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {string} entry the file to bundle, relative to the project root
 * @param {string} outDir where to write it
 * @param {string} fileName the output file's name
 * @returns {Promise<string>} the output file's path
 */
export async function bundleLib(entry, outDir, fileName) {
	const { build } = await import('vite');
	await build({
		configFile: false,
		root,
		logLevel: 'warn',
		resolve: { alias: { $lib: path.join(root, 'src/lib') } },
		build: {
			ssr: path.join(root, entry),
			outDir,
			emptyOutDir: false,
			minify: false,
			target: 'node20',
			rollupOptions: { output: { entryFileNames: fileName, format: 'es' } }
		}
	});
	return path.join(outDir, fileName);
}
