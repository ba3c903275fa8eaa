import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { ingestionOpenApi, openApiDocument } from '$lib/server/ingest/openapi';
import { metricsOpenApi } from '$lib/server/metrics/openapi';
import { readingOpenApi } from '$lib/server/api-reference';

// Public: the document describes the API, it holds no data.
const document = openApiDocument([ingestionOpenApi(), metricsOpenApi(), readingOpenApi()]);

export const GET: RequestHandler = () =>
	json(document, { headers: { 'cache-control': 'public, max-age=300' } });
