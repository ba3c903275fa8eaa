import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { journeyView, presentation, viewOrError } from '$lib/server/embed/views';

/** GET /embed/paths/<journey>?token=…: the journey's path map, authorised by the token. */
export const load: PageServerLoad = async (event) => {
	const ctx = await requireEmbed(event, { type: 'paths', key: event.params.key }, { record: true });
	return { embed: presentation(ctx), ...(await viewOrError(() => journeyView(storage(), ctx))) };
};
