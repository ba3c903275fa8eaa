import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { embedStream } from '$lib/server/embed/stream';

/**
 * GET /embed/stream?token=…[&<params the token allows>]: Server-Sent Events of the token's own view (`event: kpis`
 * snapshots of its scoped query, `event: ping`), ended with `event: end` at expiry or revocation.
 */
export const GET: RequestHandler = async (event) => {
	const ctx = await requireEmbed(event, { type: null });
	return embedStream(storage(), ctx);
};
