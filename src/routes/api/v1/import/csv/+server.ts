import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { ingestContext } from '$lib/server/ingest/context';
import { handleCsvImport } from '$lib/server/ingest/csv-import';

/**
 * CSV upload: ?kind=feedback|contact|journey|complaint, one event a row, idempotent on the id column. With a write
 * key (Bearer), like the other ingestion routes, or from the admin import page: a signed-in admin's session, with
 * ?source=<id>. ?map= maps columns to fields; ?dryRun=1 previews the first rows without writing.
 */
export const POST: RequestHandler = ({ request, locals }) =>
	handleCsvImport(request, ingestContext(storage()), locals.user ?? null);
