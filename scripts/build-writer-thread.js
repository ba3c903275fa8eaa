#!/usr/bin/env node
// Part of `npm run build`: bundles the server's worker threads next to its entry, where the server finds them at
// start (src/lib/server/built-files.ts): the ingestion writer thread (src/lib/server/ingest/writer-thread.ts →
// build/ingest-writer.js) and the text scorer (src/lib/server/text/scorer-thread.ts → build/text-scorer.js).
// Without them (dev, tests) ingestion writes and scores long texts on the main thread.
import path from 'node:path';
import { bundleLib, root } from './bundle-lib.js';

for (const [entry, file, what] of [
	['src/lib/server/ingest/writer-thread.ts', 'ingest-writer.js', 'writer thread'],
	['src/lib/server/text/scorer-thread.ts', 'text-scorer.js', 'text scorer']
]) {
	const out = await bundleLib(entry, path.join(root, 'build'), file);
	console.log(`${what} → ${path.relative(root, out)}`);
}
