import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { ingestContext } from '$lib/server/ingest/context';
import { handlePostHogFlags, handlePreflight } from '$lib/server/ingest/http';

// Public: answers no feature flags to anyone; carries no data.

export const trailingSlash = 'ignore';

/** posthog-js asks for feature flags here (`POST /flags/?v=2`; older libraries `/decide/`): there are none. */
export const POST: RequestHandler = ({ request }) => handlePostHogFlags(request, ingestContext(storage()));

export const GET: RequestHandler = ({ request }) => handlePostHogFlags(request, ingestContext(storage()));

export const OPTIONS: RequestHandler = ({ request }) => handlePreflight(request, ingestContext(storage()));
