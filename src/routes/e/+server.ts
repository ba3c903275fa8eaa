import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { ingestContext } from '$lib/server/ingest/context';
import { handlePostHog, handlePreflight } from '$lib/server/ingest/http';

// Public: authenticated by the source's write key (`api_key` in the body), not a session.

/** posthog-js posts here with a trailing slash and `?ver=…&compression=…&_=…`; answer both forms without a redirect. */
export const trailingSlash = 'ignore';

/** The PostHog capture API as posthog-js calls it (JSON, gzip-js, base64 form bodies, sendBeacon). */
export const POST: RequestHandler = ({ request }) => handlePostHog(request, ingestContext(storage()));

export const OPTIONS: RequestHandler = ({ request }) => handlePreflight(request, ingestContext(storage()));
