import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { ingestContext } from '$lib/server/ingest/context';
import { handlePreflight, handleRudderSourceConfig } from '$lib/server/ingest/http';

// Public: authenticated by the source's write key (Basic auth, or `writeKey` in the query), not a session.

/** RudderStack analytics-js asks `/sourceConfig/?p=npm&v=…&writeKey=…` when its `configUrl` points here. */
export const trailingSlash = 'ignore';

export const GET: RequestHandler = ({ request }) =>
	handleRudderSourceConfig(request, ingestContext(storage()));

export const OPTIONS: RequestHandler = ({ request }) => handlePreflight(request, ingestContext(storage()));
