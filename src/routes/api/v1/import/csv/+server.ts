import type { RequestHandler } from './$types';
import { database } from '$lib/server/db';
import { ingestContext } from '$lib/server/ingest/context';
import { handleCsvImport } from '$lib/server/ingest/csv-import';

// Authenticated by a write key (Bearer), like the other ingestion routes. The admin UI, signed in with a session,
// calls importRows from its own action after its own role check.

/** CSV upload: ?kind=feedback|contact|journey|complaint, one event a row, idempotent on the id column. */
export const POST: RequestHandler = ({ request, url }) =>
	handleCsvImport(request, url.searchParams.get('kind'), ingestContext(database()));
