import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { customerView, presentation, viewOrError } from '$lib/server/embed/views';

/** GET /embed/customer/<id>?token=…: the agent-desktop CX card of one customer, authorised by the token. */
export const load: PageServerLoad = async (event) => {
	const ctx = await requireEmbed(event, { type: 'customer', key: event.params.id }, { record: true });
	return { embed: presentation(ctx), ...(await viewOrError(() => customerView(storage(), ctx))) };
};
