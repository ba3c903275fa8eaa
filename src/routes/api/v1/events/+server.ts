import type { RequestHandler } from './$types';
import { database } from '$lib/server/db';
import { ingestContext } from '$lib/server/ingest/context';
import { handleNative, handlePreflight } from '$lib/server/ingest/http';

// POST is public: authenticated by `Authorization: Bearer <write key>`, not a session.

/** The native batch: JSON `{"events":[…]}` or NDJSON (`Content-Type: application/x-ndjson`). */
export const POST: RequestHandler = ({ request }) => handleNative(request, ingestContext(database()));

export const OPTIONS: RequestHandler = ({ request }) => handlePreflight(request, ingestContext(database()));

// GET (drill-down: ?customerId=&type=&from=&to=&limit=&cursor=, read key or session) is added here by the
// query-layer engineer; it needs its own authorization check, unlike POST.
