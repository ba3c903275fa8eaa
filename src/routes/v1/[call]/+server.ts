import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { ingestContext } from '$lib/server/ingest/context';
import { handlePreflight, handleSegment } from '$lib/server/ingest/http';

// Public: authenticated by the source's write key (Basic auth user name or `writeKey` in the body), not a session.

/** The Segment HTTP Tracking API: /v1/batch, /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias. */
export const POST: RequestHandler = ({ request, params }) =>
	handleSegment(request, params.call, ingestContext(storage()));

/** CORS preflight for browser sources. */
export const OPTIONS: RequestHandler = ({ request }) => handlePreflight(request, ingestContext(storage()));
