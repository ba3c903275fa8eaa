import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { openApiDocument } from '$lib/server/ingest/openapi';

// Public: the document describes the API, it holds no data. Other domains add their parts to the list given to
// openApiDocument as they publish their routes.
const document = openApiDocument();

export const GET: RequestHandler = () =>
	json(document, { headers: { 'cache-control': 'public, max-age=300' } });
