import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { ingestionStatus } from '$lib/server/ingest/status';

/**
 * GET /api/v1/ingest/status: the ingestion monitor (admins) — per source what was sent, accepted, rejected and
 * refused, with samples of the reasons, and how the writer keeps up. In memory, since this server process started.
 */
export const GET: RequestHandler = async ({ locals }) => {
	requireRole(locals, 'admin');
	return json(await ingestionStatus(storage()), { headers: { 'cache-control': 'no-store' } });
};
