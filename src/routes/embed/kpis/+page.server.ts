import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { presentation, viewOrError, wallboardView } from '$lib/server/embed/views';

/** GET /embed/kpis?token=…: the headline KPI tiles (live), authorised by the token. */
export const load: PageServerLoad = async (event) => {
	const ctx = await requireEmbed(event, { type: 'kpis' }, { record: true });
	const view = await viewOrError(() => wallboardView(storage(), ctx, null));
	return { embed: presentation(ctx), ...view };
};
