#!/usr/bin/env node
// Part of `npm run build`: bundles the ingestion writer thread (src/lib/server/ingest/writer-thread.ts) into
// build/ingest-writer.js, next to the server's entry. The server finds it there at start (ingest/context.ts);
// without it (dev, tests) ingestion writes on the main thread.
import path from 'node:path';
import { bundleLib, root } from './bundle-lib.js';

const out = await bundleLib(
	'src/lib/server/ingest/writer-thread.ts',
	path.join(root, 'build'),
	'ingest-writer.js'
);
console.log(`writer thread → ${path.relative(root, out)}`);
