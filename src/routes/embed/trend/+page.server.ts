import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { EMBED_VIEW } from '$lib/components/embed/embed-stream';
import { presentation, trendView, viewOrError } from '$lib/server/embed/views';

/** GET /embed/trend?token=…: one KPI (res.key, default cx_index) by day, authorised by the token (live). */
export const load: PageServerLoad = async (event) => {
	const ctx = await requireEmbed(event, { type: 'trend' }, { record: true });
	// A live embed reloads its data when the stream reports a commit that changes it (embed-live.svelte.ts).
	event.depends(EMBED_VIEW);
	return { embed: presentation(ctx), ...(await viewOrError(() => trendView(storage(), ctx))) };
};
