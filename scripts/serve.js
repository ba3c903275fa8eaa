#!/usr/bin/env node
// The production server: adapter-node's build/index.js (listening, graceful shutdown, socket activation) with two
// additions it has no setting for. Run by `npm start` and by the browser tests; `node scripts/serve.js` directly.
//  - Security headers on every answer, static files included (see security-headers.js).
//  - A finite BODY_SIZE_LIMIT: adapter-node's limit is one number for the whole server, so it is the largest body
//    any route takes (a CSV import, 100 MB); src/hooks/body-limit.ts holds forms and JSON APIs to 1 MB and the
//    ingestion routes read with their own limits (500 KB a batch). Never Infinity.
import { join } from 'node:path';
import { applyBaselineHeaders } from './security-headers.js';

const root = new URL('..', import.meta.url).pathname;
/** The CSV import's limit (CSV_MAX_BYTES in src/lib/server/ingest/csv-import.ts) plus room for multipart framing. */
export const SERVER_BODY_LIMIT = String(100 * 1024 * 1024 + 64 * 1024);

if (
	!process.env.BODY_SIZE_LIMIT ||
	!Number.isFinite(Number(process.env.BODY_SIZE_LIMIT.replace(/[KMG]$/i, '')))
) {
	if (process.env.BODY_SIZE_LIMIT)
		console.log(`[resonance] BODY_SIZE_LIMIT=${process.env.BODY_SIZE_LIMIT} ignored: a finite limit is kept`);
	process.env.BODY_SIZE_LIMIT = SERVER_BODY_LIMIT;
}

const { server } = await import(join(root, 'build', 'index.js'));
// Runs before adapter-node's request listener (polka), so even files served by sirv carry the headers.
server.server.prependListener('request', (req, res) => applyBaselineHeaders(req, res));
