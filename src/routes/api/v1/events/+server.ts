import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { ingestContext } from '$lib/server/ingest/context';
import { handleNative, handlePreflight } from '$lib/server/ingest/http';
import { requireUser } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import { audit } from '$lib/server/auth/audit';
import { actorOf, clientIp } from '$lib/server/auth/request';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as dashboards from '$lib/server/dashboards';
import { exportFileName } from '$lib/components/dashboards/csv';

// POST is public: authenticated by `Authorization: Bearer <write key>`, not a session.

/** The native batch: JSON `{"events":[…]}` or NDJSON (`Content-Type: application/x-ndjson`). */
export const POST: RequestHandler = ({ request }) => handleNative(request, ingestContext(storage()));

export const OPTIONS: RequestHandler = ({ request }) => handlePreflight(request, ingestContext(storage()));

/**
 * GET (drill-down, a session or a read key): `?customerId=&type=&kpi=&from=&to=&channel=&team=&agent=&segment=
 * &journey=&region=&reason=&detractor=&hasText=&limit=&cursor=&format=json|csv` → `{"events":[…],"next":cursor|null}`,
 * newest first, cursor-paged on (ts, seq). A manager sees only their teams' records. `format=csv` answers the same
 * page as CSV (the next cursor in `X-Next-Cursor`) and is written to the audit log.
 */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event.locals);
	const parsed = dashboards.parseEventsQuery(event.url.searchParams);
	if (!parsed.ok) return apiError(400, parsed.message, 'invalid_parameter', { parameter: parsed.parameter });
	const scope = scopeOf(user);
	restrictTeams(scope, parsed.query.filters.team);
	const db = storage();
	const page = await dashboards.listEvents(db, parsed.query, scope);
	if (parsed.query.format === 'json') return json(page, { headers: { 'cache-control': 'no-store' } });
	void audit(db, {
		action: 'data.exported',
		actor: actorOf(user),
		target: 'events.csv',
		ip: clientIp(event),
		details: { rows: page.events.length, query: event.url.search }
	});
	return new Response(dashboards.eventsCsv(page.events), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${exportFileName('events', 'csv')}"`,
			'cache-control': 'no-store',
			'x-next-cursor': page.next ?? ''
		}
	});
};
