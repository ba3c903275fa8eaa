#!/usr/bin/env node
// Part of `npm run build`: bundles the server's worker threads next to its entry, where the server finds them at
// start (src/lib/server/built-files.ts): the ingestion writer thread (src/lib/server/ingest/writer-thread.ts →
// build/ingest-writer.js), the text scorer (src/lib/server/text/scorer-thread.ts → build/text-scorer.js) and the
// demo seeder, run as a child process (src/lib/server/demo/seed-process.ts → build/demo-seeder.js). Without them
// (dev, tests) ingestion writes, long texts are scored and the demo is seeded on the main thread.
import path from 'node:path';
import { bundleLib, root } from './bundle-lib.js';

for (const [entry, file, what] of [
	['src/lib/server/ingest/writer-thread.ts', 'ingest-writer.js', 'writer thread'],
	['src/lib/server/text/scorer-thread.ts', 'text-scorer.js', 'text scorer'],
	['src/lib/server/demo/seed-process.ts', 'demo-seeder.js', 'demo seeder']
]) {
	const out = await bundleLib(entry, path.join(root, 'build'), file);
	console.log(`${what} → ${path.relative(root, out)}`);
}
