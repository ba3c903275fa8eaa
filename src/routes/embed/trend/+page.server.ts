import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { presentation, trendView, viewOrError } from '$lib/server/embed/views';

/** GET /embed/trend?token=…: one KPI (res.key, default cx_index) by day, authorised by the token. */
export const load: PageServerLoad = async (event) => {
	const ctx = await requireEmbed(event, { type: 'trend' }, { record: true });
	return { embed: presentation(ctx), ...(await viewOrError(() => trendView(storage(), ctx))) };
};
