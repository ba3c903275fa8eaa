import type { PageServerLoad } from './$types';
import { database } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { presentation, viewOrErrorAsync, wallboardView } from '$lib/server/embed/views';

/** GET /embed/kpis?token=…: the headline KPI tiles (live), authorised by the token. */
export const load: PageServerLoad = async (event) => {
	const ctx = await requireEmbed(event, { type: 'kpis' }, { record: true });
	const view = await viewOrErrorAsync(() => wallboardView(database(), ctx, null));
	return { embed: presentation(ctx), ...view };
};
