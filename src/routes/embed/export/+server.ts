import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { kpisCsv, viewOrError } from '$lib/server/embed/views';

/** GET /embed/export?token=…: the KPIs of the token's wallboard, kpis or trend view as CSV, with its scope. */
export const GET: RequestHandler = async (event) => {
	const ctx = await requireEmbed(event, { type: null });
	if (!['wallboard', 'kpis', 'trend'].includes(ctx.claims.res.type))
		error(403, { code: 'wrong_resource', message: `A ${ctx.claims.res.type} view has no KPI export` });
	const csv = await viewOrError(() => kpisCsv(storage(), ctx));
	return new Response(csv, {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': 'attachment; filename="resonance-kpis.csv"'
		}
	});
};
