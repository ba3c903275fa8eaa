import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { ingestContext } from '$lib/server/ingest/context';
import { handlePostHogConfig } from '$lib/server/ingest/http';

// Public: posthog-js's remote configuration, the same for every token (every feature off); carries no data.

/** `GET /array/<token>/config` (JSON) and `/array/<token>/config.js` (the script posthog-js loads first). */
export const GET: RequestHandler = ({ request, params }) => {
	if (params.file !== 'config' && params.file !== 'config.js') error(404);
	return handlePostHogConfig(request, params.token, params.file === 'config.js', ingestContext(storage()));
};
