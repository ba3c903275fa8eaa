import { error } from '@sveltejs/kit';
import { z } from 'zod';
import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireEmbed } from '$lib/server/embed/guard';
import { presentation, viewOrError, wallboardView } from '$lib/server/embed/views';

const Tv = z.object({
	tv: z.enum(['1', '0']).optional(),
	rotate: z.coerce.number().int().min(5).max(600).default(20)
});

/** GET /embed/wallboard?token=…[&tv=1]: the executive wallboard (TV mode with tv=1), authorised by the token. */
export const load: PageServerLoad = async (event) => {
	const ctx = await requireEmbed(event, { type: 'wallboard' }, { record: true });
	event.depends('app:wallboard');
	const sp = event.url.searchParams;
	const tv = Tv.safeParse({ tv: sp.get('tv') ?? undefined, rotate: sp.get('rotate') || undefined });
	if (!tv.success)
		error(400, { code: 'invalid_parameter', message: `rotate: ${tv.error.issues[0].message}` });
	const view = await viewOrError(() =>
		wallboardView(storage(), ctx, tv.data.tv === '1' ? { rotate: tv.data.rotate } : null)
	);
	return { embed: presentation(ctx), ...view };
};
