import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { apiError } from '$lib/server/auth/api-error';
import { requireRole } from '$lib/server/auth/guard';
import { DELIVERY_STATUSES } from '$lib/server/db/schema';
import * as alerts from '$lib/server/alerts';

const Query = z.object({
	status: z.enum(DELIVERY_STATUSES).optional(),
	limit: z.coerce.number().int().min(1).max(500).default(100)
});

/** GET /api/v1/alerts/deliveries?status=pending|delivered|failed → the webhook delivery log with every attempt (admins). */
export const GET: RequestHandler = async ({ locals, url }) => {
	requireRole(locals, 'admin');
	const parsed = Query.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) {
		const { message, details } = alerts.describeIssues(parsed.error);
		return apiError(400, message, 'invalid_parameter', details);
	}
	const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
	const deliveries = (await alerts.listDeliveries(storage(), parsed.data)).map((d) => ({
		...d,
		createdAt: iso(d.createdAt),
		finishedAt: iso(d.finishedAt),
		nextAttemptAt: iso(d.nextAttemptAt),
		attempts: d.attempts.map((a) => ({ ...a, at: iso(a.at) }))
	}));
	return json({ deliveries });
};
