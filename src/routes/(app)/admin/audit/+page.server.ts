import { z } from 'zod';
import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { AUDIT_ACTIONS, listAudit } from '$lib/server/auth/audit';
import { requireRole } from '$lib/server/auth/guard';

const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;
const date = z
	.string()
	.regex(/^\d{4}-\d{2}-\d{2}$/)
	.optional()
	.catch(undefined);

const Filters = z.object({
	action: z.enum(AUDIT_ACTIONS).optional().catch(undefined),
	actor: z.string().trim().max(254).optional().catch(undefined),
	from: date,
	to: date,
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

/** Days are the service center's (China Standard Time, UTC+8, no daylight saving); `to` is inclusive. */
function dayStart(day: string): number {
	return Date.parse(`${day}T00:00:00+08:00`);
}

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, 'admin');
	const filters = Filters.parse(Object.fromEntries(url.searchParams));
	const { rows, total } = await listAudit(storage(), {
		action: filters.action,
		actor: filters.actor || undefined,
		from: filters.from ? dayStart(filters.from) : undefined,
		to: filters.to ? dayStart(filters.to) + DAY_MS : undefined,
		page: filters.page,
		pageSize: PAGE_SIZE
	});
	return {
		filters,
		actions: AUDIT_ACTIONS,
		rows,
		total,
		pages: Math.max(1, Math.ceil(total / PAGE_SIZE))
	};
};
