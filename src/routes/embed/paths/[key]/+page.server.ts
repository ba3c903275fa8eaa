import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { EMBED_VIEW } from '$lib/components/embed/embed-stream';
import { journeyView, presentation, viewOrError } from '$lib/server/embed/views';

/** GET /embed/paths/<journey>?token=…: the journey's path map, authorised by the token (live). */
export const load: PageServerLoad = async (event) => {
	const ctx = await requireEmbed(event, { type: 'paths', key: event.params.key }, { record: true });
	// A live embed reloads its data when the stream reports a commit that changes it (embed-live.svelte.ts).
	event.depends(EMBED_VIEW);
	return { embed: presentation(ctx), ...(await viewOrError(() => journeyView(storage(), ctx))) };
};
