import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A file `npm run build` writes next to the server's entry (the writer thread, the text scorer, the demo seeder),
 * found by looking up from this module's folder: in the built server that is build/server/chunks/…; in dev and tests
 * (the source tree) there is none, and the caller falls back to doing the work on the main thread.
 */
export function builtFile(name: string): URL | null {
	let dir = path.dirname(fileURLToPath(import.meta.url));
	for (let up = 0; up < 5; up++) {
		const file = path.join(dir, name);
		if (existsSync(file)) return pathToFileURL(file);
		const parent = path.dirname(dir);
		if (parent === dir) break;
		dir = parent;
	}
	return null;
}
